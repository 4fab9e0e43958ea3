"""The run engine: steps optimizers on surfaces and records every point.

Runs that share a surface, an optimizer and its hyperparameters (all but the learning rate)
form a group and advance together as arrays of shape (runs, 2): a single run, a race of
optimizers, a grid of start points and a learning-rate sweep all take the same code path.
A group of one run of an elementwise optimizer is stepped on Python floats instead, with
the very same update rule: for two numbers, numpy's per-call overhead is most of the cost.

Recorded per point k (point 0 is the start): the point, the full-data loss and gradient
norm there, and the learning rate of the step that leaves it. A run stops as ``diverged``
when its loss, gradient or parameters stop being finite or leave the bound, as
``converged`` when the gradient norm falls to ``tol``, else it ``completed``.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradscape.errors import InvalidValueError
from gradscape.optimizers import Optimizer, get_optimizer
from gradscape.schedules import Schedule, make_schedule
from gradscape.surfaces import DataSurface, Surface, get_surface


@dataclass(frozen=True)
class RunSpec:
    """A validated run: everything the engine needs, nothing it must check again."""

    surface: Surface
    optimizer: Optimizer
    hyper: Mapping[str, Any]
    schedule: Schedule
    start: tuple[float, float]
    steps: int
    noise: float = 0.0
    batch_size: int | None = None
    seed: int = 0
    tol: float = 1e-6
    bound: float = 1e6

    def group_key(self) -> tuple:
        static = tuple(sorted((k, v) for k, v in self.hyper.items() if k != "lr"))
        return (self.surface.id, self.optimizer.id, static, self.batch_size)


def build_spec(
    surface: str,
    optimizer: str,
    params: Mapping[str, Any] | None = None,
    schedule: Mapping[str, Any] | None = None,
    start: Sequence[float] | None = None,
    steps: int = 200,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 1e-6,
    bound: float = 1e6,
) -> RunSpec:
    """Check a run request against the registries; errors name the offending field."""
    surf = get_surface(surface)
    opt = get_optimizer(optimizer)
    hyper = opt.resolve(params or {})
    if start is None:
        start = surf.info.default_start
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        raise InvalidValueError("start", "must be two finite numbers [x, y]")
    if max(abs(start[0]), abs(start[1])) > bound:
        raise InvalidValueError("start", f"must lie within the bound |x|, |y| <= {bound:g}")
    if batch_size is not None:
        if not isinstance(surf, DataSurface):
            raise InvalidValueError(
                "batch_size", f"only data surfaces have mini-batches; {surface} has no data"
            )
        if not 1 <= batch_size <= surf.n_samples:
            raise InvalidValueError(
                "batch_size", f"must be between 1 and {surf.n_samples} (the data set size)"
            )
    if noise and isinstance(surf, DataSurface):
        raise InvalidValueError(
            "noise", "data surfaces get their gradient noise from batch_size, not noise"
        )
    sched = make_schedule(schedule, float(hyper["lr"]), steps)
    return RunSpec(
        surf, opt, hyper, sched, (float(start[0]), float(start[1])), steps,
        float(noise), batch_size, seed, float(tol), float(bound),
    )


@dataclass
class Rows:
    """A block of one run's trajectory: points start .. start + len(loss) - 1."""

    start: int
    points: np.ndarray  # (m, 2)
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray


@dataclass
class RunResult:
    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    status: str
    steps_taken: int
    message: str


@dataclass
class _Outcome:
    status: str = "running"
    steps_taken: int = 0
    message: str = ""

    @property
    def done(self) -> bool:
        return self.status != "running"


def _diverged(step: int, why: str) -> _Outcome:
    return _Outcome("diverged", step, f"diverged at step {step}: {why}")


def _converged(step: int, gnorm: float, tol: float) -> _Outcome:
    return _Outcome(
        "converged", step,
        f"converged in {step} steps: gradient norm {gnorm:.3g} <= tol {tol:g}",
    )


def _completed(step: int, loss: float) -> _Outcome:
    return _Outcome("completed", step, f"completed {step} steps; final loss {loss:.6g}")


def _effective_tol(tol: float) -> float:
    """tol = 0 disables early stopping, even at a point where the gradient is exactly 0."""
    return tol if tol > 0 else -1.0


