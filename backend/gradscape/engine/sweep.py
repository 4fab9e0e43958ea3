"""Sweeps: one run request varied along one or two axes, every cell a run, all advanced at once.

A sweep is a batch the engine already knows how to advance, summarised. The cells of a sweep
share surface and optimizer and differ only in what the axes vary: the start point, a numeric
hyperparameter (a per-run array, shape (runs, 1), handed to the same update rule), the gradient
noise, or a numeric schedule option (one learning-rate table per distinct schedule). Only
what a sweep returns is kept per cell -- the final loss and point, the status and the steps
taken -- so memory grows with cells, not with cells x steps.

Cells are indexed as the grid endpoint indexes z: cell (i, j) is (axes[0].values[j],
axes[1].values[i]); a one-axis sweep is one row. Each cell equals the single run of the same
request (POST /api/runs) with that cell's values: same rule, same stopping tests, same noise
(every cell shares the request's seed).

Two paths advance the cells: numpy (any surface, any optimizer), and a compiled loop
(compiled.py: numba, SIMD across runs) for the elementwise optimizers on the analytic
polynomial surfaces once its kernel is compiled. Both are checked against each other and
against torch.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from gradscape.deadline import NO_DEADLINE, Deadline
from gradscape.engine import compiled
from gradscape.engine.problem import SurfaceProblem
from gradscape.engine.randomness import Randomness
from gradscape.engine.spec import RunSpec, build_spec
from gradscape.engine.vector import take_runs
from gradscape.errors import GradscapeError, InvalidValueError, UnknownIdError
from gradscape.schedules import SCHEDULES, make_schedule
from gradscape.surfaces import DataSurface, FormulaSurface, Surface
from gradscape.surfaces.stationary_finder import MAX_POINTS, find_stationary_points
from gradscape.surfaces.stationary_sets import LINK_FRACTION, StationarySet, group_stationary

MAX_AXIS_CELLS = 512
# A run "ended near" a stationary point when its final point lies within this fraction of the
# diagonal of the surface's domain from it (the nearest one, if several): 1% is 0.14 on
# Himmelblau's 10 x 10 square, far below the distance between any two of its stationary points.
ATTRACTOR_TOLERANCE = 0.01

# Status codes per cell; the optimizer's halt status (Newton: "singular") is code HALTED.
RUNNING, COMPLETED, CONVERGED, DIVERGED, HALTED = range(5)
STATUS_NAMES = ("running", "completed", "converged", "diverged")


@dataclass(frozen=True)
class Axis:
    name: str
    values: np.ndarray  # float64


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the base run, its request fields and one or two axes."""

    base: RunSpec
    run: Mapping[str, Any]  # build_spec's keyword arguments for the base run
    axes: tuple[Axis, ...]

    @property
    def rows(self) -> int:
        return len(self.axes[1].values) if len(self.axes) == 2 else 1

    @property
    def cols(self) -> int:
        return len(self.axes[0].values)

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def point_steps(self) -> int:
        return self.cells * (self.base.steps + 1)

    def status_names(self) -> tuple[str, ...]:
        return (*STATUS_NAMES, self.base.optimizer.halt_status)


@dataclass(frozen=True)
class SweepRows:
    """Results of rows row_start .. row_start + rows - 1, each array flat over (row, column)."""

    row_start: int
    rows: int
    final_loss: np.ndarray  # (m,), NaN where a run had no finite point
    final_point: np.ndarray  # (m, 2)
    status: np.ndarray  # (m,) codes
    steps_taken: np.ndarray  # (m,)
    attractor: np.ndarray  # (m,) index into attractors, -1 for none
    engine: str = "numpy"  # which path computed them: "compiled" or "numpy"


# ----------------------------------------------------------------------------- validation


def axis_values(lo: float, hi: float, n: int, log: bool) -> np.ndarray:
    if n == 1:
        return np.array([float(lo)])
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


def _numeric_names(params: Sequence[Any]) -> list[str]:
    return [p.name for p in params if p.type in ("float", "int")]


