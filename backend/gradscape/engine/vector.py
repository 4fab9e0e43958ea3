"""Runs that share surface, optimizer and hyperparameters, advanced together as arrays.

Parameters have shape (runs, 2). Learning rates may differ per run (a sweep); everything
else is shared, so an update rule may branch on a hyperparameter as torch does. A finished
run leaves the arrays, and its state rows with it.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from gradscape.engine.problem import SurfaceProblem
from gradscape.engine.randomness import Randomness
from gradscape.engine.records import (
    RUNNING,
    Block,
    Outcome,
    completed,
    converged,
    diverged,
    effective_tol,
    why_diverged,
)
from gradscape.engine.spec import RunSpec


def lr_tables(specs: Sequence[RunSpec]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each distinct schedule evaluated once, as long as its run: (tables, index per run)."""
    index: dict[tuple, int] = {}
    tables: list[np.ndarray] = []
    which = np.empty(len(specs), dtype=np.intp)
    for i, spec in enumerate(specs):
        u = index.get(spec.schedule_key)
        if u is None:
            u = index[spec.schedule_key] = len(tables)
            tables.append(np.asarray(spec.schedule(np.arange(spec.steps + 1)), dtype=float))
        which[i] = u
    return tables, which


def take_runs(state: Any, keep: np.ndarray) -> Any:
    """The state of the kept runs: arrays and lists lose the dropped rows."""
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(take_runs(v, keep) for v in state))
    if isinstance(state, np.ndarray) and state.ndim >= 1 and state.shape[0] == len(keep):
        return np.asfortranarray(state[keep]) if state.ndim == 2 else state[keep]
    if isinstance(state, list) and len(state) == len(keep):
        return [v for v, k in zip(state, keep, strict=True) if k]
    return state


def _positions(among: np.ndarray, active: np.ndarray) -> slice | np.ndarray:
    """Where the (sorted) active runs sit in ``among``, a sorted superset of them."""
    return slice(None) if len(active) == len(among) else np.searchsorted(among, active)


