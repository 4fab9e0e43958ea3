"""POST /api/networks/runs and /api/networks/runs/stream: train a small network."""

from fastapi import APIRouter, Request

from gradscape.api import cost
from gradscape.api.admission import AdmissionDep
from gradscape.api.deps import SettingsDep
from gradscape.api.network_schemas import NetworkOptions, NetworkRunRequest, NetworkRunResponse
from gradscape.api.responses import HEAVY_RESPONSES, json_response
from gradscape.api.sse import event_stream
from gradscape.config import Settings
from gradscape.networks import (
    ACTIVATIONS,
    NetworkSpec,
    build_network_spec,
    stream_training,
    train,
)
from gradscape.optimizers import OPTIMIZERS

router = APIRouter(prefix="/networks", tags=["networks"])


REDUCE = "fewer steps, samples or hidden units, sharpness less often, a coarser landscape"


def to_spec(body: NetworkRunRequest, settings: Settings) -> NetworkSpec:
    """Validate a network run and refuse it, before any work, if it costs too much."""
    fields = body.model_dump()
    spec = build_network_spec(**fields, settings=settings)
    cost.check(cost.network_cost(spec), settings, "steps", REDUCE)
    return spec


@router.get("/options", response_model=NetworkOptions)
def network_options(settings: SettingsDep) -> NetworkOptions:
    """What a network run accepts: activations, usable optimizers and the server's caps."""
    return NetworkOptions(
        activations=[{"id": a.id, "name": a.name} for a in ACTIVATIONS.values()],
        optimizers=[o.id for o in OPTIMIZERS.values() if o.elementwise],
        max_params=settings.max_network_params,
        max_samples=settings.max_network_samples,
        max_steps=settings.max_network_steps,
        max_resolution=settings.max_landscape_resolution,
    )


@router.post("/runs", response_model=NetworkRunResponse, responses=HEAVY_RESPONSES)
async def create_network_run(
    body: NetworkRunRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """Train, then answer with the curves, the landscape, the path and the interpolation."""
    spec = to_spec(body, settings)
    return await admission.run(request, lambda deadline: json_response(train(spec, deadline)))


@router.post(
    "/runs/stream",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "`data:` events shaped like NetworkRunBlock, then "
            "`event: done` shaped like NetworkRunDone.",
        },
        **HEAVY_RESPONSES,
    },
)
async def stream_network_run(
    body: NetworkRunRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """The same run as Server-Sent Events, with the live decision boundary in each block."""
    spec = to_spec(body, settings)
    return event_stream(
        request, admission, lambda deadline: stream_training(spec, deadline=deadline)
    )