def _check_axis_name(name: str, base: RunSpec, schedule_name: str, where: str) -> Any:
    """The HyperParam an axis varies (None for start and noise); raise naming ``where``."""
    opt = base.optimizer
    numeric = _numeric_names(opt.params)
    options = _numeric_names(SCHEDULES[schedule_name].params)
    allowed = (
        f"start.x, start.y, noise, params.<{'|'.join(numeric)}> or schedule.<{'|'.join(options)}>"
    )
    if name in ("start.x", "start.y", "noise"):
        return None
    kind, _, key = name.partition(".")
    if kind == "params":
        known = {p.name: p for p in opt.params}
        if key not in known:
            raise InvalidValueError(where, f"{opt.id} has no hyperparameter {key!r}; {allowed}")
        if known[key].type not in ("float", "int"):
            raise InvalidValueError(where, f"params.{key} is not numeric ({known[key].type})")
        if not opt.elementwise and opt.id != "newton" and key != "lr":
            raise InvalidValueError(
                where, f"{opt.id} steps each run on its own; sweep params.lr, start or noise"
            )
        return known[key]
    if kind == "schedule":
        known = {p.name: p for p in SCHEDULES[schedule_name].params}
        if key not in known or known[key].type not in ("float", "int"):
            raise InvalidValueError(
                where, f"the {schedule_name} schedule has no numeric option {key!r}; {allowed}"
            )
        return known[key]
    raise InvalidValueError(where, f"unknown axis; must be {allowed}")


def _with_value(run: Mapping[str, Any], base: RunSpec, name: str, value: float) -> dict:
    """The run request with one axis set to ``value``."""
    out = dict(run)
    if name == "start.x":
        out["start"] = (value, base.start[1])
    elif name == "start.y":
        out["start"] = (base.start[0], value)
    elif name == "noise":
        out["noise"] = value
    elif name.startswith("params."):
        out["params"] = {**(run.get("params") or {}), name[7:]: value}
    else:
        out["schedule"] = {**(run.get("schedule") or {"name": "constant"}), name[9:]: value}
    return out


def build_sweep(run: Mapping[str, Any], axes: Sequence[Mapping[str, Any]]) -> Sweep:
    """Check a sweep against the registries; errors name the field (run.<x> or axes.<k>.<x>)."""
    try:
        base = build_spec(**run)
    except InvalidValueError as exc:
        raise InvalidValueError(f"run.{exc.field}", exc.message) from None
    except UnknownIdError as exc:
        raise UnknownIdError(f"run.{exc.field}", exc.value, exc.valid) from None
    run = {**run, "start": base.start}
    schedule_name = (run.get("schedule") or {}).get("name", "constant")
    if not 1 <= len(axes) <= 2:
        raise InvalidValueError("axes", "give one or two axes")
    if len(axes) == 2 and axes[0]["name"] == axes[1]["name"]:
        raise InvalidValueError("axes.1.name", "the two axes must vary different things")
    built = []
    for k, axis in enumerate(axes):
        name, lo, hi, n, log = axis["name"], axis["min"], axis["max"], axis["n"], axis["log"]
        param = _check_axis_name(name, base, schedule_name, f"axes.{k}.name")
        if not 1 <= n <= MAX_AXIS_CELLS:
            raise InvalidValueError(f"axes.{k}.n", f"must be between 1 and {MAX_AXIS_CELLS}")
        if hi < lo or (hi == lo and n > 1):
            raise InvalidValueError(f"axes.{k}.max", f"must be > min ({lo:g})")
        if log and lo <= 0:
            raise InvalidValueError(f"axes.{k}.min", "a log axis needs min > 0")
        for end, value in (("min", lo), ("max", hi)):
            try:  # ranges are intervals: if both ends are valid runs, every value between is
                build_spec(**_with_value(run, base, name, float(value)))
            except GradscapeError as exc:
                raise InvalidValueError(f"axes.{k}.{end}", str(exc)) from None
        values = axis_values(float(lo), float(hi), n, bool(log))
        if param is not None and param.type == "int":
            values = np.round(values)
        built.append(Axis(name, values))
    return Sweep(base, run, tuple(built))


# ----------------------------------------------------------------------------- cells


@dataclass
class Cells:
    """The per-run settings of some rows of a sweep, as arrays over the flattened cells."""

    starts: np.ndarray  # (m, 2)
    hyper: dict[str, Any]  # values that vary are (m, 1) arrays
    tables: np.ndarray  # (u, T) learning rates; T = 1 for a constant rate
    table_of: np.ndarray  # (m,)
    noise: np.ndarray  # (m,)


