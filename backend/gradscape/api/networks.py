"""POST /api/networks/runs, /runs/stream, /batch and /batch/stream: train small networks."""

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gradscape.api import cost
from gradscape.api.admission import AdmissionDep
from gradscape.api.datasets import points_response
from gradscape.api.deps import SettingsDep
from gradscape.api.network_schemas import (
    CustomDataset,
    CustomDatasetRequest,
    DatasetPoints,
    NetworkBatchRequest,
    NetworkBatchResponse,
    NetworkOptions,
    NetworkRunRequest,
    NetworkRunResponse,
)
from gradscape.api.responses import HEAVY_RESPONSES, VALIDATION, json_response
from gradscape.api.sse import event_stream
from gradscape.config import Settings
from gradscape.errors import GradscapeError, InvalidValueError
from gradscape.networks import (
    ACTIVATIONS,
    NetworkSpec,
    build_network_spec,
    stream_batch,
    stream_training,
    train,
    train_batch,
)
from gradscape.networks.datasets import custom_dataset
from gradscape.networks.training import LandscapeSpec, landscape_spec
from gradscape.optimizers import OPTIMIZERS

router = APIRouter(prefix="/networks", tags=["networks"])

Loc = tuple[str | int, ...]
REDUCE = "fewer steps, samples or hidden units, sharpness less often, a coarser landscape"
REDUCE_BATCH = f"fewer runs, {REDUCE}"


def _loc(prefix: Loc, field: str) -> list[str | int]:
    """``dataset.x.17.0`` as ``[..., "dataset", "x", 17, 0]``, as pydantic names places."""
    return [*prefix, *(int(p) if p.isdigit() else p for p in field.split("."))]


def to_spec(body: NetworkRunRequest, settings: Settings, where: Loc = ("body",)) -> NetworkSpec:
    """The validated spec; every error answers 422 with its place under ``where``."""
    fields = body.model_dump(exclude={"dataset"})
    fields["dataset"] = body.dataset
    if not isinstance(body.dataset, str):
        try:
            fields["dataset"] = CustomDataset.model_validate(body.dataset).model_dump()
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": (*where, "dataset", *e["loc"])} for e in exc.errors()]
            ) from None
    try:
        spec = build_network_spec(**fields, settings=settings)
        cost.check(cost.network_cost(spec), settings, "steps", REDUCE)
        return spec
    except GradscapeError as exc:
        field = getattr(exc, "field", "")
        message = exc.message if isinstance(exc, InvalidValueError) else str(exc)
        kind = "value_error" if isinstance(exc, InvalidValueError) else "unknown_id"
        raise RequestValidationError(
            [{"loc": _loc(where, field), "msg": message, "type": kind}]
        ) from None


def to_specs(body: NetworkBatchRequest, settings: Settings) -> list[NetworkSpec]:
    if len(body.runs) > settings.max_network_batch_runs:
        raise RequestValidationError(
            [
                {
                    "loc": ["body", "runs"],
                    "msg": f"at most {settings.max_network_batch_runs} runs in one batch",
                    "type": "value_error",
                }
            ]
        )
    return [to_spec(run, settings, ("body", "runs", i)) for i, run in enumerate(body.runs)]


def check_batch(specs: list[NetworkSpec], shared: LandscapeSpec | None, settings: Settings):
    """The batch's cost: every run's (as if alone: runs batched together cost less) plus the
    shared slice, refused before any work when over the budget."""
    total = sum((cost.network_cost(s) for s in specs), cost.Cost())
    if shared is not None:  # one more grid, priced as a 0-step run's landscape
        total = total + cost.network_cost(replace(specs[0], steps=0, landscape=shared))
    try:
        cost.check(total, settings, "runs", REDUCE_BATCH)
    except InvalidValueError as exc:
        raise RequestValidationError(
            [{"loc": ["body", "runs"], "msg": exc.message, "type": "value_error"}]
        ) from None


def shared_slice(body: NetworkBatchRequest, settings: Settings) -> LandscapeSpec | None:
    if body.landscape is None:
        return None
    try:
        return landscape_spec(body.landscape.model_dump(), settings.max_landscape_resolution)
    except InvalidValueError as exc:
        raise RequestValidationError(
            [{"loc": _loc(("body",), exc.field), "msg": exc.message, "type": "value_error"}]
        ) from None


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
        max_runs=settings.max_network_batch_runs,
        max_body_bytes=settings.max_body_bytes,
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


@router.post("/batch", response_model=NetworkBatchResponse, responses=HEAVY_RESPONSES)
async def create_network_batch(
    body: NetworkBatchRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """Several runs trained together (one batched network per shared data set and shape),
    each answered as POST /runs answers it, and one landscape with every run's path."""
    specs, shared = to_specs(body, settings), shared_slice(body, settings)
    check_batch(specs, shared, settings)
    return await admission.run(
        request, lambda deadline: json_response(train_batch(specs, shared, deadline))
    )


@router.post(
    "/batch/stream",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": '`data:` events {"runs": [NetworkRunBlock or null, ...]}, then '
            '`event: done` {"runs": [NetworkRunDone, ...], "landscape": SharedLandscape}.',
        },
        **HEAVY_RESPONSES,
    },
)
async def stream_network_batch(
    body: NetworkBatchRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """The batch as Server-Sent Events: every run's block and live boundary, a few a second."""
    specs, shared = to_specs(body, settings), shared_slice(body, settings)
    check_batch(specs, shared, settings)
    return event_stream(
        request,
        admission,
        lambda deadline: stream_batch(specs, shared=shared, deadline=deadline),
    )


@router.post("/dataset", response_model=DatasetPoints, responses=VALIDATION)
def split_custom_points(body: CustomDatasetRequest, settings: SettingsDep):
    """Your own points, shuffled and split exactly as a network run with the same ``seed``
    (its data_seed) will see them. Nothing is stored."""
    try:
        kind, data = custom_dataset(
            body.x, body.y, body.task, body.seed, settings.max_network_samples, where="body"
        )
    except InvalidValueError as exc:
        loc = [int(p) if p.isdigit() else p for p in exc.field.split(".")]
        raise RequestValidationError(
            [{"loc": loc, "msg": exc.message, "type": "value_error"}]
        ) from None
    return points_response(kind, data)
