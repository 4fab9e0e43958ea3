"""GET /api/surfaces and /api/surfaces/{id}/grid; POST /api/surfaces/custom(/grid) for formulas."""

from functools import lru_cache
from typing import Annotated

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic_core import to_json

from gradscape.api.admission import AdmissionDep
from gradscape.api.deps import SettingsDep
from gradscape.api.responses import (
    HEAVY_RESPONSES,
    NOT_FOUND,
    VALIDATION,
    json_response,
)
from gradscape.api.schemas import (
    CustomGridRequest,
    CustomSurfaceOut,
    Domain,
    Grid,
    StationaryOut,
    SurfaceFormula,
    SurfaceOut,
)
from gradscape.deadline import Deadline
from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.optimizers import OPTIMIZERS
from gradscape.suggestions import suggested_lrs
from gradscape.surfaces import SURFACES, DataSurface, FormulaSurface, Surface, get_surface
from gradscape.surfaces import resolve_surface as resolve

router = APIRouter(tags=["surfaces"])

MAX_EXTENT = 1e6


def surface_out(s: Surface) -> SurfaceOut:
    info = s.info
    return SurfaceOut(
        id=info.id,
        name=info.name,
        formula=info.formula,
        description=info.description,
        domain=Domain(x=info.domain[0], y=info.domain[1]),
        default_start=info.default_start,
        minima=list(info.minima),
        saddles=list(info.saddles),
        maxima=list(info.maxima),
        convex=info.convex,
        log_levels=info.log_levels,
        kind="data" if isinstance(s, DataSurface) else "analytic",
        n_samples=s.n_samples if isinstance(s, DataSurface) else None,
        suggested_lr=suggested_lrs(s, OPTIMIZERS),
    )


@lru_cache
def surfaces_json() -> bytes:
    """The registry never changes while the server runs: its answer is made once (the
    suggested rates alone cost milliseconds), then served as bytes from the event loop."""
    return to_json([surface_out(s).model_dump() for s in SURFACES.values()], inf_nan_mode="null")


@router.get("/surfaces", response_model=list[SurfaceOut])
async def list_surfaces() -> Response:
    return Response(surfaces_json(), media_type="application/json")


def _axis(lo: float | None, hi: float | None, default: tuple[float, float], name: str):
    lo = default[0] if lo is None else lo
    hi = default[1] if hi is None else hi
    if not lo < hi:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["query", f"{name}_min"],
                    "type": "value_error",
                    "msg": f"{name}_min must be less than {name}_max",
                }
            ],
        )
    return lo, hi


Bound = Annotated[float | None, Query(ge=-MAX_EXTENT, le=MAX_EXTENT, allow_inf_nan=False)]


@router.get(
    "/surfaces/{surface_id}/grid",
    response_model=Grid,
    responses={**NOT_FOUND, **VALIDATION},
)
def surface_grid(
    surface_id: str,
    settings: SettingsDep,
    resolution: Annotated[int, Query(ge=2, description="Points per axis.")] = 100,
    x_min: Bound = None,
    x_max: Bound = None,
    y_min: Bound = None,
    y_max: Bound = None,
):
    """z[i][j] = f(x[j], y[i]) over the surface's domain or the one given."""
    try:
        get_surface(surface_id)
    except UnknownIdError as exc:
        raise HTTPException(404, str(exc)) from None
    if resolution > settings.max_grid_resolution:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["query", "resolution"],
                    "type": "value_error",
                    "msg": f"must be <= {settings.max_grid_resolution}",
                }
            ],
        )
    dx, dy = get_surface(surface_id).info.domain
    x, y = _axis(x_min, x_max, dx, "x"), _axis(y_min, y_max, dy, "y")
    if resolution <= CACHED_GRID_RESOLUTION:
        body = cached_grid_json(surface_id, resolution, x, y)
    else:
        body = grid_json(surface_id, resolution, x, y)
    return Response(body, media_type="application/json")


def grid_json(
    surface_id: str, resolution: int, x: tuple[float, float], y: tuple[float, float]
) -> bytes:
    xs, ys = np.linspace(*x, resolution), np.linspace(*y, resolution)
    with np.errstate(all="ignore"):
        z = get_surface(surface_id).grid(xs, ys)
    return to_json({"x": xs.tolist(), "y": ys.tolist(), "z": z.tolist()}, inf_nan_mode="null")


# The pages ask for the same few small grids again and again: kept, at most
# 32 x ~0.5 MB. Larger ones are computed each time.
CACHED_GRID_RESOLUTION = 150
cached_grid_json = lru_cache(maxsize=32)(grid_json)


def _formula(body: SurfaceFormula) -> FormulaSurface:
    surface = resolve(body.model_dump(include={"expression", "x_range", "y_range"}), "")
    assert isinstance(surface, FormulaSurface)
    return surface


def _metadata(body: SurfaceFormula, deadline: Deadline) -> Response:
    surface = _formula(body)
    out = surface_out(surface).model_dump()
    out.update(
        expression=surface.expression,
        gradient=surface.gradient_text,
        degenerate=list(surface.points_of_kind("degenerate")),
        stationary=[
            StationaryOut(x=p.x, y=p.y, kind=p.kind, value=p.value, eigenvalues=p.eigenvalues)
            for p in surface.stationary_points
        ],
    )
    return json_response(CustomSurfaceOut(**out).model_dump())


def _grid(body: CustomGridRequest, deadline: Deadline) -> Response:
    surface = _formula(body)
    xs = np.linspace(*surface.x_range, body.resolution)
    ys = np.linspace(*surface.y_range, body.resolution)
    z = surface.grid(xs, ys)
    return json_response({"x": xs.tolist(), "y": ys.tolist(), "z": z.tolist()})


# Parsing is cheap and happens at once (a bad formula answers 422 without waiting); the
# stationary-point search and large grids run in a heavy-work process like runs do (which
# parses the formula again from the body).


@router.post("/surfaces/custom", response_model=CustomSurfaceOut, responses=HEAVY_RESPONSES)
async def custom_surface(body: SurfaceFormula, request: Request, admission: AdmissionDep):
    """A formula's metadata, shaped like a GET /api/surfaces entry, with its stationary
    points found numerically and its gradient written out."""
    _formula(body)
    return await admission.run(request, _metadata, body)


@router.post("/surfaces/custom/grid", response_model=Grid, responses=HEAVY_RESPONSES)
async def custom_surface_grid(
    body: CustomGridRequest, request: Request, settings: SettingsDep, admission: AdmissionDep
):
    """z[i][j] = f(x[j], y[i]) over the formula's ranges; null where f is undefined."""
    if body.resolution > settings.max_grid_resolution:
        raise InvalidValueError("resolution", f"must be <= {settings.max_grid_resolution}")
    _formula(body)
    return await admission.run(request, _grid, body)
