"""POST /api/sweeps and /api/sweeps/stream: one run request over a grid of settings."""

from collections.abc import Iterator

import numpy as np
from fastapi import APIRouter, Request, Response

from gradscape.api import cost
from gradscape.api.admission import AdmissionDep
from gradscape.api.deps import SettingsDep
from gradscape.api.responses import HEAVY_RESPONSES, json_response
from gradscape.api.runs import LOOPED_POINT_COST
from gradscape.api.sse import Event, event_stream, stream_responses
from gradscape.api.sweep_schemas import SweepDone, SweepRequest, SweepResponse, SweepRows
from gradscape.config import Settings
from gradscape.deadline import Deadline
from gradscape.engine.sweep import (
    Sweep,
    build_sweep,
    compilable,
    iter_sweep,
    run_sweep,
    start_curvature,
    stationary_points,
)
from gradscape.engine.sweep import SweepRows as Rows
from gradscape.errors import InvalidValueError
from gradscape.surfaces import DataSurface, resolve_surface

router = APIRouter(prefix="/sweeps", tags=["sweeps"])
ENGINE_HEADER = "X-Gradscape-Engine"  # which path computed a sweep: compiled or numpy
FAST = {0: False, 1: None, 2: True}  # Settings.sweep_compiled -> sweep_rows(fast=...)
RUN_FIELDS = ("optimizer", "params", "schedule", "start", "steps", "noise", "batch_size")
RUN_FIELDS += ("seed", "tol", "bound")
REDUCE = "fewer cells or fewer steps"
# Cost per point-step (seconds), measured on the project's machine, a little pessimistic.
COMPILED_POINT = 20e-9
NUMPY_POINT = 0.15e-6
CELL_BYTES = 100  # one cell of the answer as JSON


def weight(sweep: Sweep) -> int:
    """What one point-step costs, in elementwise point-steps (api/runs.py measured it)."""
    return 1 if sweep.base.optimizer.elementwise else LOOPED_POINT_COST


def to_sweep(body: SweepRequest, settings: Settings) -> Sweep:
    """Validate a sweep against the registries and the server's caps."""
    if body.run.steps > settings.max_steps:
        raise InvalidValueError("run.steps", f"must be <= {settings.max_steps}")
    run = {k: getattr(body.run, k) for k in RUN_FIELDS}
    run["surface"] = resolve_surface(body.run.surface, "run.surface")
    if run["start"] is not None:
        run["start"] = tuple(run["start"])
    sweep = build_sweep(run, [a.model_dump() for a in body.axes])
    work = sweep.point_steps * weight(sweep)
    if work > settings.max_sweep_point_steps:
        raise InvalidValueError(
            "axes",
            f"too much work: {sweep.cells} cells x {sweep.base.steps + 1} points = {work} "
            f"point-steps{' (Newton and L-BFGS count 20 each)' if weight(sweep) > 1 else ''}; "
            f"the cap is {settings.max_sweep_point_steps} ({REDUCE})",
        )
    return sweep


