"""Newton's method on the gradient: stationary points with no closed form, found at import."""

import numpy as np

from gradscape.surfaces.base import Point, Surface


def refine_stationary(surface: Surface, guesses: list[Point], iterations: int = 40) -> list[Point]:
    """Move each guess to the stationary point Newton's method reaches from it.

    Newton converges quadratically, so a few iterations from a guess inside the basin give
    the point to float precision; the fixed count only bounds the last-ulp dithering.
    """
    pts = np.asarray(guesses, dtype=float).reshape(-1, 2)
    x, y = pts[:, 0].copy(), pts[:, 1].copy()
    for _ in range(iterations):
        gx, gy = surface.grad(x, y)
        hxx, hxy, hyy = surface.hessian(x, y)
        det = hxx * hyy - hxy * hxy
        dx = (hyy * gx - hxy * gy) / det
        dy = (hxx * gy - hxy * gx) / det
        if not (np.any(dx) or np.any(dy)):
            break
        x, y = x - dx, y - dy
    return [(float(a), float(b)) for a, b in zip(x, y, strict=True)]
