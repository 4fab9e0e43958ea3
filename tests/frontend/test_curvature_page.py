"""Curvature you can see: the hover readout with eigen-axes, 2/λmax on the learning-rate
chart, "Suggest" (1/λmax at the start) and the per-surface default learning rates."""

import math

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.frontend.site_pages import open_page, wait_idle


def pixel(page, x: float, y: float) -> tuple[float, float]:
    return page.evaluate(
        """([x, y]) => {
          const gd = document.getElementById('plot');
          const L = gd._fullLayout, box = gd.getBoundingClientRect();
          return [box.left + L.xaxis._offset + L.xaxis.l2p(x),
                  box.top + L.yaxis._offset + L.yaxis.l2p(y)];
        }""",
        [x, y],
    )


def hover(page, x: float, y: float) -> dict:
    page.mouse.move(*pixel(page, x, y))
    readout = page.locator("#curvature-readout")
    expect(readout).to_be_visible()
    rows = readout.locator(".curvature-row")
    expect(rows).to_have_count(8)
    return dict(
        zip(
            rows.locator(".curvature-key").all_inner_texts(),
            rows.locator(".curvature-value").all_inner_texts(),
            strict=True,
        )
    )


def axes(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.curvature-axes line')].map(l => ({
            dx: l.x2.baseVal.value - l.x1.baseVal.value,
            dy: l.y2.baseVal.value - l.y1.baseVal.value,
            cx: (l.x1.baseVal.value + l.x2.baseVal.value) / 2,
            cy: (l.y1.baseVal.value + l.y2.baseVal.value) / 2,
            lam: Number(l.dataset.lambda), stroke: l.getAttribute('stroke')}))"""
    )


def test_hover_reads_out_the_ravines_curvature(page):
    open_page(page, "#preset=ravine")
    row = hover(page, 1.0, 0.5)
    x, y = (float(v) for v in row["at"].strip("()").split(","))
    # f = (x² + 25 y²)/2 by hand, at the point the readout names
    assert float(row["f"]) == pytest.approx(0.5 * (x * x + 25 * y * y), rel=2e-3)
    gx, gy = (float(v) for v in row["∇f"].strip("()").split(","))
    assert (gx, gy) == pytest.approx((x, 25 * y), rel=2e-3)
    assert row["λ₁, v₁"].startswith("1,") and row["λ₂, v₂"].startswith("25,")
    assert "minimum" in row["kind"] or "bowl" in row["kind"]
    assert float(row["κ"]) == pytest.approx(25)
    assert float(row["2/λmax"]) == pytest.approx(0.08)
    lines = axes(page)
    assert len(lines) == 2
    flat, steep = sorted(lines, key=lambda line: line["lam"])
    assert abs(flat["dy"]) < 1e-6 and abs(steep["dx"]) < 1e-6, "x and y are the eigenvectors"
    assert math.hypot(steep["dx"], steep["dy"]) > math.hypot(flat["dx"], flat["dy"])


def test_eigen_axes_turn_with_a_rotated_bowl_and_saddles_show_red(page):
    open_page(page)
    page.get_by_label("Surface", exact=True).select_option("booth")
    wait_idle(page)
    hover(page, 2.0, -3.0)
    # Booth's Hessian is [[10, 8], [8, 10]]: λ = 2 along (1, -1) and 18 along (1, 1)
    vals, vecs = np.linalg.eigh([[10.0, 8.0], [8.0, 10.0]])
    flat, steep = sorted(axes(page), key=lambda line: line["lam"])
    assert (flat["lam"], steep["lam"]) == pytest.approx(tuple(vals))
    for line, v in ((flat, vecs[:, 0]), (steep, vecs[:, 1])):
        # on screen y points down; Booth's plot has equal scales on x and y
        cos = abs(line["dx"] * v[0] - line["dy"] * v[1]) / math.hypot(line["dx"], line["dy"])
        assert cos == pytest.approx(1.0, abs=0.02)
    origin = page.locator("#plot").evaluate(
        "e => { const r = e.parentElement.getBoundingClientRect(); return [r.left, r.top]; }"
    )
    px = pixel(page, 2.0, -3.0)
    assert (flat["cx"] + origin[0], flat["cy"] + origin[1]) == pytest.approx(px, abs=2)
    page.get_by_label("Surface", exact=True).select_option("saddle")
    expect(page.locator("#curvature-readout")).to_be_hidden()  # it described Booth
    wait_idle(page)
    page.mouse.move(5, 5)  # a user leaves the plot for the menu and comes back
    row = hover(page, 0.5, 0.5)
    assert "saddle" in row["kind"]
    strokes = {line["lam"] > 0: line["stroke"] for line in axes(page)}
    assert strokes[True] != strokes[False], "curving up and curving down look different"
    page.mouse.move(5, 5)
    expect(page.locator("#curvature-readout")).to_be_hidden()


def test_learning_rate_chart_draws_two_over_lambda_max_along_each_run(page):
    open_page(page, "#preset=race")
    page.wait_for_function(  # the bounds are asked for once each run has finished
        """() => (document.getElementById('lr-chart').data || [])
          .filter(t => t.meta && t.meta.role === 'stability').length === 3"""
    )
    bounds = page.evaluate(
        """() => (document.getElementById('lr-chart').data || [])
          .filter(t => t.meta && t.meta.role === 'stability')
          .map(t => ({run: t.meta.run, x: Array.from(t.x), y: Array.from(t.y)}))"""
    )
    assert len(bounds) == 3
    paths = page.evaluate(
        """() => document.getElementById('plot').data.filter(t => t.meta && t.meta.role === 'path')
          .map(t => ({run: t.meta.run, x: Array.from(t.x), y: Array.from(t.y)}))"""
    )
    by_run = {p["run"]: list(zip(p["x"], p["y"], strict=True)) for p in paths}
    for b in bounds:
        steps = b["x"][::40]
        points = [by_run[b["run"]][k] for k in steps]
        # independent: the Rosenbrock Hessian by hand, its largest eigenvalue by numpy
        for k, (x, y) in zip(steps, points, strict=True):
            h = np.array([[1200 * x * x - 400 * y + 2, -400 * x], [-400 * x, 200.0]])
            lam = np.linalg.eigvalsh(h)[-1]
            assert b["y"][b["x"].index(k)] == pytest.approx(2 / lam, rel=1e-9)
    # the race's SGD (lr 0.001) runs above the bound on the steep wall: visible where it happens
    sgd = next(b for b in bounds if b["run"] == paths[2]["run"])
    assert min(sgd["y"][:3]) < 0.001 < max(sgd["y"])


def test_suggest_sets_one_over_lambda_max_at_the_start_and_says_what_it_means(page):
    open_page(page, "#preset=lr-too-high")
    button = page.get_by_role("button", name="Suggest")
    assert "1/λmax" in (button.get_attribute("title") or "")
    expect(page.locator("#suggest-lr-note")).to_contain_text("stable")
    button.click()
    lr = page.get_by_label("Learning rate", exact=True)
    expect(lr).to_have_value(str(1 / 25))  # ravine: λmax = 25 everywhere
    wait_idle(page)
    expect(page.locator("#suggest-lr-note")).to_contain_text("2/λmax = 0.08")
    path = page.evaluate(
        "document.getElementById('plot').data.find(t => t.meta && t.meta.role === 'path').y"
    )
    assert abs(path[1]) < 1e-12, "at 1/λmax the steep direction is solved in one step"
    page.get_by_label("Surface", exact=True).select_option("monkey_saddle")
    page.get_by_label("Start x").fill("0")
    page.get_by_label("Start y").fill("0")
    wait_idle(page)
    before = lr.input_value()
    button.click()
    expect(page.locator("#suggest-lr-note")).to_contain_text("No upward curvature")
    assert lr.input_value() == before


def test_switching_optimizer_or_surface_sets_a_rate_that_moves(page, server):
    surfaces = {s["id"]: s for s in httpx.get(f"{server}/api/surfaces").json()}
    open_page(page)
    page.get_by_label("Surface", exact=True).select_option("quadratic")
    for optimizer in ("adam", "sgd", "newton", "lbfgs", "adagrad"):
        page.get_by_label("Optimizer", exact=True).select_option(optimizer)
        expected = surfaces["quadratic"]["suggested_lr"][optimizer]
        got = float(page.get_by_label("Learning rate", exact=True).input_value())
        assert got == pytest.approx(expected), optimizer
    assert surfaces["quadratic"]["suggested_lr"]["newton"] == 1
    wait_idle(page)
    # an untouched rate follows the surface; a rate the user typed stays
    page.get_by_label("Surface", exact=True).select_option("ravine")
    wait_idle(page)
    got = float(page.get_by_label("Learning rate", exact=True).input_value())
    assert got == pytest.approx(surfaces["ravine"]["suggested_lr"]["adagrad"])
    page.get_by_label("Learning rate", exact=True).fill("0.123")
    page.get_by_label("Surface", exact=True).select_option("booth")
    wait_idle(page)
    assert page.get_by_label("Learning rate", exact=True).input_value() == "0.123"


def _numbers(text: str) -> list[float]:
    return [float(v) for v in text.replace("(", " ").replace(")", " ").replace(",", " ").split()]


def _close(shown: float, exact: float) -> bool:
    # the readout shows 4 significant digits, or 3 in exponent form
    return shown == pytest.approx(exact, rel=6e-3, abs=1e-12)


def test_touch_screens_read_the_curvature_at_the_tapped_point(browser, server):
    """A phone has no hover: a tap moves the start there and the readout shows that point's
    curvature, the same numbers as POST /api/curvature, until the next tap."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.base_url = server
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    open_page(page, "#preset=race")
    readout = page.locator("#curvature-readout")
    expect(readout).to_be_hidden()
    for target in ((0.5, 1.5), (-1.0, -0.5)):
        page.locator("#plot").scroll_into_view_if_needed()
        page.touchscreen.tap(*pixel(page, *target))
        expect(readout).to_be_visible()
        wait_idle(page)
        page.wait_for_timeout(400)  # it stays while the runs restart from there
        expect(readout).to_be_visible()
        rows = readout.locator(".curvature-row")
        row = dict(
            zip(
                rows.locator(".curvature-key").all_inner_texts(),
                rows.locator(".curvature-value").all_inner_texts(),
                strict=True,
            )
        )
        at = _numbers(row["at"])
        assert at == pytest.approx(target, abs=0.03)  # where the finger was
        start = [float(page.get_by_label(f"Start {c}").input_value()) for c in "xy"]
        assert at == pytest.approx(start, rel=1e-3), "the tapped point is the new start"
        c = httpx.post(
            f"{server}/api/curvature", json={"surface": "rosenbrock", "points": [start]}
        ).json()
        assert _close(_numbers(row["f"])[0], c["value"][0])
        assert all(map(_close, _numbers(row["∇f"]), c["gradient"][0]))
        for i, key in enumerate(("λ₁, v₁", "λ₂, v₂")):
            lam, *vec = _numbers(row[key])
            assert _close(lam, c["eigenvalues"][0][i])
            assert all(map(_close, vec, c["eigenvectors"][0][i]))
        assert c["kind"][0] in readout.get_attribute("data-kind")
        assert _close(_numbers(row["κ"])[0], c["condition_number"][0])
        assert _close(_numbers(row["2/λmax"])[0], c["max_stable_lr"][0])
        assert len(axes(page)) == 2  # the eigen-axes are drawn at the tapped point
        # the readout sits under the plot, so the tapped point and its axes stay in view
        area = page.locator("#plot .nsewdrag").bounding_box()
        box = readout.bounding_box()
        assert box["y"] >= area["y"] + area["height"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert not errors, errors
    context.close()
