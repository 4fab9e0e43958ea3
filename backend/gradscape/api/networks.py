"""POST /api/networks/runs and /api/networks/runs/stream: train a small network."""

from fastapi import APIRouter, Request

from gradscape.api.deps import SettingsDep
from gradscape.api.network_schemas import NetworkOptions, NetworkRunRequest, NetworkRunResponse
from gradscape.api.responses import json_response
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


def to_spec(body: NetworkRunRequest, settings: Settings) -> NetworkSpec:
    fields = body.model_dump()
    return build_network_spec(**fields, settings=settings)


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


@router.post("/runs", response_model=NetworkRunResponse)
def create_network_run(body: NetworkRunRequest, settings: SettingsDep):
    """Train, then answer with the curves, the landscape, the path and the interpolation."""
    return json_response(train(to_spec(body, settings)))


@router.post(
    "/runs/stream",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "`data:` events shaped like NetworkRunBlock, then "
            "`event: done` shaped like NetworkRunDone.",
        }
    },
)
def stream_network_run(body: NetworkRunRequest, request: Request, settings: SettingsDep):
    """The same run as Server-Sent Events, with the live decision boundary in each block."""
    return event_stream(request, stream_training(to_spec(body, settings)))
