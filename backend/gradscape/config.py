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
    stream_block_steps: int = 250  # steps per Server-Sent Event block
    max_network_params: int = 20_000
    max_network_samples: int = 5_000
    max_network_steps: int = 20_000
    max_landscape_resolution: int = 101
    max_network_batch_runs: int = 8  # networks trained together in one request
    frontend_dir: str = ""  # empty: the repository's frontend/ beside backend/


@lru_cache
def get_settings() -> Settings:
    """Settings from GRADSCAPE_<FIELD> environment variables, defaults otherwise."""
    values = {}
    for f in fields(Settings):
        raw = os.environ.get(f"GRADSCAPE_{f.name.upper()}")
        if raw is not None:
            values[f.name] = raw if f.type is str or f.type == "str" else int(raw)
    return Settings(**values)