class VectorGroup:
    def __init__(self, specs: Sequence[RunSpec]) -> None:
        first = specs[0]
        self.specs = specs
        self.optimizer = first.optimizer
        self.hyper = first.hyper
        self.surface = first.surface
        self.problem = SurfaceProblem(first.surface)
        self.random = Randomness(specs)
        self.outcomes = [RUNNING] * len(specs)
        self.ended = np.zeros(len(specs), dtype=bool)
        self.max_steps = np.array([s.steps for s in specs])
        self.tables, self.table_of = lr_tables(specs)
        self.lr_shared = len(self.tables) == 1  # pass a float, not an array, to the rule
        self.tol = np.array([effective_tol(s.tol) for s in specs])
        self.bound = np.array([s.bound for s in specs])
        self._fast_thresholds(np.arange(len(specs)))
        # Column-major (runs, 2): each coordinate is one contiguous vector, so the surfaces'
        # x and y are contiguous, and elementwise rules keep that layout for what they return.
        self.params = np.asfortranarray([s.start for s in specs], dtype=float)
        self.state = self.optimizer.init(self.params, self.hyper)
        self.active = np.arange(len(specs))  # indices (into specs) of runs still going
        self.t = 0  # steps taken by the active runs
        with np.errstate(all="ignore"):
            self.loss, self.grad, self.gnorm = self.problem.value_grad(self.params)
        self.started = False

    @property
    def done(self) -> bool:
        return self.started and len(self.active) == 0

    def _start(self) -> np.ndarray:
        """Rows recorded at point 0 per run; ends the runs that are done before a step."""
        self.started = True
        finite = np.isfinite(self.loss) & np.isfinite(self.gnorm)
        at_rest = finite & (self.gnorm <= self.tol)
        no_steps = finite & (self.max_steps == 0)
        for i in np.flatnonzero(~finite | at_rest | no_steps):
            spec, loss, gnorm = self.specs[i], float(self.loss[i]), float(self.gnorm[i])
            self.ended[i] = True
            if not finite[i]:
                why = why_diverged(True, loss, spec.bound, self.surface, spec.start)
                self.outcomes[i] = diverged(0, 0, why)
            elif at_rest[i]:
                self.outcomes[i] = converged(0, gnorm, spec.tol)
            else:
                self.outcomes[i] = completed(0, loss)
        self._drop_finished()
        return finite.astype(int)

    def advance(self, n: int) -> Block:
        """Take up to n more steps; return the rows every run recorded."""
        total = len(self.specs)
        columns = self.active if self.started else np.arange(total)
        width = len(columns)
        # Time-major buffers over the runs still going: each step writes contiguous rows.
        points = np.empty((n + 1, 2, width))
        loss = np.empty((n + 1, width))
        gnorm = np.empty((n + 1, width))
        counts = np.full(total, 0)
        counts[columns] = -1  # rows per finished run; -1 while it goes on
        first, row = self.t + 1, 0
        if not self.started:
            first, row = 0, 1
            points[0], loss[0], gnorm[0] = self.params.T, self.loss, self.gnorm
            start_rows = self._start()
            counts[self.ended] = start_rows[self.ended]
        left = int(self.max_steps[self.active].max()) - self.t if len(self.active) else 0
        n_steps = min(n, left)
        self._columns, self._drawn = columns, self.active
        noise = self.random.noise(n_steps, self.active)
        batches = self.random.batches(n_steps, self.active)
        lrs = self._lr_slab(n_steps)
        with np.errstate(all="ignore"):
            for j in range(n_steps):
                if len(self.active) == 0:
                    break
                self._step(j, noise, batches, lrs, points[row], loss[row], gnorm[row], counts, row)
                row += 1
        counts[counts < 0] = row
        where = np.full(total, -1)
        where[columns] = np.arange(width)
        return Block(first, points, loss, gnorm, self.tables, self.table_of, counts.tolist(), where)

    def _lr_slab(self, n: int) -> float | np.ndarray:
        """Learning rates of the next n steps: one float, or (n, active runs, 1)."""
        if self.lr_shared:
            return float("nan")  # read from the one table step by step
        slab = np.full((n, len(self.active), 1), np.nan)
        which = self.table_of[self.active]
        for u in np.unique(which):
            seg = self.tables[u][self.t : self.t + n]
            slab[: len(seg), which == u, 0] = seg[:, None]
        return slab

    def _step(self, j, noise, batches, lrs, points, loss, gnorm, counts, row) -> None:
        """One step of every active run, written into this step's output rows."""
        active = self.active
        # Where the active runs sit among this block's columns and among its random draws.
        col = _positions(self._columns, active)
        drawn = _positions(self._drawn, active)
        k = self.t  # index of the point being left
        grad = self.grad
        if noise is not None:
            grad = grad + noise[drawn, j]
        if batches is not None:
            x, y = self.params[:, 0], self.params[:, 1]
            gx, gy = self.surface.batch_grad(x, y, batches[drawn, j])
            grad = np.stack([gx, gy], axis=-1)
        if self.lr_shared:
            lr = float(self.tables[0][k])
        else:
            lr = lrs[j, drawn]
        new_params, self.state = self.optimizer.update(
            self.params, grad, self.state, k + 1, lr, self.hyper, self.problem
        )
        new_loss, new_grad, new_gnorm = self.problem.value_grad(new_params)
        self.t = k + 1
        points[:, col] = new_params.T
        loss[col] = new_loss
        gnorm[col] = new_gnorm
        self.params, self.grad, self.loss, self.gnorm = new_params, new_grad, new_loss, new_gnorm
        halted = getattr(self.state, "halted", None)
        # Fast path: a few whole-array reductions show that no run ends at this step.
        if (
            halted is None
            and self.t < self.fast_steps
            and -self.fast_bound <= new_params.min()
            and new_params.max() <= self.fast_bound
            and math.isfinite(new_loss.sum() + new_gnorm.sum())
            and new_gnorm.min() > self.fast_tol
        ):
            return
        self._finish(new_params, new_loss, new_gnorm, halted, counts, row)

    def _finish(self, params, loss, gnorm, halted, counts, row) -> None:
        """Find the runs that end at this step, say why, and drop them."""
        active = self.active
        params_ok = np.abs(params).max(axis=1) <= self.bound[active]
        ok = params_ok & np.isfinite(loss) & np.isfinite(gnorm)
        if halted is not None:
            ok &= ~halted
        ends = ~ok | (gnorm <= self.tol[active]) | (self.t >= self.max_steps[active])
        ending = active[ends]
        counts[ending] = row + ok[ends]
        self.ended[ending] = True
        for local in np.flatnonzero(ends):
            i = active[local]
            if halted is not None and halted[local]:
                self.outcomes[i] = Outcome(
                    self.optimizer.halt_status,
                    self.t - 1,
                    f"stopped at step {self.t}: {self.optimizer.halt_reason}",
                )
            elif not ok[local]:
                why = why_diverged(
                    bool(params_ok[local]),
                    float(loss[local]),
                    float(self.bound[i]),
                    self.surface,
                    params[local],
                )
                self.outcomes[i] = diverged(self.t, self.t - 1, why)
            elif gnorm[local] <= self.tol[i]:
                self.outcomes[i] = converged(self.t, float(gnorm[local]), self.specs[i].tol)
            else:
                self.outcomes[i] = completed(self.t, float(loss[local]))
        self._drop_finished()

    def _fast_thresholds(self, active: np.ndarray) -> None:
        """Conservative thresholds for the fast path, from the runs still going."""
        if len(active):
            self.fast_bound = float(self.bound[active].min())
            self.fast_tol = float(self.tol[active].max())
            self.fast_steps = int(self.max_steps[active].min())

    def _drop_finished(self) -> None:
        keep = ~self.ended[self.active]
        if keep.all():
            return
        self.active = self.active[keep]
        self._fast_thresholds(self.active)
        self.params = np.asfortranarray(self.params[keep])
        self.grad = np.asfortranarray(self.grad[keep])
        self.loss = self.loss[keep]
        self.gnorm = self.gnorm[keep]
        self.state = take_runs(self.state, keep)
