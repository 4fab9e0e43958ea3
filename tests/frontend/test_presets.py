"""Every preset's picture shows its words at the default window size (1440 x 900).

Each check reads the page as a viewer would: the drawn paths (in screen pixels where it is
about seeing), the run list's statuses, the loss and learning-rate charts. Expected numbers
come from closed forms where the lesson states them (the ravine's Hessian is diag(1, 25)).
"""

import itertools
import math

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.frontend.site_pages import open_page, wait_idle

RAVINE_CURVATURES = (1.0, 25.0)  # Hessian of (x² + 25 y²)/2, by hand
STABLE_BOUND = 2 / max(RAVINE_CURVATURES)  # plain GD on a quadratic: lr < 2/λmax

DRAWN_JS = """() => {
  const gd = document.getElementById('plot');
  const L = gd._fullLayout;
  const paths = (gd.data || []).map((t, i) => ({t, i}))
    .filter(({t}) => t.meta && t.meta.role === 'path')
    .map(({t, i}) => ({index: i, run: t.meta.run, x: Array.from(t.x), y: Array.from(t.y)}));
  return {paths, x: L.xaxis.range, y: L.yaxis.range, w: L.xaxis._length, h: L.yaxis._length};
}"""
SERIES_JS = """(id) => (document.getElementById(id).data || [])
  .filter(t => t.meta && t.meta.run && (t.meta.role === 'loss' || t.meta.role === 'lr'))
  .map(t => Array.from(t.y))"""
STABILITY_JS = """() => (document.getElementById('lr-chart').data || [])
  .filter(t => t.meta && t.meta.role === 'stability').map(t => Array.from(t.y))"""


class Drawn:
    """The drawn paths in data and screen coordinates, in drawing order."""

    def __init__(self, raw: dict) -> None:
        self.paths = [np.column_stack([p["x"], p["y"]]).astype(float) for p in raw["paths"]]
        self.order = [p["index"] for p in raw["paths"]]
        self.xr, self.yr = raw["x"], raw["y"]
        self.size = (raw["w"], raw["h"])

    def pixels(self, pts: np.ndarray) -> np.ndarray:
        (x0, x1), (y0, y1) = self.xr, self.yr
        w, h = self.size
        return np.column_stack([(pts[:, 0] - x0) / (x1 - x0) * w, (y1 - pts[:, 1]) / (y1 - y0) * h])

    def on_screen(self, point) -> bool:
        (x0, x1), (y0, y1) = self.xr, self.yr
        return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


def drawn(page) -> Drawn:
    wait_idle(page)
    return Drawn(page.evaluate(DRAWN_JS))


def series(page, chart_id: str) -> list[list]:
    wait_idle(page)
    return page.evaluate(SERIES_JS, chart_id)


def statuses(page) -> list[str]:
    wait_idle(page)
    return page.locator("#run-list .run-status").all_inner_texts()


def final_loss(page, run: int) -> float:
    return series(page, "loss-chart")[run][-1]


