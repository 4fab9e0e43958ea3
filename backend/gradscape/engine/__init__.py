"""Runs optimizers on surfaces: many runs at once, divergence detection, blocks for streaming."""

from gradscape.engine.records import Outcome, Rows, RunResult
from gradscape.engine.run import Simulation, run_batch, run_one, stream_run
from gradscape.engine.spec import RunSpec, build_spec

__all__ = [
    "Outcome",
    "Rows",
    "RunResult",
    "RunSpec",
    "Simulation",
    "build_spec",
    "run_batch",
    "run_one",
    "stream_run",
]