def _why_diverged(params_ok: bool, loss: float, gnorm: float, bound: float) -> str:
    if not params_ok:
        return f"the parameters left the bound |θ| <= {bound:g} (or stopped being finite)"
    if not math.isfinite(loss):
        return "the loss stopped being finite"
    return "the gradient stopped being finite"


class _SurfaceProblem:
    """A surface seen through (runs, 2) arrays, for Newton and line searches."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface

    def value(self, params: np.ndarray) -> np.ndarray:
        return np.asarray(self.surface.value(params[:, 0], params[:, 1]), dtype=float)

    def grad(self, params: np.ndarray) -> np.ndarray:
        gx, gy = self.surface.grad(params[:, 0], params[:, 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(float)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        hxx, hxy, hyy = np.broadcast_arrays(*self.surface.hessian(params[:, 0], params[:, 1]))
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


class _Randomness:
    """Per-run gradient noise and mini-batch indices, drawn from each run's seed.

    Streams are drawn in blocks but never depend on the block size, so a streamed run
    equals the same run computed at once, and a run in a batch equals the run alone.
    """

    def __init__(self, specs: Sequence[RunSpec]) -> None:
        seeds = np.array([s.seed for s in specs])
        self.unique, self.inverse = np.unique(seeds, return_inverse=True)
        self.noise_scale = np.array([s.noise for s in specs])[:, None, None]
        self.has_noise = bool(np.any(self.noise_scale))
        self.batch_size = specs[0].batch_size
        surface = specs[0].surface
        self.n_samples = surface.n_samples if isinstance(surface, DataSurface) else 0
        self._noise_rngs = [np.random.default_rng([int(s), 0]) for s in self.unique]
        self._batch_rngs = [np.random.default_rng([int(s), 1]) for s in self.unique]
        self._perm_left = [np.empty(0, dtype=np.intp) for _ in self.unique]

    def noise(self, n: int) -> np.ndarray | None:
        """(runs, n, 2) scaled Gaussian noise for the next n steps, or None."""
        if not self.has_noise:
            return None
        draws = np.stack([rng.standard_normal((n, 2)) for rng in self._noise_rngs])
        return draws[self.inverse] * self.noise_scale

    def batches(self, n: int) -> np.ndarray | None:
        """(runs, n, batch) sample indices for the next n steps: shuffled epochs."""
        if self.batch_size is None:
            return None
        need = n * self.batch_size
        out = []
        for u, rng in enumerate(self._batch_rngs):
            left = self._perm_left[u]
            parts = [left]
            have = len(left)
            while have < need:
                perm = rng.permutation(self.n_samples)
                parts.append(perm)
                have += len(perm)
            flat = np.concatenate(parts)
            self._perm_left[u] = flat[need:]
            out.append(flat[:need].reshape(n, self.batch_size))
        return np.stack(out)[self.inverse]


class _VectorGroup:
    """Runs that share surface, optimizer and hyperparameters, advanced as (runs, 2) arrays."""

    def __init__(self, specs: Sequence[RunSpec]) -> None:
        first = specs[0]
        self.specs = specs
        self.surface = first.surface
        self.optimizer = first.optimizer
        self.hyper = first.hyper
        self.problem = _SurfaceProblem(self.surface)
        self.random = _Randomness(specs)
        n = len(specs)
        self.outcomes = [_Outcome() for _ in specs]
        self.max_steps = np.array([s.steps for s in specs])
        horizon = np.arange(int(self.max_steps.max()) + 1)
        self.lr_table = np.stack([s.schedule(horizon) for s in specs]).astype(float)
        self.tol = np.array([_effective_tol(s.tol) for s in specs])
        self.bound = np.array([s.bound for s in specs])
        self.params = np.array([s.start for s in specs], dtype=float)
        self.state = self.optimizer.init(self.params, self.hyper)
        self.active = np.arange(n)  # indices (into specs) of the runs still going
        self.t = 0  # steps taken by the active runs
        with np.errstate(all="ignore"):
            self.loss = self.problem.value(self.params)
            self.grad = self.problem.grad(self.params)
        self.gnorm = np.sqrt(np.einsum("ij,ij->i", self.grad, self.grad))
        self._pending_start = True

    @property
    def done(self) -> bool:
        return len(self.active) == 0

    def _start_counts(self) -> list[int]:
        """Record point 0 of every run (0 rows if it is not finite); end runs done already."""
        counts = []
        for i, spec in enumerate(self.specs):
            loss, gnorm = float(self.loss[i]), float(self.gnorm[i])
            if not (math.isfinite(loss) and math.isfinite(gnorm)):
                self.outcomes[i] = _diverged(0, _why_diverged(True, loss, gnorm, spec.bound))
                counts.append(0)
                continue
            if gnorm <= self.tol[i]:
                self.outcomes[i] = _converged(0, gnorm, spec.tol)
            elif spec.steps == 0:
                self.outcomes[i] = _completed(0, loss)
            counts.append(1)
        return counts

    def advance(self, n: int) -> list[Rows]:
        """Take up to n more steps; return each run's new rows."""
        total = len(self.specs)
        points = np.empty((total, n + 1, 2))
        loss = np.empty((total, n + 1))
        gnorm = np.empty((total, n + 1))
        counts = np.zeros(total, dtype=int)
        offset = 0
        start = self.t + 1
        if self._pending_start:
            self._pending_start = False
            start = 0
            points[:, 0] = self.params
            loss[:, 0] = self.loss
            gnorm[:, 0] = self.gnorm
            counts[:] = self._start_counts()
            offset = 1
            self._drop_finished()
        steps_left = int(self.max_steps[self.active].max()) - self.t if len(self.active) else 0
        n_steps = min(n, steps_left)
        noise = self.random.noise(n_steps) if n_steps > 0 else None
        batches = self.random.batches(n_steps) if n_steps > 0 else None
        with np.errstate(all="ignore"):
            for j in range(n_steps):
                if len(self.active) == 0:
                    break
                self._step(j, noise, batches, points, loss, gnorm, counts, offset)
        rows = []
        for i in range(total):
            c = counts[i]
            lr = self.lr_table[i, start : start + c]
            rows.append(Rows(start, points[i, :c].copy(), loss[i, :c].copy(),
                             gnorm[i, :c].copy(), lr.copy()))
        return rows

    def _step(self, j, noise, batches, points, loss, gnorm, counts, offset) -> None:
        active = self.active
        k = self.t  # index of the point being left
        grad = self.grad
        if noise is not None:
            grad = grad + noise[active, j]
        if batches is not None:
            gx, gy = self.surface.batch_grad(self.params[:, 0], self.params[:, 1],
                                             batches[active, j])
            grad = np.stack([gx, gy], axis=-1)
        lr = self.lr_table[active, k][:, None]
        new_params, self.state = self.optimizer.update(
            self.params, grad, self.state, k + 1, lr, self.hyper, self.problem
        )
        new_loss = self.problem.value(new_params)
        new_grad = self.problem.grad(new_params)
        new_gnorm = np.sqrt(np.einsum("ij,ij->i", new_grad, new_grad))
        self.t = k + 1
        params_ok = np.abs(new_params).max(axis=1) <= self.bound[active]
        ok = params_ok & np.isfinite(new_loss) & np.isfinite(new_gnorm)
        halted = getattr(self.state, "halted", None)
        if halted is not None:
            ok &= ~halted
        row = j + offset
        points[active, row] = new_params
        loss[active, row] = new_loss
        gnorm[active, row] = new_gnorm
        counts[active] += ok
        self.params, self.grad, self.loss, self.gnorm = new_params, new_grad, new_loss, new_gnorm
        finished = ~ok | (new_gnorm <= self.tol[active]) | (self.t >= self.max_steps[active])
        if not finished.any():
            return
        for local in np.flatnonzero(finished):
            i = active[local]
            if halted is not None and halted[local]:
                self.outcomes[i] = _Outcome(
                    self.optimizer.halt_status, k,
                    f"stopped at step {self.t}: {self.optimizer.halt_reason}",
                )
            elif not ok[local]:
                self.outcomes[i] = _diverged(self.t, _why_diverged(
                    bool(params_ok[local]), float(new_loss[local]), float(new_gnorm[local]),
                    float(self.bound[i]),
                ))
                self.outcomes[i].steps_taken = k
            elif new_gnorm[local] <= self.tol[i]:
                self.outcomes[i] = _converged(self.t, float(new_gnorm[local]), self.specs[i].tol)
            else:
                self.outcomes[i] = _completed(self.t, float(new_loss[local]))
        self._drop_finished()

    def _drop_finished(self) -> None:
        keep = np.array([not self.outcomes[i].done for i in self.active], dtype=bool)
        if keep.all():
            return
        self.active = self.active[keep]
        self.params = self.params[keep]
        self.grad = self.grad[keep]
        self.loss = self.loss[keep]
        self.gnorm = self.gnorm[keep]
        self.state = _take(self.state, keep)


