"""The surface registry: one line per surface. The API and the UI read it."""

from gradscape.errors import UnknownIdError
from gradscape.surfaces.base import DataSurface, Surface, SurfaceInfo
from gradscape.surfaces.classic import Quadratic, Rosenbrock

SURFACES: dict[str, Surface] = {
    s.id: s
    for s in (
        Quadratic(),
        Rosenbrock(),
    )
}


def get_surface(surface_id: str) -> Surface:
    try:
        return SURFACES[surface_id]
    except KeyError:
        raise UnknownIdError("surface", surface_id, list(SURFACES)) from None


__all__ = ["SURFACES", "DataSurface", "Surface", "SurfaceInfo", "get_surface"]
