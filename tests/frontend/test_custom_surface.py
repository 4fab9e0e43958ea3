"""Browser tests of the custom-formula surface on the optimizer page."""

import json
import math

import httpx
import pytest

from tests.frontend.site_pages import open_page, wait_idle
from tests.frontend.test_optimizer_page import paths

BEALE = "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2"


def plot_roles(page) -> dict[str, list[tuple[float, float]]]:
    traces = page.evaluate(
        """() => document.getElementById('plot').data
          .filter(t => t.meta && t.meta.role && !t.meta.run)
          .map(t => ({role: t.meta.role, x: Array.from(t.x || []), y: Array.from(t.y || [])}))"""
    )
    return {t["role"]: list(zip(t["x"], t["y"], strict=True)) for t in traces}


def choose_custom(page) -> None:
    page.get_by_label("Surface", exact=True).select_option("custom")
    page.wait_for_function("document.getElementById('custom-formula').hidden === false")
    wait_idle(page)


def type_formula(page, text: str) -> None:
    box = page.get_by_label("f(x, y) =")
    box.fill(text)
    page.wait_for_function(
        "['ok', 'error'].includes(document.body.dataset.formula)", timeout=10_000
    )
    wait_idle(page)


def test_typed_formula_draws_its_contour_stationary_points_and_runs(page, artifacts):
    open_page(page)
    choose_custom(page)
    type_formula(page, "x^3 - 3*x + y^2")
    assert page.evaluate("document.body.dataset.formula") == "ok"
    roles = plot_roles(page)
    assert roles["minimum"] == [pytest.approx((1.0, 0.0))]
    assert roles["saddle"] == [pytest.approx((-1.0, 0.0))]
    message = page.locator("#formula-message").inner_text()
    assert "1 minimum, 1 saddle" in message and "∇f = (3*x^2 - 3, 2*y)" in message
    z = page.evaluate("document.getElementById('plot').data[0].z")
    assert len(z) == 121 and len(z[0]) == 121
    drawn = paths(page)
    assert drawn and all(len(p) > 1 for p in drawn)
    # the contour spans the formula's range
    xs = page.evaluate("Array.from(document.getElementById('plot').data[0].x)")
    assert xs[0] == -3 and xs[-1] == 3
    page.screenshot(path=artifacts / "custom-formula.png")


def test_errors_are_underlined_where_they_are_as_you_type(page, artifacts):
    page.problems.allowed.append("HTTP 422")
    page.problems.allowed.append("422 (Unprocessable")
    open_page(page)
    choose_custom(page)
    type_formula(page, "x^2 + y)")
    assert page.evaluate("document.body.dataset.formula") == "error"
    assert page.locator("#formula-message").inner_text().startswith("unexpected ')' at position 7")
    mark = page.locator("#formula-mirror .formula-culprit")
    assert mark.inner_text() == ")"
    before = page.evaluate("document.getElementById('formula-mirror').firstChild.textContent")
    assert before == "x^2 + y"  # the mark sits on character 7
    assert page.get_by_label("f(x, y) =").get_attribute("aria-invalid") == "true"
    # The underline is drawn where the ')' is in the text box.
    box = page.locator("#formula").bounding_box()
    m = mark.bounding_box()
    assert box["x"] < m["x"] < box["x"] + box["width"] and box["y"] < m["y"] < box["y"] + 40
    page.screenshot(path=artifacts / "custom-formula-error.png")
    type_formula(page, "2x + y")
    assert "write 2*x" in page.locator("#formula-message").inner_text()
    assert page.locator("#formula-mirror .formula-culprit").inner_text() == "x"
    type_formula(page, "foo(x)")
    assert "valid names: x, y, pi, e, sin" in page.locator("#formula-message").inner_text()
    # A bad formula leaves the last good one drawn; fixing it clears the mark.
    type_formula(page, "2*x^2 + y^2")
    assert page.evaluate("document.body.dataset.formula") == "ok"
    assert page.locator("#formula-mirror .formula-culprit").count() == 0
    assert plot_roles(page)["minimum"] == [pytest.approx((0.0, 0.0))]


def test_range_is_editable(page):
    open_page(page)
    choose_custom(page)
    page.get_by_label("x from").fill("-1")
    page.get_by_label("x to").fill("5")
    page.wait_for_function("document.body.dataset.formula === 'ok'")
    wait_idle(page)
    xs = page.evaluate("Array.from(document.getElementById('plot').data[0].x)")
    assert xs[0] == -1 and xs[-1] == 5
    page.get_by_label("y to").fill("-4")  # below "from": refused in the page
    page.wait_for_function("document.body.dataset.formula === 'error'")
    assert "less than" in page.locator("#formula-message").inner_text()


def test_formula_lives_in_the_link_and_the_exports(page, browser, server):
    open_page(page)
    choose_custom(page)
    type_formula(page, "sin(x) + (y - 1)^2")
    link = page.url
    assert "#" in link
    fresh = browser.new_context().new_page()
    fresh.goto(link)
    fresh.wait_for_function("document.body.dataset.ready === 'true'")
    wait_idle(fresh)
    assert fresh.get_by_label("Surface", exact=True).input_value() == "custom"
    assert fresh.get_by_label("f(x, y) =").input_value() == "sin(x) + (y - 1)^2"
    assert paths(fresh) == paths(page)
    fresh.context.close()
    with page.expect_download() as info:
        page.locator("summary", has_text="Export").click()
        page.locator("#export-json").click()
    with open(info.value.path()) as f:
        exported = json.load(f)
    request = exported["runs"][0]["request"]
    assert request["surface"] == {
        "expression": "sin(x) + (y - 1)^2",
        "x_range": [-3, 3],
        "y_range": [-3, 3],
    }
    # The exported request replays to the same points through the API.
    replay = httpx.post(f"{server}/api/runs", json=request).json()
    assert replay["points"] == exported["runs"][0]["result"]["points"]


