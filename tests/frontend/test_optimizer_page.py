"""Browser tests of the optimizer page (index.html) against the real server."""

import csv
import io
import itertools
import json
import math
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.frontend.site_pages import open_page, wait_idle, wait_scene

PHONE = {"width": 390, "height": 844}

PATHS_JS = """() => {
  const gd = document.getElementById('plot');
  return (gd.data || []).filter(t => t.meta && t.meta.role === 'path')
    .map(t => ({x: Array.from(t.x), y: Array.from(t.y), name: t.name}));
}"""
SERIES_JS = """(id) => (document.getElementById(id).data || [])
  .filter(t => t.meta && t.meta.run && t.meta.role !== 'cursor' && t.meta.role !== 'stability')
  .map(t => Array.from(t.y))"""


# ---- helpers --------------------------------------------------------------------------------


def paths(page) -> list[list[tuple[float, float]]]:
    wait_idle(page)
    return [list(zip(p["x"], p["y"], strict=True)) for p in page.evaluate(PATHS_JS)]


def series(page, chart_id: str) -> list[list]:
    wait_idle(page)
    return page.evaluate(SERIES_JS, chart_id)


def statuses(page) -> list[str]:
    wait_idle(page)
    return page.locator("#run-list .run-status").all_inner_texts()


def legend(page) -> str:
    return " | ".join(page.locator("#plot-legend .legend-item").all_inner_texts())


def path_length(points) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))


def load_preset(page, preset_id: str) -> None:
    page.locator(f'#presets [data-preset="{preset_id}"]').click()
    wait_idle(page)


def set_quadratic_sgd(page, lr: str, steps: str = "50") -> None:
    page.get_by_label("Surface", exact=True).select_option("quadratic")
    page.get_by_label("Optimizer", exact=True).select_option("sgd")
    page.get_by_label("Learning rate", exact=True).fill(lr)
    page.get_by_label("Steps", exact=True).fill(steps)
    page.get_by_label("Tolerance", exact=True).fill("0")
    wait_idle(page)


# ---- tests ----------------------------------------------------------------------------------


def test_page_loads_without_errors_and_draws_a_race(page, artifacts):
    open_page(page)
    assert page.title().startswith("Gradscape")
    drawn = paths(page)
    assert len(drawn) >= 2, "the default view is a race of several optimizers"
    assert all(len(p) > 1 for p in drawn)
    kinds = page.evaluate("document.getElementById('plot').data.map(t => t.type)")
    assert "contour" in kinds
    roles = page.evaluate("document.getElementById('plot').data.map(t => t.meta && t.meta.role)")
    assert "minimum" in roles and "start" in roles
    assert len(series(page, "loss-chart")) == len(drawn)
    assert len(series(page, "lr-chart")) == len(drawn)
    expect(page.get_by_role("link", name="Networks", exact=True)).to_have_attribute(
        "href", "networks.html"
    )
    page.screenshot(path=artifacts / "main-view.png")


