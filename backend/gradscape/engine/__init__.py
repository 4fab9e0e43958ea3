"""Runs optimizers on surfaces: many runs at once, divergence detection, blocks for streaming."""

from gradscape.engine.run import (
    Rows,
    RunResult,
    RunSpec,
    build_spec,
    run_batch,
    run_one,
    stream_run,
)

__all__ = ["Rows", "RunResult", "RunSpec", "build_spec", "run_batch", "run_one", "stream_run"]
