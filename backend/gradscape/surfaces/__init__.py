"""The surface registry: one line per surface. The API and the UI read it."""

from collections.abc import Mapping
from typing import Any

from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.surfaces.base import DataSurface, Surface, SurfaceInfo
from gradscape.surfaces.classic import (
    Beale,
    Booth,
    Himmelblau,
    Quadratic,
    Ravine,
    Rosenbrock,
    SixHumpCamel,
)
from gradscape.surfaces.data import DeepLinear, LinearRegression, LogisticRegression
from gradscape.surfaces.formula import (
    DEFAULT_RANGE,
    FormulaError,
    FormulaSurface,
    formula_surface,
)
from gradscape.surfaces.multimodal import Ackley, Rastrigin
from gradscape.surfaces.saddles import MonkeySaddle, Saddle

SURFACES: dict[str, Surface] = {
    s.id: s
    for s in (
        Quadratic(),  # one curvature: the learning rate alone decides stability
        Ravine(),  # two curvatures: zig-zag, and why momentum helps
        Booth(),  # a rotated ravine: per-coordinate scaling cannot fix it
        Rosenbrock(),  # a curved valley
        Beale(),  # plateaus and cliffs: adaptive step sizes
        Saddle(),  # escaping a saddle
        MonkeySaddle(),  # a degenerate saddle
        Himmelblau(),  # several equal minima: where a run ends depends on its start
        SixHumpCamel(),  # minima of different depths
        Rastrigin(),  # many local minima on a bowl
        Ackley(),  # many local minima on a plateau around a funnel
        LinearRegression(),  # data: batch GD vs SGD on a convex bowl
        LogisticRegression(),  # data: cross-entropy
        DeepLinear(),  # data: a saddle and a curve of minima
    )
}


def get_surface(surface_id: str, field: str = "surface") -> Surface:
    try:
        return SURFACES[surface_id]
    except (KeyError, TypeError):  # TypeError: an unhashable id
        raise UnknownIdError(field, surface_id, list(SURFACES)) from None


FORMULA_KEYS = ("expression", "x_range", "y_range")


def resolve_surface(ref: "str | Mapping[str, Any] | Surface", field: str = "surface") -> Surface:
    """THE way to turn what a request says about a surface into a Surface.

    A registry id ("rosenbrock"), or a formula object {"expression": "x^2 + 10*y^2",
    "x_range": [-3, 3], "y_range": [-3, 3]} (ranges optional). Errors name ``field`` and the
    key inside it, e.g. surface.expression, with the character position of a parse error.
    """
    if isinstance(ref, Surface):
        return ref
    inner = f"{field}." if field else ""
    if isinstance(ref, str):
        return get_surface(ref, field)
    if not isinstance(ref, Mapping):
        raise InvalidValueError(
            field, 'must be a surface id or an object {"expression", "x_range", "y_range"}'
        )
    unknown = [k for k in ref if k not in FORMULA_KEYS]
    if unknown:
        raise InvalidValueError(
            f"{inner}{unknown[0]}", f"unknown key; a formula surface has {', '.join(FORMULA_KEYS)}"
        )
    if "expression" not in ref:
        raise InvalidValueError(f"{inner}expression", "missing: the formula, e.g. 'x^2 + 10*y^2'")
    expression = ref["expression"]
    if not isinstance(expression, str):
        raise InvalidValueError(f"{inner}expression", "must be a string such as 'x^2 + 10*y^2'")
    ranges = []
    for key in ("x_range", "y_range"):
        value = ref.get(key)
        if value is None:
            ranges.append(DEFAULT_RANGE)
            continue
        ok = (
            isinstance(value, list | tuple)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        )
        if not ok:
            raise InvalidValueError(f"{inner}{key}", "must be two numbers [low, high]")
        try:
            ranges.append((float(value[0]), float(value[1])))
        except OverflowError:  # a JSON integer with hundreds of digits
            raise InvalidValueError(f"{inner}{key}", "must be two finite numbers") from None
    try:
        return formula_surface(expression, ranges[0], ranges[1])
    except FormulaError as exc:
        raise exc.at(f"{inner}{exc.field}") from None


__all__ = [
    "SURFACES",
    "DataSurface",
    "FormulaSurface",
    "Surface",
    "SurfaceInfo",
    "get_surface",
    "resolve_surface",
]
