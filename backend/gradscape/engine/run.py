"""The run engine's entry points: a batch of runs at once, or one run streamed in blocks.

Runs that share a surface, an optimizer and its hyperparameters (all but the learning rate)
form a group and advance together as arrays of shape (runs, 2): a single run, a race of
optimizers, a grid of start points and a learning-rate sweep take the same code path
(vector.py). A group of one run of an elementwise optimizer is stepped on Python floats
instead, with the very same update rule (scalar.py).

Recorded per point k (point 0 is the start): the point, the full-data loss and gradient
norm there, and the learning rate of the step that leaves it. A run stops as ``diverged``
when its loss, gradient or parameters stop being finite or leave the bound, as
``converged`` when the gradient norm falls to ``tol``, else it ``completed``.
"""

from collections.abc import Iterator, Sequence

import numpy as np

from gradscape.engine.records import Outcome, Rows, RunResult
from gradscape.engine.scalar import ScalarRun
from gradscape.engine.spec import RunSpec
from gradscape.engine.vector import VectorGroup


class Simulation:
    """Advances a batch of runs block by block; ``outcomes()`` says how each one ended."""

    def __init__(self, specs: Sequence[RunSpec], scalar: bool = True) -> None:
        self.specs = specs
        by_key: dict[tuple, list[int]] = {}
        for i, spec in enumerate(specs):
            by_key.setdefault(spec.group, []).append(i)
        self.groups: list[tuple[list[int], ScalarRun | VectorGroup]] = []
        for indices in by_key.values():
            members = [specs[i] for i in indices]
            if scalar and len(members) == 1 and members[0].optimizer.elementwise:
                self.groups.append((indices, ScalarRun(members[0])))
            else:
                self.groups.append((indices, VectorGroup(members)))

    @property
    def done(self) -> bool:
        return all(group.done for _, group in self.groups)

    def advance(self, n: int) -> list[Rows | None]:
        """Up to n more steps of every run: its new rows, or None when it had ended."""
        rows: list[Rows | None] = [None] * len(self.specs)
        for indices, group in self.groups:
            if group.done:
                continue
            for i, r in zip(indices, group.advance(n), strict=True):
                rows[i] = r
        return rows

    def outcomes(self) -> list[Outcome]:
        out: list[Outcome] = [Outcome()] * len(self.specs)
        for indices, group in self.groups:
            for i, o in zip(indices, group.outcomes, strict=True):
                out[i] = o
        return out


def _join(blocks: list[Rows]) -> tuple[np.ndarray, ...]:
    if len(blocks) == 1:
        b = blocks[0]
        return b.points, b.loss, b.grad_norm, b.lr
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
    return [
        RunResult(*_join(b), o.status, o.steps_taken, o.message)
        for b, o in zip(blocks, sim.outcomes(), strict=True)
    ]


def run_one(spec: RunSpec) -> RunResult:
    return run_batch([spec])[0]


def stream_run(spec: RunSpec, block_steps: int = 250) -> Iterator[Rows | Outcome]:
    """Yield the run block by block as it is computed, then its outcome."""
    sim = Simulation([spec])
    while not sim.done:
        rows = sim.advance(block_steps)[0]
        if rows is not None and len(rows.loss):
            yield rows
    yield sim.outcomes()[0]
