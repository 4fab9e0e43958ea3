"""POST /api/curvature: value, gradient, Hessian and its eigen-decomposition at many points."""

from fastapi import APIRouter

from gradscape.api.deps import SettingsDep
from gradscape.api.responses import BODY_RESPONSES, json_response
from gradscape.api.schemas import CurvatureRequest, CurvatureResponse
from gradscape.errors import InvalidValueError
from gradscape.surfaces import resolve_surface
from gradscape.surfaces.curvature import curvature

router = APIRouter(tags=["curvature"])


@router.post("/curvature", response_model=CurvatureResponse, responses=BODY_RESPONSES)
def point_curvature(body: CurvatureRequest, settings: SettingsDep):
    """The local shape of the surface at each point, as columns with one entry per point.

    Undefined entries (a non-finite value, no positive eigenvalue for 2/λmax, a zero
    eigenvalue for the condition number) are null.
    """
    if len(body.points) > settings.max_curvature_points:
        raise InvalidValueError("points", f"at most {settings.max_curvature_points} points")
    surface = resolve_surface(body.surface)
    xs = [p[0] for p in body.points]
    ys = [p[1] for p in body.points]
    c = curvature(surface, xs, ys)
    return json_response(
        {
            "value": c.value.tolist(),
            "gradient": c.gradient.tolist(),
            "hessian": c.hessian.tolist(),
            "eigenvalues": c.eigenvalues.tolist(),
            "eigenvectors": c.eigenvectors.tolist(),
            "kind": c.kind,
            "condition_number": c.condition_number.tolist(),
            "max_stable_lr": c.max_stable_lr.tolist(),
        }
    )
