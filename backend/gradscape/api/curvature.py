"""POST /api/curvature: value, gradient, Hessian and its eigen-decomposition at given points.

Minimal version for the optimizer page's gradient arrows (issue 8a); issue 8b owns this
module and its full contract. Arrays are columnar, one entry per point, null where undefined.
"""

from typing import Any

import numpy as np
from fastapi import APIRouter
from pydantic import Field

from gradscape.api.responses import json_response
from gradscape.api.schemas import Strict
from gradscape.surfaces import get_surface

router = APIRouter(tags=["surfaces"])

MAX_POINTS = 20_000


class CurvatureRequest(Strict):
    surface: str = Field(description="Surface id, from GET /api/surfaces.")
    points: list[tuple[float, float]] = Field(
        min_length=1, max_length=MAX_POINTS, description="Points [[x, y], ...]."
    )


def _kind(lo: float, hi: float, scale: float) -> str:
    tiny = 1e-9 * max(scale, 1.0)
    if abs(lo) <= tiny and abs(hi) <= tiny:
        return "flat"
    if lo > tiny:
        return "minimum"
    if hi < -tiny:
        return "maximum"
    if lo < -tiny and hi > tiny:
        return "saddle"
    return "flat"


def _full(values, like: np.ndarray) -> np.ndarray:
    """Float array of like's shape (a surface may answer a constant as a plain number)."""
    return np.asarray(values, dtype=float) * np.ones_like(like)


def curvature(surface_id: str, points: np.ndarray) -> dict[str, Any]:
    """Columnar curvature of a surface at points of shape (n, 2)."""
    surface = get_surface(surface_id)
    x, y = points[:, 0], points[:, 1]
    with np.errstate(all="ignore"):
        value = _full(surface.value(x, y), x)
        gx, gy = (_full(g, x) for g in surface.grad(x, y))
        hxx, hxy, hyy = (_full(h, x) for h in surface.hessian(x, y))
    hessians = np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)
    finite = np.isfinite(hessians).all(axis=(1, 2))
    safe = np.where(finite[:, None, None], hessians, 0.0)
    eigenvalues, eigenvectors = np.linalg.eigh(safe)  # ascending; columns are vectors
    out: dict[str, list] = {
        k: []
        for k in (
            "value",
            "gradient",
            "hessian",
            "eigenvalues",
            "eigenvectors",
            "kind",
            "condition_number",
            "max_stable_lr",
        )
    }
    for i in range(len(points)):
        out["value"].append(float(value[i]))
        g = [float(gx[i]), float(gy[i])]
        out["gradient"].append(g if np.isfinite(g).all() else None)
        if not finite[i]:
            for key in (
                "hessian",
                "eigenvalues",
                "eigenvectors",
                "kind",
                "condition_number",
                "max_stable_lr",
            ):
                out[key].append(None)
            continue
        lo, hi = (float(v) for v in eigenvalues[i])
        out["hessian"].append(hessians[i].tolist())
        out["eigenvalues"].append([lo, hi])
        out["eigenvectors"].append(eigenvectors[i].T.tolist())
        out["kind"].append(_kind(lo, hi, float(np.abs(hessians[i]).max())))
        small = min(abs(lo), abs(hi))
        out["condition_number"].append(max(abs(lo), abs(hi)) / small if small > 0 else None)
        out["max_stable_lr"].append(2.0 / hi if hi > 0 else None)
    return out


@router.post("/curvature")
def post_curvature(body: CurvatureRequest):
    """f, gradient, Hessian, its eigenvalues (ascending) and eigenvectors at each point."""
    return json_response(curvature(body.surface, np.asarray(body.points, dtype=float)))