def _take(state: Any, keep: np.ndarray) -> Any:
    """The state of the kept runs: arrays and lists lose the dropped rows."""
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(_take(v, keep) for v in state))
    if isinstance(state, np.ndarray) and state.ndim >= 1 and state.shape[0] == len(keep):
        return state[keep]
    if isinstance(state, list) and len(state) == len(keep):
        return [v for v, k in zip(state, keep, strict=True) if k]
    return state


class _ScalarRun:
    """One run of an elementwise optimizer, stepped on Python floats, one coordinate each."""

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.specs = [spec]
        self.random = _Randomness([spec])
        self.lr = spec.schedule(np.arange(spec.steps + 1)).astype(float).tolist()
        x, y = spec.start
        self.x, self.y = x, y
        hyper = spec.hyper
        init = spec.optimizer.init
        self.sx, self.sy = init(x, hyper), init(y, hyper)
        self.outcomes = [_Outcome()]
        self.t = 0
        self._pending_start = True

    @property
    def done(self) -> bool:
        return self.outcomes[0].done

    def _evaluate(self, x: float, y: float) -> tuple[float, float, float, float]:
        surface = self.spec.surface
        try:
            loss = float(surface.value(x, y))
            gx, gy = surface.grad(x, y)
            gx, gy = float(gx), float(gy)
            gnorm = math.sqrt(gx * gx + gy * gy)
        except (OverflowError, ValueError, ZeroDivisionError):
            return math.nan, math.nan, math.nan, math.nan
        return loss, gx, gy, gnorm

    def advance(self, n: int) -> list[Rows]:
        spec = self.spec
        xs: list[float] = []
        ys: list[float] = []
        losses: list[float] = []
        gnorms: list[float] = []
        start = self.t + 1
        if self._pending_start:
            self._pending_start = False
            start = 0
            self.loss, self.gx, self.gy, self.gnorm = self._evaluate(self.x, self.y)
            if math.isfinite(self.loss) and math.isfinite(self.gnorm):
                xs.append(self.x)
                ys.append(self.y)
                losses.append(self.loss)
                gnorms.append(self.gnorm)
                if self.gnorm <= _effective_tol(spec.tol):
                    self.outcomes[0] = _converged(0, self.gnorm, spec.tol)
                elif spec.steps == 0:
                    self.outcomes[0] = _completed(0, self.loss)
            else:
                self.outcomes[0] = _diverged(
                    0, _why_diverged(True, self.loss, self.gnorm, spec.bound)
                )
        n_steps = min(n, spec.steps - self.t) if not self.done else 0
        if n_steps > 0:
            self._steps(n_steps, xs, ys, losses, gnorms)
        m = len(losses)
        return [Rows(start, np.column_stack([xs, ys]).reshape(m, 2), np.array(losses),
                     np.array(gnorms), np.array(self.lr[start : start + m]))]

    def _steps(self, n: int, xs, ys, losses, gnorms) -> None:
        spec = self.spec
        update, hyper, lrs = spec.optimizer.update, spec.hyper, self.lr
        tol, bound, steps = _effective_tol(spec.tol), spec.bound, spec.steps
        noise = self.random.noise(n)
        batches = self.random.batches(n)
        x, y, sx, sy = self.x, self.y, self.sx, self.sy
        loss, gx, gy, gnorm = self.loss, self.gx, self.gy, self.gnorm
        t = self.t
        evaluate = self._evaluate
        try:
            for j in range(n):
                lr = lrs[t]
                t += 1
                if noise is not None:
                    gx, gy = gx + float(noise[0, j, 0]), gy + float(noise[0, j, 1])
                if batches is not None:
                    bx, by = spec.surface.batch_grad(
                        np.array([x]), np.array([y]), batches[0, j][None]
                    )
                    gx, gy = float(bx[0]), float(by[0])
                try:
                    nx, sx = update(x, gx, sx, t, lr, hyper, None)
                    ny, sy = update(y, gy, sy, t, lr, hyper, None)
                except (OverflowError, ValueError, ZeroDivisionError):
                    nx = ny = math.nan
                params_ok = abs(nx) <= bound and abs(ny) <= bound
                loss, gx, gy, gnorm = evaluate(nx, ny) if params_ok else (math.nan,) * 4
                if not (params_ok and math.isfinite(loss) and math.isfinite(gnorm)):
                    self.outcomes[0] = _diverged(t, _why_diverged(params_ok, loss, gnorm, bound))
                    self.outcomes[0].steps_taken = t - 1
                    return
                x, y = nx, ny
                xs.append(x)
                ys.append(y)
                losses.append(loss)
                gnorms.append(gnorm)
                if gnorm <= tol:
                    self.outcomes[0] = _converged(t, gnorm, tol)
                    return
                if t >= steps:
                    self.outcomes[0] = _completed(t, loss)
                    return
        finally:
            self.x, self.y, self.sx, self.sy = x, y, sx, sy
            self.loss, self.gx, self.gy, self.gnorm = loss, gx, gy, gnorm
            self.t = t


