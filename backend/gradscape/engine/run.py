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

from gradscape.deadline import NO_DEADLINE, Deadline, Pacer
from gradscape.engine.records import Block, Outcome, Rows, RunResult
from gradscape.engine.scalar import ScalarRun
from gradscape.engine.spec import RunSpec
from gradscape.engine.thinning import Thinning, thin
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

    def advance(self, n: int) -> list[tuple[list[int], Block]]:
        """Up to n more steps of every group still going: (its runs' indices, its rows)."""
        return [(indices, group.advance(n)) for indices, group in self.groups if not group.done]

    def outcomes(self) -> list[Outcome]:
        out: list[Outcome] = [Outcome()] * len(self.specs)
        for indices, group in self.groups:
            for i, o in zip(indices, group.outcomes, strict=True):
                out[i] = o
        return out


def _joined(blocks: list[Block], i: int) -> tuple[np.ndarray, ...]:
    """Run i's rows from consecutive blocks of its group, as whole arrays."""
    parts = [b.rows(i) for b in blocks]
    if len(parts) == 1:
        r = parts[0]
        return r.points, r.loss, r.grad_norm, r.lr
    return (
        np.concatenate([r.points for r in parts]).reshape(-1, 2),
        np.concatenate([r.loss for r in parts]),
        np.concatenate([r.grad_norm for r in parts]),
        np.concatenate([r.lr for r in parts]),
    )


def run_batch(
    specs: Sequence[RunSpec],
    scalar: bool = True,
    deadline: Deadline = NO_DEADLINE,
    max_points: int | None = None,
) -> list[RunResult]:
    """Run every spec to its end; runs that can share arrays advance together.

    Work goes in chunks of about ``CHUNK_SECONDS`` with ``deadline.check()`` between them;
    buffers hold only the runs still going. ``max_points`` thins each result (``thin``).
    """
    sim = Simulation(specs, scalar)
    blocks: dict[int, list[Block]] = {}
    pacer = Pacer()
    while not sim.done:
        deadline.check()
        n = pacer.steps()
        with pacer.timing(n):
            for indices, block in sim.advance(n):
                blocks.setdefault(indices[0], []).append(block)
    outcomes = sim.outcomes()
    results: list[RunResult | None] = [None] * len(specs)
    for indices, _ in sim.groups:
        group_blocks = blocks[indices[0]]
        for local, i in enumerate(indices):
            result = RunResult(*_joined(group_blocks, local), outcomes[i])
            results[i] = result if max_points is None else thin(result, specs[i].steps, max_points)
    return results  # type: ignore[return-value]


def run_one(spec: RunSpec) -> RunResult:
    return run_batch([spec])[0]


def stream_run(
    spec: RunSpec,
    block_steps: int = 250,
    deadline: Deadline = NO_DEADLINE,
    max_points: int | None = None,
) -> Iterator[Rows | Outcome]:
    """Yield the run block by block as it is computed, then its outcome.

    Each block holds ``block_steps`` steps (the last one fewer), computed in chunks with
    ``deadline.check()`` between them. With ``max_points`` the blocks are thinned
    (``Thinning``): ``Rows.start`` then counts kept points and ``Rows.index`` says which.
    """
    sim = Simulation([spec])
    pacer = Pacer()
    thinning = None if max_points is None else Thinning(spec.steps, max_points)
    pending: list[Rows] = []
    while not sim.done:
        deadline.check()
        n = pacer.steps(block_steps - (_steps_in(pending) if pending else 0))
        with pacer.timing(n):
            for _, block in sim.advance(n):
                rows = block.rows(0)
                if len(rows.loss):
                    pending.append(rows)
        if pending and (sim.done or _steps_in(pending) >= block_steps):
            rows = _concat(pending)
            pending = []
            if thinning is not None:
                rows = thinning.take(rows, last=sim.done)
            if len(rows.loss):
                yield rows
    yield sim.outcomes()[0]


def _steps_in(parts: list[Rows]) -> int:
    return sum(len(r.loss) for r in parts) - (1 if parts[0].start == 0 else 0)


def _concat(parts: list[Rows]) -> Rows:
    if len(parts) == 1:
        return parts[0]
    return Rows(
        parts[0].start,
        np.concatenate([r.points for r in parts]).reshape(-1, 2),
        np.concatenate([r.loss for r in parts]),
        np.concatenate([r.grad_norm for r in parts]),
        np.concatenate([r.lr for r in parts]),
    )
