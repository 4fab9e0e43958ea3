"""Damped Newton's method: jump to the stationary point of the local quadratic model.

    p <- p - lr * (H + damping * I)^-1 g

With lr = 1 and damping = 0 this is plain Newton: one step solves a quadratic exactly. It
seeks any point where the gradient vanishes, so it is drawn to saddle points as readily as
to minima (Dauphin et al. 2014) -- a lesson the pictures should show, so plain Newton is the
default. A damping larger than the most negative curvature makes the model convex again
(Levenberg 1944). Where H + damping * I is singular the step is undefined: the run stops
with status "singular" instead of leaping to infinity.
"""

from typing import NamedTuple

import numpy as np

from gradscape.optimizers.base import Hyper, HyperParam, Optimizer, Problem, lr_param

# |det| below this times (largest |entry|)^2: the curvatures differ by ~12 orders of
# magnitude, and the solve would amplify rounding error into the step.
SINGULAR_RTOL = 1e-12


class NewtonState(NamedTuple):
    halted: np.ndarray  # (runs,) True where the Hessian was singular this step


def init(params, hyper: Hyper) -> NewtonState:
    return NewtonState(np.zeros(len(params), dtype=bool))


def newton_step(hessian: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve H step = grad for each run's 2x2 H in closed form; also say where H is singular."""
    a, b = hessian[:, 0, 0], hessian[:, 0, 1]
    c, d = hessian[:, 1, 0], hessian[:, 1, 1]
    det = a * d - b * c
    scale = np.abs(hessian).max(axis=(1, 2))
    singular = np.isfinite(det) & (np.abs(det) <= SINGULAR_RTOL * scale * scale)
    safe_det = np.where(singular, 1.0, det)
    gx, gy = grad[:, 0], grad[:, 1]
    step = np.stack([(d * gx - b * gy) / safe_det, (a * gy - c * gx) / safe_det], axis=-1)
    return step, singular


def update(params, grad, state: NewtonState, step, lr, hyper: Hyper, problem: Problem):
    hessian = problem.hessian(params)
    damping = hyper["damping"]
    if np.any(damping != 0):  # a float, or per-run (runs, 1) in a sweep
        hessian = hessian + np.reshape(damping, (-1, 1, 1)) * np.eye(2)
    direction, singular = newton_step(hessian, grad)
    new_params = np.where(singular[:, None], params, params - lr * direction)
    return new_params, NewtonState(singular)


NEWTON = Optimizer(
    id="newton",
    name="Newton",
    description="Uses the curvature (the Hessian) to jump to where the local quadratic model "
    "is flat: one step on a bowl, but just as happy to land on a saddle point.",
    params=(
        lr_param(1.0),
        HyperParam(
            "damping",
            0.0,
            "Levenberg damping added to the Hessian's diagonal: large values turn Newton into "
            "small gradient steps and steer it away from saddles.",
            min=0.0,
            max=1e3,
            log=True,
        ),
    ),
    init=init,
    update=update,
    elementwise=False,
    reference="Newton's method with Levenberg damping (Nocedal & Wright, ch. 3.4)",
    halt_status="singular",
    halt_reason="the Hessian (plus damping) is singular here, so the Newton step H⁻¹g is "
    "undefined; add damping > 0 or start elsewhere",
)
