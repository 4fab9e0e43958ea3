"""POST /api/runs, /api/runs/stream and /api/runs/batch."""

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response

from gradscape.api import cost
from gradscape.api.admission import AdmissionDep
from gradscape.api.deps import SettingsDep
from gradscape.api.responses import HEAVY_RESPONSES, json_response
from gradscape.api.schemas import (
    BatchRequest,
    BatchResponse,
    RunBlock,
    RunDone,
    RunRequest,
    RunResponse,
)
from gradscape.api.sse import Event, event_stream, stream_responses
from gradscape.config import Settings
from gradscape.deadline import Deadline
from gradscape.engine import Rows, RunResult, RunSpec, build_spec, run_batch, stream_run
from gradscape.engine.thinning import thin
from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.surfaces import resolve_surface
from gradscape.surfaces.curvature import KIND_NOTES, point_kind

router = APIRouter(prefix="/runs", tags=["runs"])

REDUCE = "fewer steps or runs, or max_points to thin each trajectory"


def to_spec(body: RunRequest, settings: Settings, where: str = "") -> RunSpec:
    """Validate one run request against the registries and the server's caps."""
    if body.steps > settings.max_steps:
        raise InvalidValueError(f"{where}steps", f"must be <= {settings.max_steps}")
    surface = resolve_surface(body.surface, f"{where}surface")
    try:
        return build_spec(
            surface=surface,
            optimizer=body.optimizer,
            params=body.params,
            schedule=body.schedule,
            start=body.start,
            steps=body.steps,
            noise=body.noise,
            batch_size=body.batch_size,
            seed=body.seed,
            tol=body.tol,
            bound=body.bound,
        )
    except InvalidValueError as exc:
        raise InvalidValueError(f"{where}{exc.field}", exc.message) from None
    except UnknownIdError as exc:
        raise UnknownIdError(f"{where}{exc.field}", exc.value, exc.valid) from None


# Newton and L-BFGS step each run in Python (line searches differ per run): measured about
# 20 times the cost of a vectorised elementwise step, so their points weigh that much more.
LOOPED_POINT_COST = 20


def point_cost(spec: RunSpec) -> int:
    return 1 if spec.optimizer.elementwise else LOOPED_POINT_COST


def ending(spec: RunSpec, status: str, message: str, last: tuple[float, float] | None) -> dict:
    """Status fields of a finished run; a converged run also says which kind of point it
    reached (a zero gradient is a minimum, a maximum or a saddle)."""
    kind = point_kind(spec.surface, last) if status == "converged" and last is not None else None
    if kind is not None:
        message = f"{message}; it reached {KIND_NOTES[kind]}"
    return {"status": status, "message": message, "stationary_kind": kind}


def result_payload(r: RunResult, spec: RunSpec) -> dict:
    last = (float(r.points[-1, 0]), float(r.points[-1, 1])) if len(r.points) else None
    payload = {
        "points": r.points.tolist(),
        "loss": r.loss.tolist(),
        "grad_norm": r.grad_norm.tolist(),
        "lr": r.lr.tolist(),
        "steps_taken": r.steps_taken,
        **ending(spec, r.status, r.message, last),
    }
    if r.index is not None:
        payload["index"] = r.index.tolist()
    return payload


def block_payload(rows: Rows) -> dict:
    payload = {
        "start": rows.start,
        "points": rows.points.tolist(),
        "loss": rows.loss.tolist(),
        "grad_norm": rows.grad_norm.tolist(),
        "lr": rows.lr.tolist(),
    }
    if rows.index is not None:
        payload["index"] = rows.index.tolist()
    return payload


def batch_specs(body: BatchRequest, settings: Settings) -> list[RunSpec]:
    """Validate a batch against the registries, the caps and the cost budget."""
    if len(body.runs) > settings.max_batch_runs:
        raise InvalidValueError("runs", f"at most {settings.max_batch_runs} runs per batch")
    specs = [to_spec(r, settings, f"runs.{i}.") for i, r in enumerate(body.runs)]
    points = sum((s.steps + 1) * point_cost(s) for s in specs)
    if points > settings.max_total_points:
        raise InvalidValueError(
            "runs",
            f"too much work: {points} points in all (Newton and L-BFGS points count "
            f"{LOOPED_POINT_COST} each); the cap is {settings.max_total_points} "
            "(fewer runs or fewer steps)",
        )
    total = cost.Cost()
    for spec, r in zip(specs, body.runs, strict=True):
        total += cost.Cost(0, cost.run_cost([spec], r.max_points).answer_bytes)
    total += cost.Cost(cost.run_cost(specs).seconds, 0)
    cost.check(total, settings, "runs", REDUCE)
    return specs


def checked_spec(body: RunRequest, settings: Settings) -> RunSpec:
    spec = to_spec(body, settings)
    cost.check(cost.run_cost([spec], body.max_points), settings, "steps", REDUCE)
    return spec


# The work itself, run in a heavy-work process (api/workers.py) from the request's body.


def run_answer(body: RunRequest, settings: Settings, deadline: Deadline) -> Response:
    spec = to_spec(body, settings)
    (result,) = run_batch([spec], deadline=deadline, max_points=body.max_points)
    return json_response(result_payload(result, spec))


def run_events(body: RunRequest, settings: Settings, deadline: Deadline) -> Iterator[Event]:
    spec = to_spec(body, settings)
    last = None
    blocks = stream_run(spec, settings.stream_block_steps, deadline, body.max_points)
    for item in blocks:
        if isinstance(item, Rows):
            last = (float(item.points[-1, 0]), float(item.points[-1, 1]))
            yield None, block_payload(item)
        else:
            done = ending(spec, item.status, item.message, last)
            yield "done", {"steps_taken": item.steps_taken, **done}


def batch_answer(body: BatchRequest, settings: Settings, deadline: Deadline) -> Response:
    specs = [to_spec(r, settings, f"runs.{i}.") for i, r in enumerate(body.runs)]
    results = run_batch(specs, deadline=deadline)
    max_points = [r.max_points for r in body.runs]
    thinned = map(_thinned, results, specs, max_points)
    payloads = [result_payload(r, s) for r, s in zip(thinned, specs, strict=True)]
    return json_response({"runs": payloads})


@router.post("", response_model=RunResponse, responses=HEAVY_RESPONSES)
async def create_run(
    body: RunRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """Run one optimizer on one surface and return the whole trajectory."""
    checked_spec(body, settings)
    return await admission.run(request, run_answer, body, settings)


@router.post("/stream", responses=stream_responses("shaped like RunBlock", "shaped like RunDone"))
async def stream_run_events(
    body: RunRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """The same run as Server-Sent Events, block by block as it is computed."""
    checked_spec(body, settings)
    return event_stream(request, admission, run_events, body, settings)


@router.post("/batch", response_model=BatchResponse, responses=HEAVY_RESPONSES)
async def create_batch(
    body: BatchRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """Several runs computed together: runs that can share arrays advance as one."""
    batch_specs(body, settings)
    return await admission.run(request, batch_answer, body, settings)


def _thinned(result: RunResult, spec: RunSpec, max_points: int | None) -> RunResult:
    return result if max_points is None else thin(result, spec.steps, max_points)


__all__ = ["RunBlock", "RunDone", "router"]
