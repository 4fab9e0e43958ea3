"""RunSpec: a run request checked against the registries, ready for the engine."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gradscape.errors import InvalidValueError
from gradscape.optimizers import Optimizer, get_optimizer
from gradscape.schedules import Schedule, make_schedule
from gradscape.surfaces import DataSurface, Surface, resolve_surface


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
    # Runs with equal group keys advance together; equal schedule keys share one lr table.
    group: tuple = ()
    schedule_key: tuple = ()


def build_spec(
    surface: str | Mapping[str, Any] | Surface,
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
    surf = resolve_surface(surface)
    opt = get_optimizer(optimizer)
    hyper = opt.resolve(params or {})
    if start is None:
        start = surf.default_start
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        raise InvalidValueError("start", "must be two finite numbers [x, y]")
    if max(abs(start[0]), abs(start[1])) > bound:
        raise InvalidValueError("start", f"must lie within the bound |x|, |y| <= {bound:g}")
    if batch_size is not None:
        if not isinstance(surf, DataSurface):
            raise InvalidValueError(
                "batch_size", f"only data surfaces have mini-batches; {surf.id} has no data"
            )
        if not 1 <= batch_size <= surf.n_samples:
            raise InvalidValueError(
                "batch_size", f"must be between 1 and {surf.n_samples} (the data set size)"
            )
    if noise and isinstance(surf, DataSurface):
        raise InvalidValueError(
            "noise", "data surfaces get their gradient noise from batch_size; use that"
        )
    lr = float(hyper["lr"])
    sched = make_schedule(schedule, lr, steps)
    static = tuple(sorted((k, v) for k, v in hyper.items() if k != "lr"))
    schedule_key = (lr, steps, tuple(sorted((schedule or {"name": "constant"}).items())))
    return RunSpec(
        surf,
        opt,
        hyper,
        sched,
        (float(start[0]), float(start[1])),
        steps,
        float(noise),
        batch_size,
        seed,
        float(tol),
        float(bound),
        group=(surf, opt.id, static, batch_size),  # a formula surface hashes by its text
        schedule_key=schedule_key,
    )
