"""The surface registry: one line per surface. The API and the UI read it."""

from gradscape.errors import UnknownIdError
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


def get_surface(surface_id: str) -> Surface:
    try:
        return SURFACES[surface_id]
    except (KeyError, TypeError):  # TypeError: an unhashable id
        raise UnknownIdError("surface", surface_id, list(SURFACES)) from None


__all__ = ["SURFACES", "DataSurface", "Surface", "SurfaceInfo", "get_surface"]
