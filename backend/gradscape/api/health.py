"""GET /api/health: for load balancers and the Docker HEALTHCHECK; GET /metrics if enabled."""

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse

from gradscape import __version__
from gradscape.api.admission import AdmissionDep
from gradscape.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
async def health(admission: AdmissionDep) -> Health:
    """Always 200 while the process serves; says whether heavy work is being accepted."""
    return Health(status="ok", version=__version__, **admission.status())


def install_metrics(app: FastAPI) -> None:
    """GET /metrics in Prometheus's text format (GRADSCAPE_METRICS=1); per process."""

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> PlainTextResponse:
        admission = request.app.state.admission
        gauges = {
            "heavy_jobs": admission.jobs,
            "heavy_limit": admission.limit,
            "heavy_refused_total": admission.refused,
        }
        return PlainTextResponse(
            request.app.state.metrics.text(gauges), media_type="text/plain; version=0.0.4"
        )
