"""Every surface x every optimizer, at its suggested settings, moves visibly in 200 steps.

"Moves visibly": the path's farthest point inside the plotted domain lies at least 3% of the
domain's shorter side from the start (about 17 px on the 1440 x 900 page's plot, more than
the 12 px head marker), and the run does not diverge, unless the surface is unbounded below
(there descent is divergence, and the in-domain path must still move).
"""

import math

import numpy as np
import pytest

from gradscape.engine import build_spec, run_batch
from gradscape.optimizers import OPTIMIZERS
from gradscape.suggestions import suggested_lr
from gradscape.surfaces import SURFACES

DEFAULT_STEPS = 200  # frontend/js/state.js: state.steps
VISIBLE = 0.03
UNBOUNDED_BELOW = {"saddle", "monkey_saddle"}


def extent(surface, points: np.ndarray) -> float:
    (x0, x1), (y0, y1) = surface.info.domain
    inside = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0)
    inside &= points[:, 1] <= y1
    far = np.max(np.hypot(*(points[inside] - points[0]).T))
    return float(far / min(x1 - x0, y1 - y0))


def test_unbounded_surfaces_really_are():
    for sid in UNBOUNDED_BELOW:
        s = SURFACES[sid]
        assert min(s.value(-1e3, 0.0), s.value(0.0, 1e3), s.value(0.0, -1e3)) < -1e5


@pytest.mark.parametrize("surface", SURFACES.values(), ids=lambda s: s.id)
def test_every_optimizer_moves_visibly_at_its_suggested_rate(surface):
    specs = [
        build_spec(surface.id, oid, {"lr": suggested_lr(surface, opt)}, steps=DEFAULT_STEPS)
        for oid, opt in OPTIMIZERS.items()
    ]
    failures = []
    for spec, r in zip(specs, run_batch(specs), strict=True):
        moved = extent(surface, r.points)
        ok = moved >= VISIBLE and (r.status != "diverged" or surface.id in UNBOUNDED_BELOW)
        if not ok:
            failures.append(f"{spec.optimizer.id} lr {spec.hyper['lr']}: {r.status}, {moved:.3f}")
    assert not failures, failures


def test_the_rules():
    quad, rav = SURFACES["quadratic"], SURFACES["ravine"]
    assert suggested_lr(quad, OPTIMIZERS["sgd"]) == 1.0  # 1 / λmax, λmax = 1
    assert suggested_lr(rav, OPTIMIZERS["sgd"]) == pytest.approx(1 / 25)
    assert suggested_lr(rav, OPTIMIZERS["momentum"]) == pytest.approx(0.1 / 25)
    assert suggested_lr(quad, OPTIMIZERS["adam"]) == pytest.approx(0.06)  # 1% of 6
    assert suggested_lr(rav, OPTIMIZERS["newton"]) == suggested_lr(rav, OPTIMIZERS["lbfgs"]) == 1
    booth = SURFACES["booth"]  # eigenvalues 2 and 18 everywhere
    assert suggested_lr(booth, OPTIMIZERS["sgd"]) == pytest.approx(1 / 18, rel=0.01)
    assert math.isfinite(suggested_lr(SURFACES["ackley"], OPTIMIZERS["sgd"]))


def test_surfaces_serve_a_suggested_rate_for_every_optimizer(client):
    for s in client.get("/api/surfaces").json():
        assert set(s["suggested_lr"]) == set(OPTIMIZERS)
        assert s["suggested_lr"]["sgd"] == suggested_lr(SURFACES[s["id"]], OPTIMIZERS["sgd"])
