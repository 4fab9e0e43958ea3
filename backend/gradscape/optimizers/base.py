"""What an optimizer is: hyperparameter metadata plus a pure init/update pair.

An update rule never mutates its inputs; it returns the new parameters and a fresh state
(optax's GradientTransformation). Parameters have shape (runs, dim) in the vectorised engine.
Rules marked ``elementwise`` only combine matching entries of their arrays, so the scalar
engine may also call them with Python floats, one coordinate at a time.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from gradscape.errors import InvalidValueError

Hyper = Mapping[str, Any]


@dataclass(frozen=True)
class HyperParam:
    """One hyperparameter: its torch name, default, range and help text for the UI."""

    name: str
    default: float | int | bool | str
    help: str
    type: Literal["float", "int", "bool", "choice"] = "float"
    min: float | None = None
    max: float | None = None
    log: bool = False
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()

    def validate(self, value: Any, where: str) -> float | int | bool | str:
        """Return ``value`` coerced to this parameter's type, or raise naming ``where``."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise InvalidValueError(where, f"must be true or false, got {value!r}")
            return value
        if self.type == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise InvalidValueError(where, f"must be one of {', '.join(self.choices)}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValueError(where, f"must be a number, got {value!r}")
        if isinstance(value, int) and abs(value) > 2**53:  # before numpy or float() see it
            raise InvalidValueError(where, "must be a number of at most 2**53 in size")
        if not math.isfinite(value):
            raise InvalidValueError(where, "must be a finite number")
        if self.type == "int":
            if float(value) != int(value):
                raise InvalidValueError(where, f"must be a whole number, got {value!r}")
            value = int(value)
        else:
            value = float(value)
        if self.min is not None and (
            value < self.min or (self.min_exclusive and value == self.min)
        ):
            op = ">" if self.min_exclusive else ">="
            raise InvalidValueError(where, f"must be {op} {self.min:g}, got {value:g}")
        if self.max is not None and value > self.max:
            raise InvalidValueError(where, f"must be <= {self.max:g}, got {value:g}")
        return value


def resolve_options(
    params: Sequence[HyperParam], given: Mapping[str, Any], where: str, what: str
) -> dict[str, Any]:
    """Defaults overlaid with ``given``, each checked; errors name ``where.<name>``."""
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidValueError(
            f"{where}.{unknown[0]}", f"unknown {what}; valid names: {', '.join(known)}"
        )
    values = {p.name: p.default for p in params}
    for name, value in given.items():
        values[name] = known[name].validate(value, f"{where}.{name}")
    return values


class Problem(Protocol):
    """The objective as seen by second-order and line-search optimizers (arrays (runs, dim))."""

    def value(self, params: np.ndarray) -> np.ndarray: ...

    def grad(self, params: np.ndarray) -> np.ndarray: ...

    def hessian(self, params: np.ndarray) -> np.ndarray: ...


# update(params, grad, state, step, lr, hyper, problem) -> (new_params, new_state)
# step counts from 1 (torch's state["step"] after its increment); lr is a float or an
# array (runs, 1) holding the learning rate the schedule gives each run for this step.
InitFn = Callable[[Any, Hyper], Any]
UpdateFn = Callable[[Any, Any, Any, int, Any, Hyper, Problem | None], tuple[Any, Any]]


@dataclass(frozen=True)
class Optimizer:
    """A registry entry: metadata for the API and UI plus the pure update rule."""

    id: str
    name: str
    description: str
    params: tuple[HyperParam, ...]
    init: InitFn
    update: UpdateFn
    elementwise: bool = True
    reference: str = ""
    check: Callable[[Hyper], None] | None = None  # cross-parameter rules, like torch's
    # A state may carry a boolean ``halted`` array: those runs stop with this status.
    halt_status: str = "stopped"
    halt_reason: str = ""
    defaults: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "defaults", {p.name: p.default for p in self.params})

    def resolve(self, given: Mapping[str, Any], where: str = "params") -> dict[str, Any]:
        """Defaults overlaid with ``given``, each value checked; unknown names are refused."""
        hyper = resolve_options(self.params, given, where, f"hyperparameter for {self.id}")
        if self.check is not None:
            self.check(hyper)
        return hyper


LR_HELP = "Learning rate: the step size multiplying each update."


def lr_param(default: float) -> HyperParam:
    return HyperParam("lr", default, LR_HELP, min=0.0, max=1e3, log=True)


def eps_param(default: float) -> HyperParam:
    return HyperParam(
        "eps",
        default,
        "Added to the denominator for numerical stability.",
        min=0.0,
        max=1.0,
        log=True,
    )


def weight_decay_param(default: float = 0.0, decoupled: bool = False) -> HyperParam:
    how = (
        "Decoupled: the weights shrink by lr * weight_decay each step, outside the gradient."
        if decoupled
        else "L2 penalty: weight_decay * params is added to the gradient."
    )
    return HyperParam("weight_decay", default, how, min=0.0, max=10.0)


MAXIMIZE = HyperParam("maximize", False, "Climb the objective instead of descending.", "bool")