def _groups(specs: Sequence[RunSpec], scalar: bool) -> list[tuple[list[int], Any]]:
    by_key: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        by_key.setdefault(spec.group_key(), []).append(i)
    groups = []
    for indices in by_key.values():
        members = [specs[i] for i in indices]
        if scalar and len(members) == 1 and members[0].optimizer.elementwise:
            groups.append((indices, _ScalarRun(members[0])))
        else:
            groups.append((indices, _VectorGroup(members)))
    return groups


@dataclass
class Simulation:
    """Advances a batch of runs block by block; ``outcomes`` says how each one ended."""

    specs: Sequence[RunSpec]
    scalar: bool = True
    groups: list = field(init=False)

    def __post_init__(self) -> None:
        self.groups = _groups(self.specs, self.scalar)

    @property
    def done(self) -> bool:
        return all(g.done and not g._pending_start for _, g in self.groups)

    def advance(self, n: int) -> list[Rows | None]:
        rows: list[Rows | None] = [None] * len(self.specs)
        for indices, group in self.groups:
            if group.done and not group._pending_start:
                continue
            for i, r in zip(indices, group.advance(n), strict=True):
                rows[i] = r
        return rows

    def outcomes(self) -> list[_Outcome]:
        out: list[_Outcome] = [_Outcome()] * len(self.specs)
        for indices, group in self.groups:
            for i, o in zip(indices, group.outcomes, strict=True):
                out[i] = o
        return out


