"""GET /api/health: for load balancers and the Docker HEALTHCHECK."""

from fastapi import APIRouter

from gradscape import __version__
from gradscape.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=__version__)
