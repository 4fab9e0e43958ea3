"""A learning rate per surface and optimizer that moves visibly within the default steps.

Served in GET /api/surfaces as ``suggested_lr``; the UI sets it when a run switches optimizer.
torch's defaults are tuned for networks (Adam's 0.001 crawls across a plot 6 units wide), so
each family of optimizers gets a rate from the surface's own scale:

- gradient descent: 1/λmax at the default start, where λmax is the Hessian's largest
  eigenvalue magnitude there (half the stability bound 2/λmax of plain gradient descent);
  with momentum 0.9 a tenth of that, since the steps of a heavy ball add up to ten gradients;
- adaptive methods, whose steps are about lr long whatever the gradient: a fixed fraction of
  the domain's shorter side (Adagrad's steps shrink like 1/sqrt(t), so it gets five times more);
- Newton and L-BFGS: 1, the full step of the quadratic model.

A few surfaces override the rule, each for the reason noted. A test runs every surface with
every optimizer at these rates (tests/test_suggestions.py).
"""

import math

import numpy as np

from gradscape.optimizers import Optimizer
from gradscape.surfaces import Surface
from gradscape.surfaces.curvature import curvature

DOMAIN_FRACTION = {"rmsprop": 0.01, "adam": 0.01, "adamw": 0.01, "nadam": 0.01, "adagrad": 0.05}
CURVATURE_FRACTION = {"sgd": 1.0, "momentum": 0.1, "nesterov": 0.1}
FULL_STEP = {"newton", "lbfgs"}

OVERRIDES: dict[tuple[str, str], float] = {
    # The default start sits on Rosenbrock's steep wall (λmax ≈ 2100): 1/λmax barely moves
    # along the valley. The race preset's rates, stable once the run reaches the floor.
    ("rosenbrock", "sgd"): 0.001,
    ("rosenbrock", "momentum"): 0.001,
    ("rosenbrock", "nesterov"): 0.001,
    # Unbounded below: the escape along negative curvature grows like (1 + lr |λmin|)^t, so
    # a rate small enough to stay on the plot for the default 200 steps.
    ("saddle", "sgd"): 0.01,
    ("saddle", "momentum"): 0.001,
    ("saddle", "nesterov"): 0.001,
    ("monkey_saddle", "sgd"): 0.001,
    ("monkey_saddle", "momentum"): 0.0002,
    ("monkey_saddle", "nesterov"): 0.0002,
    # Far from the fit the logistic loss is nearly linear (tiny curvature), so the full
    # Newton step overshoots to where the loss overflows; damped, it converges.
    ("logistic_regression", "newton"): 0.3,
}


def _two_digits(v: float) -> float:
    return float(f"{v:.2g}")


def suggested_lr(surface: Surface, optimizer: Optimizer) -> float:
    """The rate the UI starts a run of ``optimizer`` with on ``surface``."""
    key = (surface.id, optimizer.id)
    if key in OVERRIDES:
        return OVERRIDES[key]
    if optimizer.id in FULL_STEP:
        return 1.0
    if optimizer.id in DOMAIN_FRACTION:
        (x0, x1), (y0, y1) = surface.info.domain
        return _two_digits(DOMAIN_FRACTION[optimizer.id] * min(x1 - x0, y1 - y0))
    if optimizer.id in CURVATURE_FRACTION:
        x, y = surface.info.default_start
        c = curvature(surface, np.array([x]), np.array([y]))
        lam = float(np.max(np.abs(c.eigenvalues)))
        if math.isfinite(lam) and lam > 0:
            return _two_digits(CURVATURE_FRACTION[optimizer.id] / lam)
    return float(optimizer.defaults["lr"])


def suggested_lrs(surface: Surface, optimizers: dict[str, Optimizer]) -> dict[str, float]:
    return {oid: suggested_lr(surface, opt) for oid, opt in optimizers.items()}
