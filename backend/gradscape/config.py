"""Settings read once from the environment (GRADSCAPE_*), overridable in tests."""

import os
from dataclasses import dataclass, fields
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    """Caps that keep one request from hogging the server."""

    max_steps: int = 100_000
    max_batch_runs: int = 256
    max_total_points: int = 2_000_000  # runs x (steps + 1) in one request
    max_grid_resolution: int = 1000
    max_curvature_points: int = 10_000  # points in one POST /api/curvature
    stream_block_steps: int = 250  # steps per Server-Sent Event block
    max_sweep_point_steps: int = 50_000_000  # cells x (steps + 1) in one sweep
    sweep_block_point_steps: int = 2_000_000  # about this much work per streamed block of rows
    # Sweeps' compiled (numba) loop: 0 never, 1 once compiled (numpy until then), 2 always
    # (a request waits for the compiler: for tests and benchmarks)
    sweep_compiled: int = 1
    max_network_params: int = 20_000
    max_network_samples: int = 5_000
    max_network_steps: int = 20_000
    max_landscape_resolution: int = 101
    max_network_batch_runs: int = 8  # networks trained together in one request
    # What one request may cost (api/cost.py) and how long heavy work may run (deadline.py).
    max_work_seconds: float = 10.0  # estimated CPU seconds of one request's work
    max_step_seconds: float = 0.25  # estimated time of one step of a request's slowest group
    max_answer_bytes: int = 20_000_000  # estimated JSON size of one answer, before gzip
    request_seconds: float = 30.0  # heavy work stops (503) after this many seconds
    max_body_bytes: int = 1_000_000  # larger request bodies answer 413
    # Admission (api/admission.py): heavy work runs in heavy_workers niced worker processes
    # (api/workers.py) with at most heavy_queue requests waiting; past that, 503 with
    # Retry-After.
    heavy_workers: int = 0  # 0: one per server process (--workers N gives N in all)
    heavy_queue: int = 0  # 0: 4 per heavy worker
    retry_after_seconds: int = 2
    access_log: int = 1  # one line per request: method, path, status, duration
    metrics: int = 0  # 1: Prometheus text format at GET /metrics
    frontend_dir: str = ""  # empty: the repository's frontend/ beside backend/


@lru_cache
def get_settings() -> Settings:
    """Settings from GRADSCAPE_<FIELD> environment variables, defaults otherwise."""
    values = {}
    for f in fields(Settings):
        raw = os.environ.get(f"GRADSCAPE_{f.name.upper()}")
        if raw is not None:
            kind = {"str": str, "int": int, "float": float}.get(str(f.type), f.type)
            values[f.name] = kind(raw)
    return Settings(**values)