def cells_for(sweep: Sweep, row_start: int, rows: int) -> Cells:
    base, cols = sweep.base, sweep.cols
    m = rows * cols
    per_cell: dict[str, np.ndarray] = {}
    for k, axis in enumerate(sweep.axes):
        if k == 0:
            per_cell[axis.name] = np.tile(axis.values, rows)
        else:
            per_cell[axis.name] = np.repeat(axis.values[row_start : row_start + rows], cols)
    starts = np.empty((m, 2))
    starts[:, 0] = per_cell.get("start.x", base.start[0])
    starts[:, 1] = per_cell.get("start.y", base.start[1])
    noise = np.broadcast_to(per_cell.get("noise", base.noise), (m,)).astype(float)
    hyper = dict(base.hyper)
    for name, values in per_cell.items():
        if name.startswith("params.") and name != "params.lr":
            hyper[name[7:]] = values[:, None].copy()
    tables, table_of = _lr_tables(sweep, per_cell, m)
    return Cells(starts, hyper, tables, table_of, noise)


def _lr_tables(sweep: Sweep, per_cell: dict[str, np.ndarray], m: int):
    base, steps = sweep.base, sweep.base.steps
    schedule = dict(sweep.run.get("schedule") or {"name": "constant"})
    options = {n[9:]: v for n, v in per_cell.items() if n.startswith("schedule.")}
    flat = (
        schedule.get("name", "constant") == "constant"
        and not schedule.get("warmup_steps")
        and "warmup_steps" not in options
    )
    lrs = per_cell.get("params.lr", np.full(m, float(base.hyper["lr"])))
    keys = np.stack([lrs, *options.values()], axis=1) if options else lrs[:, None]
    unique, table_of = np.unique(keys, axis=0, return_inverse=True)
    if flat:
        return unique[:, :1].copy(), table_of.reshape(-1)
    horizon = np.arange(steps + 1)
    tables = np.empty((len(unique), steps + 1))
    for u, key in enumerate(unique):
        spec = {
            **schedule,
            **{name: _option(name, v) for name, v in zip(options, key[1:], strict=True)},
        }
        tables[u] = make_schedule(spec, float(key[0]), steps)(horizon)
    return tables, table_of.reshape(-1)


def _option(name: str, value: float) -> float | int:
    return int(value) if name in ("warmup_steps", "step_size") else float(value)


# ----------------------------------------------------------------------------- numpy path


def advance_numpy(
    base: RunSpec, cells: Cells, deadline: Deadline = NO_DEADLINE
) -> tuple[np.ndarray, ...]:
    """Every cell to its end with the optimizer's own update rule on (runs, 2) arrays."""
    m = len(cells.starts)
    problem = SurfaceProblem(base.surface)
    opt, steps, bound = base.optimizer, base.steps, base.bound
    tol = -1.0 if base.tol <= 0 else base.tol
    final_point = np.full((m, 2), np.nan)
    final_loss = np.full(m, np.nan)
    status = np.zeros(m, dtype=np.int8)
    taken = np.zeros(m, dtype=np.int64)
    noisy = bool(np.any(cells.noise))
    random = Randomness([replace(base, noise=1.0 if noisy else 0.0)])
    with np.errstate(all="ignore"):
        params = np.asfortranarray(cells.starts)
        loss, grad, gnorm = problem.value_grad(params)
        finite = np.isfinite(loss) & np.isfinite(gnorm)
        final_point[finite], final_loss[finite] = params[finite], loss[finite]
        status[~finite] = DIVERGED
        status[finite & (gnorm <= tol)] = CONVERGED
        if steps == 0:
            status[status == RUNNING] = COMPLETED
        keep = status == RUNNING
        active = np.flatnonzero(keep)
        hyper = _take_hyper(cells.hyper, keep)
        params, grad, loss, gnorm = params[keep], grad[keep], loss[keep], gnorm[keep]
        params, grad = np.asfortranarray(params), np.asfortranarray(grad)
        noise_scale = cells.noise[active][:, None]
        table_of = cells.table_of[active]
        state = opt.init(params, hyper)
        lr_shared = len(cells.tables) == 1
        width = cells.tables.shape[1]
        block = 256
        for k in range(steps):
            if len(active) == 0:
                break
            j = k % block
            if j == 0:
                deadline.check()
                draws = random.noise(min(block, steps - k))
                batches = random.batches(min(block, steps - k))
            g = grad
            if noisy:
                g = grad + draws[0, j] * noise_scale
            if batches is not None:
                bx, by = base.surface.batch_grad(
                    params[:, 0],
                    params[:, 1],
                    np.broadcast_to(batches[0, j], (len(params), batches.shape[2])),
                )
                g = np.stack([bx, by], axis=-1)
            col = min(k, width - 1)
            lr = float(cells.tables[0, col]) if lr_shared else cells.tables[table_of, col][:, None]
            new_params, state = opt.update(params, g, state, k + 1, lr, hyper, problem)
            new_loss, new_grad, new_gnorm = problem.value_grad(new_params)
            t = k + 1
            halted = getattr(state, "halted", None)
            ok = (
                (np.abs(new_params).max(axis=1) <= bound)
                & np.isfinite(new_loss)
                & np.isfinite(new_gnorm)
            )
            if halted is not None:
                ok &= ~halted
            ends = ~ok | (new_gnorm <= tol) | (t >= steps)
            if ends.any():
                good = ends & ok
                idx = active[good]
                final_point[idx], final_loss[idx] = new_params[good], new_loss[good]
                taken[idx] = t
                status[idx] = np.where(new_gnorm[good] <= tol, CONVERGED, COMPLETED)
                bad = ends & ~ok
                idx = active[bad]
                final_point[idx], final_loss[idx] = params[bad], loss[bad]
                taken[idx] = t - 1
                if halted is not None:
                    status[idx] = np.where(halted[bad], HALTED, DIVERGED)
                else:
                    status[idx] = DIVERGED
                keep = ~ends
                active, table_of = active[keep], table_of[keep]
                noise_scale = noise_scale[keep]
                hyper = _take_hyper(hyper, keep)
                state = take_runs(state, keep)
                new_params = np.asfortranarray(new_params[keep])
                new_grad = np.asfortranarray(new_grad[keep])
                new_loss, new_gnorm = new_loss[keep], new_gnorm[keep]
            params, grad, loss, gnorm = new_params, new_grad, new_loss, new_gnorm
    return final_loss, final_point, status, taken