def _concat(blocks: list[Rows]) -> tuple[np.ndarray, ...]:
    return (
        np.concatenate([b.points for b in blocks]).reshape(-1, 2),
        np.concatenate([b.loss for b in blocks]),
        np.concatenate([b.grad_norm for b in blocks]),
        np.concatenate([b.lr for b in blocks]),
    )


def run_batch(specs: Sequence[RunSpec], scalar: bool = True) -> list[RunResult]:
    """Run every spec to its end; runs that can share arrays advance together."""
    sim = Simulation(specs, scalar)
    blocks: list[list[Rows]] = [[] for _ in specs]
    longest = max((s.steps for s in specs), default=0)
    while not sim.done:
        for i, r in enumerate(sim.advance(max(longest, 1))):
            if r is not None:
                blocks[i].append(r)
    results = []
    for b, o in zip(blocks, sim.outcomes(), strict=True):
        points, loss, gnorm, lr = _concat(b)
        results.append(RunResult(points, loss, gnorm, lr, o.status, o.steps_taken, o.message))
    return results


def run_one(spec: RunSpec) -> RunResult:
    return run_batch([spec])[0]


def stream_run(spec: RunSpec, block_steps: int = 250) -> Iterator[Rows | _Outcome]:
    """Yield the run block by block as it is computed, then its outcome."""
    sim = Simulation([spec])
    while not sim.done:
        rows = sim.advance(block_steps)[0]
        if rows is not None and len(rows.loss):
            yield rows
    yield sim.outcomes()[0]