def sweep_cost(sweep: Sweep, settings: Settings, streamed: bool) -> cost.Cost:
    """CPU time (the numpy path's, unless only the compiled loop can serve), answer size and
    the longest uninterrupted piece of work (one block of rows)."""
    fast = compilable(sweep) and settings.sweep_compiled == 2
    point = COMPILED_POINT if fast else NUMPY_POINT * weight(sweep)
    if isinstance(sweep.base.surface, DataSurface):
        point += sweep.base.surface.n_samples * cost.EVAL_SAMPLE
    rows = max(1, settings.sweep_block_point_steps // (sweep.cols * (sweep.base.steps + 1)))
    block_cells = min(rows, sweep.rows) * sweep.cols
    per_step = cost.STEP_FIXED + cost.EVAL_FIXED
    seconds = sweep.point_steps * point + sweep.rows / rows * sweep.base.steps * per_step
    block = block_cells * sweep.base.steps * point if fast else per_step + block_cells * point
    answer = 0 if streamed else sweep.cells * CELL_BYTES
    return cost.Cost(seconds, answer, block)


def _shape(values: list, sweep: Sweep, rows: int) -> list:
    """Flat per-cell values as rows [i][j] for two axes, flat for one."""
    if len(sweep.axes) == 1:
        return values
    cols = sweep.cols
    return [values[i * cols : (i + 1) * cols] for i in range(rows)]


def _nulls(values: list, missing: np.ndarray) -> list:
    """``values`` with None at the flagged indices (few, usually)."""
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def rows_payload(sweep: Sweep, rows: Rows) -> dict:
    names = sweep.status_names()
    points = _nulls(rows.final_point.tolist(), ~np.isfinite(rows.final_point).all(axis=1))
    return {
        "final_loss": _shape(rows.final_loss.tolist(), sweep, rows.rows),
        "final_point": _shape(points, sweep, rows.rows),
        "status": _shape([names[c] for c in rows.status.tolist()], sweep, rows.rows),
        "steps_taken": _shape(rows.steps_taken.tolist(), sweep, rows.rows),
        "attractor": _shape(_nulls(rows.attractor.tolist(), rows.attractor < 0), sweep, rows.rows),
    }


def axes_payload(sweep: Sweep) -> list[dict]:
    return [{"name": a.name, "values": a.values.tolist()} for a in sweep.axes]


def attractors_payload(sweep: Sweep) -> list[dict]:
    return [
        {
            "point": list(s.point),
            "kind": s.kind,
            "loss": s.value,
            "label": s.label,
            "degenerate": s.degenerate,
            "members": [list(m) for m in s.members],
        }
        for s in stationary_points(sweep.base.surface)
    ]


def block_size(sweep: Sweep, settings: Settings) -> int:
    return max(1, settings.sweep_block_point_steps // weight(sweep))


def done_payload(sweep: Sweep) -> dict:
    return {
        "attractors": attractors_payload(sweep),
        "start_curvature": start_curvature(sweep),
        "axes": axes_payload(sweep),
    }


# The work itself, run in a heavy-work process (api/workers.py) from the request's body.


def sweep_answer(body: SweepRequest, settings: Settings, deadline: Deadline) -> Response:
    sweep = to_sweep(body, settings)
    rows = run_sweep(sweep, FAST[settings.sweep_compiled], block_size(sweep, settings), deadline)
    done = done_payload(sweep)
    response = json_response({"axes": done.pop("axes"), **rows_payload(sweep, rows), **done})
    response.headers[ENGINE_HEADER] = rows.engine
    return response


def sweep_events(body: SweepRequest, settings: Settings, deadline: Deadline) -> Iterator[Event]:
    sweep = to_sweep(body, settings)
    fast = FAST[settings.sweep_compiled]
    for rows in iter_sweep(sweep, block_size(sweep, settings), fast, deadline):
        yield None, {"row_start": rows.row_start, **rows_payload(sweep, rows)}
    yield "done", done_payload(sweep)


@router.post("", response_model=SweepResponse, responses=HEAVY_RESPONSES)
async def create_sweep(
    body: SweepRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """Every cell of the grid as a run; answers what each run ended with."""
    sweep = to_sweep(body, settings)
    cost.check(sweep_cost(sweep, settings, streamed=False), settings, "axes", REDUCE)
    return await admission.run(request, sweep_answer, body, settings)


@router.post(
    "/stream",
    responses=stream_responses(
        "shaped like SweepRows (whole rows, as they finish)", "shaped like SweepDone"
    ),
)
async def stream_sweep(
    body: SweepRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """The same sweep as Server-Sent Events, rows as they finish; stops if the client leaves."""
    sweep = to_sweep(body, settings)
    cost.check(sweep_cost(sweep, settings, streamed=True), settings, "axes", REDUCE)
    return event_stream(request, admission, sweep_events, body, settings)


__all__ = ["SweepDone", "SweepRows", "router"]