def test_examples_load_in_one_click(page, artifacts):
    open_page(page)
    choose_custom(page)
    for name, check in (
        ("Tilted ravine", lambda r: r["minimum"] == [pytest.approx((2.0, 1.0))]),
        ("Monkey saddle, tilted", lambda r: len(r["saddle"]) == 2),
        ("Narrow curved valley", lambda r: r["minimum"] == [pytest.approx((0.0, 0.0))]),
    ):
        page.get_by_role("button", name=name).click()
        page.wait_for_function("document.body.dataset.formula === 'ok'")
        wait_idle(page)
        assert check(plot_roles(page)), name
    page.screenshot(path=artifacts / "custom-formula-example.png")


def test_subgradient_example_shows_sgd_zigzag_while_adam_settles(page, artifacts):
    open_page(page)
    choose_custom(page)
    page.get_by_role("button", name="|x| + 10|y|: SGD vs Adam").click()
    page.wait_for_function("document.body.dataset.formula === 'ok'")
    wait_idle(page)
    note = page.locator("#lesson-note")
    assert note.is_visible() and "zig-zags" in note.inner_text()
    assert note.bounding_box()["y"] + note.bounding_box()["height"] < 900
    legend = page.locator("#plot-legend .legend-item").all_inner_texts()
    assert any("SGD" in t for t in legend) and any("Adam" in t for t in legend)
    # The runs' own points, as the page holds them (the drawn paths are thinned to pixels).
    runs = page.evaluate(
        """() => window.gradscape.runs.map(r => ({
            optimizer: r.optimizer, points: window.gradscape.results[r.uid].points}))"""
    )
    assert [r["optimizer"] for r in runs] == ["sgd", "adam"]
    sgd, adam = (r["points"] for r in runs)
    assert len(sgd) == len(adam) == 201
    # SGD still jumps lr * 10 = 0.5 across y = 0 at every late step; Adam's steps shrank.
    sgd_swing = max(abs(p[1]) for p in sgd[-20:])
    adam_swing = max(abs(p[1]) for p in adam[-20:])
    assert sgd_swing >= 0.2 and adam_swing <= 0.05 and adam_swing < sgd_swing / 5
    sgd_loss = abs(sgd[-1][0]) + 10 * abs(sgd[-1][1])
    adam_loss = abs(adam[-1][0]) + 10 * abs(adam[-1][1])
    assert adam_loss < sgd_loss / 5
    page.screenshot(path=artifacts / "custom-formula-subgradients.png")


def test_undefined_points_show_a_diverged_run_and_a_gap_in_the_contour(page):
    open_page(page)
    choose_custom(page)
    type_formula(page, "log(x) + y^2")
    page.get_by_label("Start x").fill("1")
    page.get_by_label("Start y").fill("1")
    page.get_by_label("Optimizer", exact=True).select_option("sgd")
    page.get_by_label("Learning rate", exact=True).fill("0.5")
    wait_idle(page)
    status = page.locator("#run-list .run-status").first.inner_text()
    assert "diverged at step 2" in status
    z = page.evaluate("document.getElementById('plot').data[0].z")
    assert z[60][0] is None and z[60][120] == pytest.approx(math.log(3), rel=1e-9)


def test_phone_layout_with_the_formula_box(browser, server, artifacts):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.base_url = server
    open_page(page)
    choose_custom(page)
    type_formula(page, "x^2 + 10*y^2")
    # The formula box and everything in it fit the phone's width.
    right = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('#custom-formula, #custom-formula *')]
            .map(e => e.getBoundingClientRect().right))"""
    )
    assert right <= 390
    page.locator("#custom-formula").screenshot(path=artifacts / "custom-formula-phone.png")
    context.close()


def test_curvature_readouts_work_for_a_formula(page):
    """The site's curvature views ask the API about the formula, not an id."""
    from playwright.sync_api import expect

    from tests.frontend.test_curvature_page import hover

    open_page(page)
    choose_custom(page)
    type_formula(page, "x^2 + 10*y^2 + x*y")
    # The bounds are asked for once the runs are in, so they arrive after them.
    page.wait_for_function(
        """() => (document.getElementById('lr-chart').data || [])
          .some(t => t.meta && t.meta.role === 'stability')""",
        timeout=20_000,
    )
    bounds = page.evaluate(
        """() => (document.getElementById('lr-chart').data || [])
          .filter(t => t.meta && t.meta.role === 'stability').map(t => Array.from(t.y))"""
    )
    # The Hessian [[2, 1], [1, 20]] is the same everywhere: 2/λmax along every run.
    lam = 11 + math.sqrt(81 + 1)
    assert bounds and all(v == pytest.approx(2 / lam, rel=1e-12) for b in bounds for v in b)
    row = hover(page, 1.0, -0.5)
    x, y = (float(v) for v in row["at"].strip("()").split(","))
    assert float(row["f"]) == pytest.approx(x * x + 10 * y * y + x * y, rel=2e-3)
    assert float(row["2/λmax"]) == pytest.approx(2 / lam, rel=1e-3)
    expect(page.locator("#curvature-readout")).to_contain_text("minimum")