def test_phone_layout_fits_the_screen(browser, server, artifacts):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.base_url = server
    open_page(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page scrolls sideways on a phone ({width}px)"
    plot_box = page.locator("#plot").bounding_box()
    assert plot_box["width"] > 300
    page.screenshot(path=artifacts / "phone-view.png")
    context.close()


def test_labelled_controls_draw_a_path_with_one_point_per_step(page):
    open_page(page)
    set_quadratic_sgd(page, lr="0.1", steps="50")
    selected = page.evaluate("document.querySelector('#run-list .selected') !== null")
    assert selected
    first = paths(page)[0]
    assert len(first) == 51
    assert first[0] == pytest.approx((-2.5, 2.0))
    # gradient descent on (x^2 + y^2)/2 shrinks the point by (1 - lr) each step
    assert first[50][0] == pytest.approx(-2.5 * 0.9**50, rel=1e-6)
    # the log slider follows the number box
    slider = float(page.get_by_label("lr, log scale slider").input_value())
    assert slider == pytest.approx(-1.0, abs=0.01)


def test_learning_rate_slider_reruns(page):
    open_page(page)
    set_quadratic_sgd(page, lr="0.1", steps="20")
    page.get_by_label("lr, log scale slider").fill("-0.5")  # lr = 10^-0.5
    wait_idle(page)
    assert float(page.get_by_label("Learning rate", exact=True).input_value()) == pytest.approx(
        0.316, rel=1e-3
    )
    first = paths(page)[0]
    assert first[1][0] == pytest.approx(-2.5 * (1 - 0.316), rel=1e-3)


def test_too_high_learning_rate_shows_diverged(page):
    open_page(page)
    set_quadratic_sgd(page, lr="2.5", steps="200")
    assert statuses(page)[0].startswith("diverged at step")
    assert "diverged at step" in legend(page)


def test_click_on_the_plot_sets_the_start_point(page):
    open_page(page)
    set_quadratic_sgd(page, lr="0.1", steps="30")
    target = (1.0, -1.5)
    # Pixel position of the target from Plotly's own axis conversion, then a real mouse click.
    px, py = page.evaluate(
        """([x, y]) => {
          const gd = document.getElementById('plot');
          const L = gd._fullLayout, box = gd.getBoundingClientRect();
          return [box.left + L.xaxis._offset + L.xaxis.l2p(x),
                  box.top + L.yaxis._offset + L.yaxis.l2p(y)];
        }""",
        list(target),
    )
    page.mouse.click(px, py)
    wait_idle(page)
    for path in paths(page):
        assert path[0] == pytest.approx(target, abs=0.03)
    assert float(page.get_by_label("Start x").input_value()) == pytest.approx(1.0, abs=0.03)
    assert float(page.get_by_label("Start y").input_value()) == pytest.approx(-1.5, abs=0.03)


def test_animation_controls_move_the_cursor(page):
    open_page(page)
    set_quadratic_sgd(page, lr="0.1", steps="40")
    page.get_by_role("button", name="Restart").click()
    page.get_by_role("button", name="Pause").click()
    page.get_by_label("Animation position").fill("10")
    page.get_by_role("button", name="Step forward").click()
    page.get_by_role("button", name="Step forward").click()
    page.get_by_role("button", name="Step back").click()
    page.wait_for_timeout(100)
    drawn = page.evaluate("window.gradscape.drawn")
    assert drawn["frame"] == 11
    head = drawn["runs"][0]
    assert head["step"] == 11 and head["onScreen"]
    assert head["point"] == pytest.approx((-2.5 * 0.9**11, 2.0 * 0.9**11), rel=1e-9)
    assert page.locator("#frame-label").inner_text() == "step 11 / 40"
    assert "step 11 · loss" in legend(page)


def test_3d_view_draws_paths_on_the_surface(page):
    open_page(page)
    page.get_by_label("3D view").check()
    got = wait_scene(page, 2)
    runs = page.evaluate("window.gradscape.runs.map(r => r.uid)")
    assert [p["uid"] for p in got["paths"]] == runs
    assert '"view3d":1' in page.evaluate("decodeURIComponent(location.hash)")


MESH_CHECK_JS = """() => {
  const gd = document.getElementById('plot');
  const { mesh, paths } = gd._scene3d.state();
  const [xs, ys, z] = [mesh.x, mesh.y, mesh.z];
  const at = (x, y) => {
    const fx = (x - xs[0]) / (xs[xs.length - 1] - xs[0]) * (xs.length - 1);
    const fy = (y - ys[0]) / (ys[ys.length - 1] - ys[0]) * (ys.length - 1);
    const i = Math.min(Math.floor(fy), ys.length - 2), j = Math.min(Math.floor(fx), xs.length - 2);
    const u = fx - j, v = fy - i;
    // a cell's corners need not lie in a plane: check both of its triangulations
    const [a, b, c, d] = [z[i][j], z[i][j + 1], z[i + 1][j], z[i + 1][j + 1]];
    const one = u + v <= 1
      ? a + (b - a) * u + (c - a) * v
      : d + (c - d) * (1 - u) + (b - d) * (1 - v);
    const two = u >= v ? a + (b - a) * u + (d - b) * v : a + (c - a) * v + (d - c) * u;
    return Math.max(one, two);
  };
  let below = 0, checked = 0;
  for (const t of paths) {
    for (let k = 0; k < t.x.length; k++) {
      if (t.z[k] === null) continue;
      checked++;
      if (t.z[k] < at(t.x[k], t.y[k])) below++;
    }
  }
  const canvases = Array.from(gd.querySelectorAll('canvas'));
  return {
    side: [xs.length, ys.length], below, checked, canvases: canvases.length,
    webgl: canvases.some(c => c.getContext('webgl') !== null || c.getContext('webgl2') !== null),
  };
}"""


def test_3d_scene_is_light_to_draw_and_paths_lie_on_the_drawn_surface(page):
    """Switching to 3D must not freeze the page under software rendering: the scene is one 2D
    canvas (no WebGL context, whose first frame alone blocked the page 260-280 ms here), its
    mesh thinned to 61 per side; and on the thinner mesh a path in Rosenbrock's narrow valley
    still lies on the surface the viewer sees, not under it."""
    runs = [{"o": "sgd", "p": {"lr": 0.001}}, {"o": "adam", "p": {"lr": 0.01}}]
    state = {"surface": "rosenbrock", "steps": 3000, "start": [-1.5, 2], "runs": runs}
    open_page(page, "#s=" + json.dumps(state))
    page.get_by_label("3D view").check()
    wait_scene(page, 2)
    got = page.evaluate(MESH_CHECK_JS)
    assert got["side"] == [61, 61]
    assert got["checked"] > 200 and got["below"] == 0
    assert got["canvases"] == 1 and got["webgl"] is False


def test_each_surface_shows_its_own_domain_even_after_the_3d_view(page, server):
    """Plotly.react once kept himmelblau's x range for the next surface after a 3D round trip."""
    domains = {s["id"]: s["domain"] for s in httpx.get(f"{server}/api/surfaces").json()}
    ranges_js = (
        "() => { const l = document.getElementById('plot')._fullLayout; "
        "return [l.xaxis.range, l.yaxis.range]; }"
    )
    open_page(page)
    page.get_by_label("Surface").select_option("himmelblau")
    wait_idle(page)
    page.get_by_label("3D view").check()
    wait_idle(page)
    page.get_by_label("3D view").uncheck()
    wait_idle(page)
    for surface in ("logistic_regression", "ravine", "beale"):
        page.get_by_label("Surface").select_option(surface)
        wait_idle(page)
        x_range, y_range = page.evaluate(ranges_js)
        assert x_range == pytest.approx(domains[surface]["x"])
        assert y_range == pytest.approx(domains[surface]["y"])


def test_url_round_trip_restores_controls_and_paths(page, browser):
    open_page(page)
    page.get_by_label("Surface", exact=True).select_option("ravine")
    page.get_by_label("Optimizer", exact=True).select_option("adam")
    page.get_by_label("Learning rate", exact=True).fill("0.2")
    page.get_by_label("Steps", exact=True).fill("80")
    page.get_by_label("beta1").fill("0.8")
    page.get_by_role("button", name="+ Add run").click()
    page.get_by_label("Optimizer", exact=True).select_option("nesterov")
    page.get_by_label("Colour of run 4").fill("#123456")
    page.get_by_label("Schedule").select_option("cosine")
    wait_idle(page)

    def snapshot():
        wait_idle(page)
        return {
            "surface": page.get_by_label("Surface", exact=True).input_value(),
            "optimizer": page.get_by_label("Optimizer", exact=True).input_value(),
            "schedule": page.get_by_label("Schedule").input_value(),
            "steps": page.get_by_label("Steps", exact=True).input_value(),
            "start": (
                page.get_by_label("Start x").input_value(),
                page.get_by_label("Start y").input_value(),
            ),
            "runs": page.locator("#run-list .run-name").all_inner_texts(),
            "colors": [
                page.locator("#run-list input[type=color]").nth(i).input_value() for i in range(4)
            ],
            "paths": paths(page),
        }

    before = snapshot()
    assert before["runs"][0].startswith("1. Adam") and before["colors"][3] == "#123456"
    url = page.url
    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert snapshot() == before
    fresh = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    fresh.base_url = page.base_url
    fresh.goto(url)
    fresh.wait_for_function("document.body.dataset.ready === 'true'")
    page, original = fresh, page
    assert snapshot() == before
    fresh.context.close()
    page = original


def _api_run(server: str, body: dict) -> dict:
    response = httpx.post(f"{server}/api/runs", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def test_export_csv_and_json_hold_the_api_numbers(page, server):
    open_page(page)
    load_preset(page, "lr-too-high")
    expected = [
        _api_run(
            server,
            {
                "surface": "ravine",
                "optimizer": "sgd",
                "params": {"lr": lr},
                "start": [-3.5, 0.3],
                "steps": 30,
            },
        )
        for lr in (0.0825, 0.07)
    ]
    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Runs as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    for run, result in enumerate(expected, start=1):
        mine = [r for r in rows if r["run"] == str(run)]
        assert len(mine) == len(result["points"])
        assert [(float(r["x"]), float(r["y"])) for r in mine] == [
            tuple(p) for p in result["points"]
        ]
        assert [float(r["loss"]) for r in mine] == result["loss"]
        assert [float(r["lr"]) for r in mine] == result["lr"]

    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Runs as JSON").click()
    exported = json.loads(Path(info.value.path()).read_text())
    for run, result in zip(exported["runs"], expected, strict=True):
        for key in ("points", "loss", "grad_norm", "lr", "status", "steps_taken", "message"):
            assert run["result"][key] == result[key], key
        assert _api_run(server, run["request"]) == result  # the request reproduces the run

    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Plot as PNG").click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lessons_link_to_presets_and_the_networks_page(page):
    open_page(page)
    links = page.locator("#lessons .lesson-link")
    assert links.count() == 6
    hrefs = [links.nth(i).get_attribute("href") for i in range(6)]
    assert "networks.html" in hrefs
    page.get_by_role("link", name="saddle point", exact=False).first.click()
    wait_idle(page)
    assert page.get_by_label("Surface", exact=True).input_value() == "saddle"
    assert page.get_by_label("3D view").is_checked()
    expect(page.locator("#lesson-title")).to_contain_text("Saddle")


@pytest.mark.parametrize("preset", ["race", "ravine", "newton-saddle"])
def test_phone_mode_bar_sits_above_the_plot_not_over_it(browser, server, preset):
    """Touch screens show Plotly's mode bar all the time: it must not cover the plot area
    (the ravine's wide domain fills the plot's height, so its top edge met the mode bar)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base_url = server
    open_page(page, f"#preset={preset}")
    page.locator("#plot").scroll_into_view_if_needed()
    bar = page.locator("#plot .modebar").bounding_box()
    area = page.locator("#plot .nsewdrag").bounding_box()
    assert bar is not None and bar["height"] > 10, "the mode bar is shown"
    assert bar["y"] + bar["height"] <= area["y"] + 1
    context.close()


def test_phone_3d_view_shows_the_whole_box(browser, server):
    """On a phone-wide plot the default camera cropped the box's sides and their tick labels:
    every corner of the axis box must project well inside the plot, and every tick label and
    axis title lie inside it, none over another (where two edges meet, at the corners)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base_url = server
    for preset in ("race", "lr-too-low", "saddle"):
        open_page(page, f"#preset={preset}&view=3d")
        got = wait_scene(page)
        for x, y in got["corners"]:
            assert 30 <= x <= got["width"] - 30, got
            assert 10 <= y <= got["height"] - 10, got
        labels = got["labels"]
        assert len(labels) >= 12, labels  # ticks on three axes and two titles at least
        for a, b in itertools.combinations(labels, 2):
            apart = a["x1"] < b["x0"] or b["x1"] < a["x0"] or a["y1"] < b["y0"] or b["y1"] < a["y0"]
            assert apart, (preset, a, b)
        for box in labels:
            assert box["x0"] >= 0 and box["x1"] <= got["width"], (preset, box)
            assert box["y0"] >= 0 and box["y1"] <= got["height"], (preset, box)
    context.close()
