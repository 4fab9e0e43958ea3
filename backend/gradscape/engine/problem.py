"""A surface seen through (runs, 2) arrays: what vectorised runs and second-order rules use."""

import numpy as np

from gradscape.surfaces import Surface


class SurfaceProblem:
    def __init__(self, surface: Surface) -> None:
        self.surface = surface

    def value(self, params: np.ndarray) -> np.ndarray:
        return np.asarray(self.surface.value(params[:, 0], params[:, 1]), dtype=float)

    def grad(self, params: np.ndarray) -> np.ndarray:
        return self.value_grad(params)[1]

    def value_grad(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Loss (runs,), gradient (runs, 2) and gradient norm (runs,) in one pass."""
        loss, gx, gy = self.surface.value_grad(params[:, 0], params[:, 1])
        grad = np.empty_like(params)
        grad[:, 0] = gx
        grad[:, 1] = gy
        return np.asarray(loss, dtype=float), grad, np.sqrt(gx * gx + gy * gy)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        hxx, hxy, hyy = np.broadcast_arrays(*self.surface.hessian(params[:, 0], params[:, 1]))
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)
