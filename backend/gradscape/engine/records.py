"""What the engine records: blocks of trajectory rows, finished runs and how they ended."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(slots=True)
class Rows:
    """A block of one run's trajectory: points start .. start + len(loss) - 1."""

    start: int
    points: np.ndarray  # (m, 2)
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray  # learning rate of the step that leaves each point
    index: np.ndarray | None = None  # thinned: the step number of each kept point


@dataclass(slots=True)
class Block:
    """The rows a group of runs recorded in one advance, time-major: row r, column c.

    Only the runs still going when the advance began have a column (``columns[i]``, -1 for
    the others), so a finished run costs no memory. points[r, :, c] is that run's point at
    row r (coordinates before runs: contiguous writes).

    Run i owns rows 0 .. counts[i] - 1, which are its points first .. first + counts[i] - 1;
    its learning rates are lr_tables[lr_row[i]][first : first + counts[i]].
    """

    first: int
    points: np.ndarray  # (rows, 2, columns)
    loss: np.ndarray  # (rows, columns)
    grad_norm: np.ndarray  # (rows, columns)
    lr_tables: Sequence[np.ndarray]  # per schedule: (its run's steps + 1,)
    lr_row: np.ndarray  # (runs,) which schedule each run follows
    counts: list[int]
    columns: np.ndarray | None = None  # (runs,) column of each run; None: column i is run i

    def rows(self, i: int) -> Rows:
        c, first = self.counts[i], self.first
        col = i if self.columns is None else int(self.columns[i])
        if c <= 0 or col < 0:
            empty = np.empty(0)
            return Rows(first, np.empty((0, 2)), empty, empty, empty)
        return Rows(
            first,
            self.points[:c, :, col],
            self.loss[:c, col],
            self.grad_norm[:c, col],
            self.lr_tables[self.lr_row[i]][first : first + c],
        )


class Outcome:
    """How a run ended ("running" while it goes on); the message is written when asked for."""

    __slots__ = ("_detail", "status", "steps_taken")

    def __init__(self, status: str = "running", steps_taken: int = 0, detail: Any = "") -> None:
        self.status = status
        self.steps_taken = steps_taken
        self._detail = detail

    @property
    def done(self) -> bool:
        return self.status != "running"

    @property
    def message(self) -> str:
        return self._detail() if callable(self._detail) else self._detail

    def __repr__(self) -> str:
        return f"Outcome({self.status!r}, {self.steps_taken}, {self.message!r})"


RUNNING = Outcome()


@dataclass(slots=True)
class RunResult:
    """A finished run: its whole trajectory and how it ended."""

    points: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    outcome: Outcome
    index: np.ndarray | None = None  # thinned: the step number of each kept point

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def steps_taken(self) -> int:
        return self.outcome.steps_taken

    @property
    def message(self) -> str:
        return self.outcome.message


def diverged(step: int, steps_taken: int, why: str) -> Outcome:
    return Outcome("diverged", steps_taken, f"diverged at step {step}: {why}")


def steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def converged(step: int, gnorm: float, tol: float) -> Outcome:
    return Outcome(
        "converged",
        step,
        lambda: f"converged in {steps(step)}: gradient norm {gnorm:.3g} <= tol {tol:g}",
    )


def completed(step: int, loss: float) -> Outcome:
    return Outcome("completed", step, lambda: f"completed {steps(step)}; final loss {loss:.6g}")


def why_diverged(
    params_ok: bool, loss: float, bound: float, surface: Any = None, point: Any = None
) -> str:
    """Why a run stopped being finite; a surface that knows (a formula) names the cause."""
    if params_ok and surface is not None and point is not None:
        known = surface.undefined_at(float(point[0]), float(point[1]))
        if known:
            return known
    if not params_ok:
        return f"the parameters left the bound |θ| <= {bound:g} or stopped being finite"
    if not math.isfinite(loss):
        return "the loss stopped being finite"
    return "the gradient stopped being finite"


def effective_tol(tol: float) -> float:
    """tol = 0 disables early stopping, even where the gradient is exactly 0."""
    return tol if tol > 0 else -1.0