def _take_hyper(hyper: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    return {k: take_runs(v, keep) for k, v in hyper.items()}


# ----------------------------------------------------------------------------- attractors


MAX_ATTRACTORS = 256  # attractors at most, unless the surface lists more points itself
FINDER_STARTS = 25  # per axis: the finder's grid of starts over the domain
MAX_FOUND = FINDER_STARTS * FINDER_STARTS  # one point per start at most


@lru_cache(maxsize=64)
def stationary_points(surface: Surface) -> tuple[StationarySet, ...]:
    """What runs on the surface can end at, in its domain: known points first.

    Known minima and saddles come from the surface's metadata; the stationary-point finder
    (Newton's method on the gradient from a grid of starts, classified by the Hessian's
    eigenvalues) adds the rest (maxima, say). Degenerate points found along a curve (a valley
    of minima) are grouped into one set (surfaces/stationary_sets.py).
    """
    (x0, x1), (y0, y1) = surface.info.domain
    diag = math.hypot(x1 - x0, y1 - y0)
    points = [(p, "minimum") for p in surface.info.minima]
    points += [(p, "saddle") for p in surface.info.saddles]
    listed = len(points)
    # A typed formula has already run the finder for its own metadata; unless a curve of
    # points filled its list, that is all there is to find.
    found = list(surface.stationary_points) if isinstance(surface, FormulaSurface) else []
    if len(found) in (0, MAX_POINTS):
        found += find_stationary_points(
            surface, surface.info.domain, starts_per_axis=FINDER_STARTS, max_points=MAX_FOUND
        )
    kept = np.full((listed + len(found), 2), np.inf)
    kept[:listed] = np.array([p for p, _ in points], dtype=float).reshape(-1, 2)
    for s in found:
        if np.hypot(kept[:, 0] - s.x, kept[:, 1] - s.y).min() > 1e-6 * diag:
            kept[len(points)] = s.x, s.y
            points.append(((s.x, s.y), s.kind))
    points = [((float(x), float(y)), kind) for (x, y), kind in points]
    sets = group_stationary(points, surface, surface.info.domain, surface.info.minimum_set)
    return tuple(sets[: max(listed, MAX_ATTRACTORS)])


def start_curvature(sweep: Sweep) -> list[float]:
    """Eigenvalues [lambda_min, lambda_max] of the Hessian at the base run's start point."""
    x, y = (np.array([v]) for v in sweep.base.start)
    hxx, hxy, hyy = (float(np.broadcast_to(h, (1,))[0]) for h in sweep.base.surface.hessian(x, y))
    return [float(v) for v in np.linalg.eigvalsh(np.array([[hxx, hxy], [hxy, hyy]]))]


def nearest_attractor(
    surface: Surface, final_point: np.ndarray, final_loss: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """Index of the attractor each run ended at, else -1: the nearest one within
    ATTRACTOR_TOLERANCE of the domain's diagonal (of any of its points, for a set). A run
    also ends on a set when its loss is the set's value and it lies within the set's linking
    distance of it (between two of the points found on it, say), and on the minimum set
    wherever its loss is the lowest value: every such point is a global minimum."""
    sets = stationary_points(surface)
    (x0, x1), (y0, y1) = surface.info.domain
    diag = math.hypot(x1 - x0, y1 - y0)
    reach, link = ATTRACTOR_TOLERANCE * diag, LINK_FRACTION * diag
    best = np.full(len(final_point), np.inf)
    out = np.full(len(final_point), -1, dtype=np.int64)
    x, y = final_point[:, 0], final_point[:, 1]
    with np.errstate(invalid="ignore"):
        for a, s in enumerate(sets):
            d = np.hypot(x - s.members[0][0], y - s.members[0][1])
            for mx, my in s.members[1:]:
                np.minimum(d, np.hypot(x - mx, y - my), out=d)
            near = d <= reach
            if s.is_curve:
                level = np.abs(final_loss - s.value) <= s.tol
                near |= level & ((d <= link) | s.lowest)
            closer = near & (d < best)
            best[closer], out[closer] = d[closer], a
    out[status == DIVERGED] = -1
    return out


# ----------------------------------------------------------------------------- running


def compilable(sweep: Sweep) -> bool:
    """Can the compiled loop serve this sweep (once its kernel is compiled)?"""
    base = sweep.base
    return (
        compiled.supports(base.surface.id, base.optimizer.id)
        and not isinstance(base.surface, DataSurface)
        and base.batch_size is None
    )


def sweep_rows(
    sweep: Sweep,
    row_start: int,
    rows: int,
    fast: bool | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> SweepRows:
    """Compute rows row_start .. row_start + rows - 1 of the sweep.

    ``fast``: None takes the compiled loop if its kernel is ready (else numpy, and the kernel
    is compiled in the background); True compiles it now if need be; False never uses it.
    """
    cells = cells_for(sweep, row_start, rows)
    result, engine = None, "numpy"
    if fast is not False and compilable(sweep):
        if fast:
            compiled.compile_now(compiled.key_for(sweep.base, cells))
        result, engine = compiled.advance(sweep.base, cells), "compiled"
    if result is None:
        result, engine = advance_numpy(sweep.base, cells, deadline), "numpy"
    final_loss, final_point, status, taken = result
    attractor = nearest_attractor(sweep.base.surface, final_point, final_loss, status)
    return SweepRows(row_start, rows, final_loss, final_point, status, taken, attractor, engine)


def rows_per_block(sweep: Sweep, point_steps: int) -> int:
    """How many rows make a block of about ``point_steps`` point-steps (at least one row)."""
    per_row = sweep.cols * (sweep.base.steps + 1)
    return max(1, min(sweep.rows, point_steps // max(per_row, 1)))


def iter_sweep(
    sweep: Sweep,
    block_point_steps: int,
    fast: bool | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> Iterator[SweepRows]:
    """The sweep block of rows by block of rows, each computed when asked for; the deadline
    is checked between blocks (and every 256 steps on the numpy path)."""
    rows = rows_per_block(sweep, block_point_steps)
    for start in range(0, sweep.rows, rows):
        deadline.check()
        yield sweep_rows(sweep, start, min(rows, sweep.rows - start), fast, deadline)


def run_sweep(
    sweep: Sweep,
    fast: bool | None = None,
    block_point_steps: int | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> SweepRows:
    """The whole sweep: in one block, or in blocks of rows joined (so the deadline is checked
    between them). ``fast``: as for sweep_rows."""
    if block_point_steps is None:
        return sweep_rows(sweep, 0, sweep.rows, fast, deadline)
    parts = list(iter_sweep(sweep, block_point_steps, fast, deadline))
    if len(parts) == 1:
        return parts[0]
    join = [np.concatenate([getattr(p, f) for p in parts]) for f in JOINED]
    engine = "compiled" if all(p.engine == "compiled" for p in parts) else "numpy"
    return SweepRows(0, sweep.rows, *join, engine)


JOINED = ("final_loss", "final_point", "status", "steps_taken", "attractor")
