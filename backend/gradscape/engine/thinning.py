"""Thinning long trajectories to at most ``max_points`` points for the answer.

Kept: the first point, every ``stride``-th point, and the last point, where the run's status
was decided (the point it converged at, the last good point before it diverged, or the
final step). The same rule thins a whole result and a stream block by block, so both keep
the same points; ``index`` says which step each kept point is.
"""

import math

import numpy as np

from gradscape.engine.records import Rows, RunResult


def stride_for(steps: int, max_points: int) -> int:
    """Keeping every stride-th of points 0..steps, plus the last, fits in max_points."""
    if steps + 1 <= max_points:
        return 1
    return max(1, math.ceil(steps / max(max_points - 2, 1)))


def _kept(first: int, n: int, stride: int, last: bool) -> np.ndarray:
    """Local positions of the rows first .. first + n - 1 that are kept."""
    index = first + np.arange(n)
    keep = index % stride == 0
    if last and n:
        keep[-1] = True
    return np.flatnonzero(keep)


def thin(result: RunResult, steps: int, max_points: int) -> RunResult:
    """The result of a run of ``steps`` steps with at most max_points points.

    The stride comes from the steps asked for, not taken, as a stream must choose it before
    the run ends; a run whose steps all fit is returned unchanged, without an index.
    """
    stride = stride_for(steps, max_points)
    if stride == 1:
        return result
    keep = _kept(0, len(result.loss), stride, last=True)
    return RunResult(
        result.points[keep],
        result.loss[keep],
        result.grad_norm[keep],
        result.lr[keep],
        result.outcome,
        keep,
    )


class Thinning:
    """Thins a run's stream block by block; ``Rows.start`` counts kept points."""

    def __init__(self, steps: int, max_points: int) -> None:
        self.stride = stride_for(steps, max_points)
        self.kept = 0

    def take(self, rows: Rows, last: bool) -> Rows:
        if self.stride == 1:
            return rows
        keep = _kept(rows.start, len(rows.loss), self.stride, last)
        out = Rows(
            self.kept,
            rows.points[keep],
            rows.loss[keep],
            rows.grad_norm[keep],
            rows.lr[keep],
            rows.start + keep,
        )
        self.kept += len(keep)
        return out