def _resample(px: np.ndarray, n: int = 300) -> np.ndarray:
    seg = np.hypot(*np.diff(px, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] == 0:
        return px[:1]
    t = np.linspace(0, s[-1], n)
    return np.column_stack([np.interp(t, s, px[:, 0]), np.interp(t, s, px[:, 1])])


def _distance_to_polyline(pts: np.ndarray, line: np.ndarray) -> np.ndarray:
    a, b = line[:-1], line[1:]
    ab = b - a
    length = np.maximum((ab**2).sum(1), 1e-12)
    t = np.clip(((pts[:, None, :] - a) * ab).sum(2) / length, 0, 1)
    closest = a + t[..., None] * ab
    return np.hypot(*(closest - pts[:, None, :]).transpose(2, 0, 1)).min(1)


def covered_fraction(d: Drawn, i: int, j: int, px: float = 4.0) -> float:
    """How much of path i's drawn length lies within px screen pixels of path j."""
    a = _resample(d.pixels(d.paths[i]))
    b = d.pixels(d.paths[j])
    if len(b) < 2:
        return 0.0
    return float(np.mean(_distance_to_polyline(a, b) <= px))


def assert_no_path_hidden(d: Drawn) -> None:
    """A path lying mostly on another one is drawn above it, so both stay visible."""
    for i, j in itertools.permutations(range(len(d.paths)), 2):
        if covered_fraction(d, i, j) >= 0.75:
            assert d.order[i] > d.order[j], f"run {i + 1}'s path is hidden under run {j + 1}'s"


def alternates(values) -> bool:
    return all(a * b < 0 for a, b in itertools.pairwise(values))


# ---- the claims -----------------------------------------------------------------------------


def check_race(page, st, d):
    assert st == ["completed 400 steps"] * 3
    momentum, adam, sgd = (final_loss(page, i) for i in range(3))
    assert momentum < adam < sgd / 3, "momentum gets closest, Adam in between, SGD barely moves"
    # SGD's short path lies on the valley floor the others also follow: it must be on top
    assert covered_fraction(d, 2, 0) > 0.75 and d.order[2] > max(d.order[:2])


def check_lr_too_high(page, st, d):
    lrs = [s[0] for s in series(page, "lr-chart")]
    assert lrs[0] > STABLE_BOUND > lrs[1], "one rate on each side of 2/λmax"
    page.wait_for_function(f"({STABILITY_JS})().length === 2")
    bounds = page.evaluate(STABILITY_JS)
    assert bounds and all(v == pytest.approx(STABLE_BOUND) for b in bounds for v in b)
    diverging, stable = d.paths
    for path, grows in ((diverging, True), (stable, False)):
        ys = path[:, 1]
        assert alternates(ys[:20]), "the path jumps across the ravine every step"
        ratios = np.abs(ys[1:16] / ys[:15])
        assert np.all(ratios > 1) if grows else np.all(ratios < 1)
        lr = lrs[0] if grows else lrs[1]
        assert ratios == pytest.approx(abs(1 - RAVINE_CURVATURES[1] * lr), rel=1e-9)
        assert abs(path[-1, 0]) < 0.15 * abs(path[0, 0]), "both converge along the wide axis"
    assert d.on_screen(diverging[-1]), "the diverging head stays on screen"
    assert abs(diverging[-1, 1]) > 4 * abs(diverging[0, 1]), "its zig-zag visibly grows"
    assert final_loss(page, 0) > series(page, "loss-chart")[0][0], "its loss climbs"


def check_lr_too_low(page, st, d):
    assert st[0] == "completed 60 steps" and st[1] == "completed 60 steps"
    fast, slow = d.paths
    assert math.dist(fast[-1], (0, 0)) < 0.1
    assert math.dist(slow[-1], (0, 0)) > 3, "the timid run is still far from the bottom"
    assert d.on_screen(slow[-1])
    assert np.all(np.diff(slow[:, 1]) < 0) and np.all(slow[:, 1] > 0), "no zig-zag: it crawls"
    assert final_loss(page, 1) > 1000 * final_loss(page, 0)


def check_saddle(page, st, d):
    assert st[1].startswith("converged in") and "saddle point" in st[1]
    assert math.dist(d.paths[1][-1], (0, 0)) < 1e-5, "plain GD stops on the saddle"
    assert abs(d.paths[0][-1][1]) > 2, "the noisy run escapes along y"


def check_ravine(page, st, d):
    sgd, momentum, adam = d.paths
    assert st[0] == "completed 100 steps", "plain GD has not converged"
    assert st[1].startswith("converged in") and 40 <= int(st[1].split()[2]) <= 60
    assert st[2] == "completed 100 steps"
    assert alternates(sgd[:25, 1]), "plain GD bounces between the walls"
    shrink = abs(1 - RAVINE_CURVATURES[1] * 0.075)  # "each bounce only 12% smaller"
    assert np.abs(sgd[1:25, 1] / sgd[:24, 1]) == pytest.approx(shrink, rel=1e-9)
    assert shrink == pytest.approx(0.88, abs=0.01)
    assert np.max(np.abs(momentum[5:20, 1])) < 0.5 * np.max(np.abs(sgd[5:20, 1])), (
        "momentum cancels the bounces"
    )
    steps = np.abs(np.diff(adam[:5], axis=0))
    assert steps[:, 0] == pytest.approx(steps[:, 1], rel=0.05), "Adam heads diagonally"
    assert math.dist(adam[-1], (0, 0)) > 100 * math.dist(momentum[-1], (0, 0))


def check_batch_sizes(page, st, d):
    assert st[0].startswith("converged in")
    full, one, eight = (float(np.sum(np.hypot(*np.diff(p, axis=0).T))) for p in d.paths)
    assert one > 10 * full
    assert full < eight < one


def check_adagrad_stall(page, st, d):
    adam, adagrad = (final_loss(page, i) for i in range(2))
    assert adagrad > 3
    assert adam < 0.1
    assert d.paths[1][-1][0] < -0.5, "Adagrad is still at the far end of the valley"
    assert math.dist(d.paths[0][-1], (1, 1)) < 0.3, "Adam follows the floor close to (1, 1)"


def check_adam_adamw(page, st, d):
    adam, adamw = d.paths[0][-1], d.paths[1][-1]
    assert math.dist(adam, adamw) > 0.5, "coupled and decoupled decay settle apart"
    for end in (adam, adamw):
        assert math.hypot(*end) < math.hypot(1, 3), "both are pulled toward the origin"
    for p in d.paths:
        assert math.dist(p[-1], p[-51]) < 0.05  # both have settled


def check_newton_bowl(page, st, d):
    assert st[0].startswith("converged in 1 step") and "at a minimum" in st[0]
    # Booth's minimum solves x + 2y = 7, 2x + y = 5
    assert tuple(d.paths[0][1]) == pytest.approx(tuple(np.linalg.solve([[1, 2], [2, 1]], [7, 5])))
    assert st[1].startswith("converged in")
    assert int(st[1].split()[2]) > 50


def check_newton_saddle(page, st, d):
    assert st[0].startswith("converged in 1 step") and "saddle point" in st[0]
    assert tuple(d.paths[0][1]) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert abs(d.paths[1][-1][1]) > 2, "gradient descent rolls off the saddle"


def check_warmup_cosine(page, st, d):
    constant, cosine = final_loss(page, 0), final_loss(page, 1)
    assert cosine < constant / 10
    lr = series(page, "lr-chart")[1]
    assert lr[0] < lr[10] < lr[20], "warmup ramps the rate up"
    assert lr[-1] == pytest.approx(0.001, rel=0.1), "cosine decays to min_lr"
    jitter = [float(np.mean(np.hypot(*np.diff(p[-50:], axis=0).T))) for p in d.paths]
    assert jitter[1] < jitter[0] / 10, "the decaying run stands still, the constant one bounces"
    assert d.order[1] > d.order[0], "the settled run is drawn on top of the cloud"


PRESET_CHECKS = {
    "race": check_race,
    "lr-too-high": check_lr_too_high,
    "lr-too-low": check_lr_too_low,
    "saddle": check_saddle,
    "ravine": check_ravine,
    "batch-sizes": check_batch_sizes,
    "adagrad-stall": check_adagrad_stall,
    "adam-adamw": check_adam_adamw,
    "newton-bowl": check_newton_bowl,
    "newton-saddle": check_newton_saddle,
    "warmup-cosine": check_warmup_cosine,
}
# Runs whose end is meant to leave the plot (the lesson says so); every other run ends on screen.
LEAVES_THE_PLOT = {("saddle", 0), ("newton-saddle", 1)}


def test_every_preset_loads_draws_and_shows_its_claim(page, artifacts):
    open_page(page)
    buttons = page.locator("#presets .preset")
    ids = [buttons.nth(i).get_attribute("data-preset") for i in range(buttons.count())]
    assert sorted(ids) == sorted(PRESET_CHECKS)
    failures = []
    for preset_id in ids:
        page.locator(f'#presets [data-preset="{preset_id}"]').click()
        wait_idle(page)
        expect(page.locator("#lesson-text")).not_to_be_empty()
        st, d = statuses(page), drawn(page)
        try:
            assert d.paths and all(len(p) > 1 for p in d.paths), "draws a path per run"
            assert not any(s.startswith("error") for s in st), st
            assert_no_path_hidden(d)
            for i, p in enumerate(d.paths):
                if (preset_id, i) not in LEAVES_THE_PLOT:
                    assert d.on_screen(p[-1]), f"run {i + 1} ends off the plot"
            # the words and the picture share the screen
            for sel in ("#lesson-note", "#plot .nsewdrag"):
                box = page.locator(sel).first.bounding_box()
                assert box["y"] >= 0 and box["y"] + box["height"] <= 900, f"{sel} off screen"
            PRESET_CHECKS[preset_id](page, st, d)
        except AssertionError as err:
            failures.append(f"{preset_id}: {err} (statuses {st})")
        page.screenshot(path=artifacts / f"preset-{preset_id}.png")
    assert not failures, "\n".join(failures)
