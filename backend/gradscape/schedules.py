"""Learning-rate schedules: plain ``step -> lr`` functions, validated when built.

Each schedule maps a 0-based step index k (an int or an array of them) to the learning rate
applied by step k. An optional linear warmup ramps from lr / warmup_steps up to lr over the
first ``warmup_steps`` steps; the decay then runs over the steps that remain.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.optimizers.base import HyperParam, resolve_options

Schedule = Callable[[np.ndarray], np.ndarray]

WARMUP = HyperParam(
    "warmup_steps",
    0,
    "Steps of linear warmup from lr / warmup_steps up to lr.",
    "int",
    min=0,
    max=100_000,
)
MIN_LR = HyperParam(
    "min_lr",
    0.0,
    "The learning rate the decay ends at.",
    min=0.0,
    max=1e3,
    log=False,
)


def constant(lr: float, total_steps: int) -> Schedule:
    return lambda k: np.full(np.shape(k), lr, dtype=float)


def step_decay(lr: float, total_steps: int, step_size: int, gamma: float) -> Schedule:
    """torch.optim.lr_scheduler.StepLR: lr * gamma ** (k // step_size)."""
    return lambda k: lr * gamma ** (np.asarray(k) // step_size)


def exponential(lr: float, total_steps: int, gamma: float) -> Schedule:
    """torch.optim.lr_scheduler.ExponentialLR: lr * gamma ** k."""
    return lambda k: lr * gamma ** np.asarray(k, dtype=float)


def linear(lr: float, total_steps: int, min_lr: float) -> Schedule:
    """Straight line from lr at k = 0 to min_lr at the last step."""
    span = max(total_steps - 1, 1)
    return lambda k: lr + (min_lr - lr) * np.minimum(np.asarray(k, dtype=float) / span, 1.0)


def cosine(lr: float, total_steps: int, min_lr: float) -> Schedule:
    """torch.optim.lr_scheduler.CosineAnnealingLR with T_max = the steps after warmup."""
    span = max(total_steps - 1, 1)

    def schedule(k):
        frac = np.minimum(np.asarray(k, dtype=float) / span, 1.0)
        return min_lr + (lr - min_lr) * (1.0 + np.cos(np.pi * frac)) / 2.0

    return schedule


def with_warmup(schedule_after: Schedule, lr: float, warmup_steps: int) -> Schedule:
    """Linear warmup for the first steps, then ``schedule_after`` from its step 0."""
    if warmup_steps == 0:
        return schedule_after

    def schedule(k):
        k = np.asarray(k)
        ramp = lr * (k + 1.0) / warmup_steps
        return np.where(k < warmup_steps, ramp, schedule_after(np.maximum(k - warmup_steps, 0)))

    return schedule


@dataclass(frozen=True)
class ScheduleKind:
    id: str
    name: str
    description: str
    params: tuple[HyperParam, ...]
    build: Callable[..., Schedule]


SCHEDULES: dict[str, ScheduleKind] = {
    s.id: s
    for s in (
        ScheduleKind(
            "constant", "Constant", "The same learning rate at every step.", (WARMUP,), constant
        ),
        ScheduleKind(
            "step",
            "Step decay",
            "Multiply the rate by gamma every step_size steps.",
            (
                WARMUP,
                HyperParam("step_size", 100, "Steps between decays.", "int", min=1, max=100_000),
                HyperParam("gamma", 0.5, "Factor applied at each decay.", min=0.0, max=1.0),
            ),
            step_decay,
        ),
        ScheduleKind(
            "exponential",
            "Exponential decay",
            "Multiply the rate by gamma every step.",
            (WARMUP, HyperParam("gamma", 0.99, "Factor applied every step.", min=0.0, max=1.0)),
            exponential,
        ),
        ScheduleKind(
            "linear",
            "Linear decay",
            "Decay in a straight line to min_lr.",
            (WARMUP, MIN_LR),
            linear,
        ),
        ScheduleKind(
            "cosine",
            "Cosine decay",
            "Half a cosine from lr down to min_lr: slow at first, fast in the middle, "
            "gentle at the end. With warmup, the recipe used to train transformers.",
            (WARMUP, MIN_LR),
            cosine,
        ),
    )
}


def make_schedule(
    spec: Mapping[str, Any] | None, lr: float, total_steps: int, where: str = "schedule"
) -> Schedule:
    """Build a schedule from ``{"name": ..., options...}``; errors name the bad field."""
    spec = dict(spec or {"name": "constant"})
    name = spec.pop("name", "constant")
    if not isinstance(name, str) or name not in SCHEDULES:
        raise UnknownIdError(f"{where}.name", str(name), list(SCHEDULES))
    kind = SCHEDULES[name]
    options = resolve_options(kind.params, spec, where, f"option for the {name} schedule")
    warmup = int(options.pop("warmup_steps"))
    if "min_lr" in options and options["min_lr"] > lr:
        raise InvalidValueError(f"{where}.min_lr", f"must be <= lr ({lr:g})")
    after = kind.build(lr, max(total_steps - warmup, 1), **options)
    return with_warmup(after, lr, warmup)
