"""Browser tests of the optimizer page's animation: the race (heads, trails, arrows, legend,
fit, + Add run), what each frame draws, the video export and the rough edges of issue 8.

What the viewer sees is read from `window.gradscape.drawn` (documented in js/main.js) and from
the overlay canvas's pixels; the numbers are checked against the API.
"""

import json
import math
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from tests.frontend.site_pages import open_page, wait_idle, wait_scene

PHONE = {"width": 390, "height": 844}

DRAWN = "window.gradscape.drawn"

# The overlay canvas's colour at a point given in CSS pixels: [r, g, b, a].
PIXEL_JS = """([x, y]) => {
  const c = document.querySelector('#plot').parentElement.querySelector('.plot-overlay');
  const d = window.devicePixelRatio || 1;
  const px = c.getContext('2d').getImageData(Math.round(x * d), Math.round(y * d), 1, 1);
  return Array.from(px.data);
}"""


def state_hash(surface: str, runs: list[dict], steps: int, **extra) -> str:
    compact = {"surface": surface, "steps": steps, "runs": runs, **extra}
    return "#s=" + quote(json.dumps(compact))


def seek(page, frame: int) -> dict:
    """Pause on a frame and return what it drew."""
    if page.evaluate("window.gradscape.playing"):
        page.get_by_role("button", name="Pause").click()
    page.get_by_label("Animation position").fill(str(frame))
    page.wait_for_function(f"{DRAWN}.frame === {frame}")
    return page.evaluate(DRAWN)


def results(page) -> list[dict]:
    return page.evaluate("window.gradscape.runs.map(r => window.gradscape.results[r.uid])")


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def close_to(pixel, color, tol=40) -> bool:
    return pixel[3] > 200 and all(abs(a - b) <= tol for a, b in zip(pixel[:3], color, strict=False))


def plot_box(page) -> dict:
    """The plot area in the plot's own pixels (as the overlay draws), its ranges, and its
    centre in page coordinates (for the mouse)."""
    return page.evaluate(
        """() => { const gd = document.getElementById('plot'), L = gd._fullLayout;
          const r = gd.getBoundingClientRect();
          const box = {left: L.xaxis._offset, right: L.xaxis._offset + L.xaxis._length,
                       top: L.yaxis._offset, bottom: L.yaxis._offset + L.yaxis._length,
                       x: L.xaxis.range, y: L.yaxis.range};
          box.centre = [r.left + (box.left + box.right) / 2, r.top + (box.top + box.bottom) / 2];
          return box; }"""
    )


def curvature(server: str, surface: str, points: list) -> dict:
    response = httpx.post(
        f"{server}/api/curvature", json={"surface": surface, "points": points}, timeout=30
    )
    response.raise_for_status()
    return response.json()


# ---- item 2: the race ----------------------------------------------------------------------


def test_head_trail_and_arrows_show_the_step_taken_and_the_gradient(page, server):
    """Momentum on the ravine: the step taken differs from -lr * gradient, and both are drawn."""
    runs = [{"o": "momentum", "c": "#ff5a36", "p": {"lr": 0.02}}]
    open_page(page, state_hash("ravine", runs, 60, start=[-2.5, 1.5], tol=0))
    drawn = seek(page, 12)
    page.wait_for_function(f"{DRAWN}.runs[0].vectors && {DRAWN}.runs[0].vectors.descent")
    drawn = page.evaluate(DRAWN)
    head = drawn["runs"][0]
    result = results(page)[0]
    points = result["points"]
    assert head["step"] == 12 and head["onScreen"]
    assert head["point"] == points[12]
    step = head["vectors"]["step"]
    assert step == pytest.approx([points[13][0] - points[12][0], points[13][1] - points[12][1]])
    gradient = curvature(server, "ravine", [points[12]])["gradient"][0]
    descent = head["vectors"]["descent"]
    assert descent == pytest.approx([-0.02 * gradient[0], -0.02 * gradient[1]], rel=1e-9)
    # momentum's step is not the gradient step: the two arrows point different ways
    cos = (step[0] * descent[0] + step[1] * descent[1]) / (math.hypot(*step) * math.hypot(*descent))
    assert cos < 0.99
    # the head is drawn in the run's colour, above the path
    assert close_to(page.evaluate(PIXEL_JS, head["px"]), rgb("#ff5a36"))
    # both arrows are drawn: their tips are away from the head, in different directions
    hx, hy = head["px"]
    for tip in (head["vectors"]["stepTip"], head["vectors"]["descentTip"]):
        assert 20 < math.dist(tip, (hx, hy)) <= 91
    # the trail fades: a point far back on it is drawn fainter than one near the head
    near = page.evaluate(
        """([x, y]) => { const L = document.getElementById('plot')._fullLayout;
          return [L.xaxis._offset + L.xaxis.c2p(x), L.yaxis._offset + L.yaxis.c2p(y)]; }""",
        points[11],
    )
    assert page.evaluate(PIXEL_JS, near)[3] > 0


def test_coinciding_runs_stay_distinguishable(page):
    runs = [
        {"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.1}},
        {"o": "sgd", "c": "#1f9bd1", "p": {"lr": 0.1}},
    ]
    open_page(page, state_hash("quadratic", runs, 40))
    styles = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.meta && t.meta.role === 'path')"
        ".map(t => [t.line.width, t.line.dash])"
    )
    assert len(styles) == 2 and styles[0] != styles[1]
    assert styles[0][0] > styles[1][0], "the run drawn below is the wider one"
    drawn = seek(page, 5)
    a, b = drawn["runs"]
    assert a["px"] == pytest.approx(b["px"])  # the same point ...
    x, y = a["px"]
    # ... and both colours show: the later run's head inside the earlier run's ring
    assert close_to(page.evaluate(PIXEL_JS, [x, y]), rgb("#1f9bd1"))
    ring = [page.evaluate(PIXEL_JS, [x + r / 2, y]) for r in range(14, 21)]
    # (antialiased against the rims; still plainly the first run's orange, not the blue)
    assert any(close_to(p, rgb("#ff5a36"), tol=80) for p in ring), ring


def test_a_run_that_leaves_the_view_gets_an_edge_arrow_and_fit_frames_it(page):
    runs = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 2.3}}]
    open_page(page, state_hash("quadratic", runs, 30, start=[-2, 1.5], tol=0))
    last = len(results(page)[0]["points"]) - 1
    drawn = seek(page, last)
    head = drawn["runs"][0]
    box = plot_box(page)
    assert not head["onScreen"]
    arrow = head["edgeArrow"]
    ax, ay = arrow["px"]
    assert box["left"] <= ax <= box["right"] and box["top"] <= ay <= box["bottom"]
    # it points from the plot's centre toward where the head went
    cx, cy = (box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2
    hx, hy = head["px"]
    assert math.atan2(hy - cy, hx - cx) == pytest.approx(arrow["angle"], abs=1e-6)
    assert arrow["text"].startswith(f"1 · step {last} · loss ")
    loss = float(arrow["text"].rsplit(" ", 1)[1])
    assert loss == pytest.approx(results(page)[0]["loss"][last], rel=5e-3)  # 3 digits
    assert close_to(page.evaluate(PIXEL_JS, [ax, ay]), rgb("#ff5a36"))

    page.get_by_role("button", name="Fit").click()
    page.wait_for_function(f"{DRAWN}.runs[0].onScreen")
    box = plot_box(page)
    for x, y in results(page)[0]["points"]:
        assert box["x"][0] <= x <= box["x"][1] and box["y"][0] <= y <= box["y"][1]
    assert "edgeArrow" not in page.evaluate(DRAWN)["runs"][0]
    # double-click resets the view to the surface's domain; the start stays
    page.mouse.dblclick(box["centre"][0] + 8, box["centre"][1])
    page.wait_for_function(f"!{DRAWN}.runs[0].onScreen")
    wait_idle(page)
    assert plot_box(page)["x"] == pytest.approx([-3, 3], abs=0.5)
    assert page.get_by_label("Start x").input_value() == "-2"


def test_legend_shows_each_runs_step_and_loss(page):
    open_page(page)
    drawn = seek(page, 37)
    losses = [r["loss"][37] for r in results(page)]
    items = page.locator("#plot-legend .legend-item").all_inner_texts()
    assert len(items) == len(losses) == len(drawn["runs"])
    for i, (text, loss) in enumerate(zip(items, losses, strict=True)):
        assert text.startswith(f"{i + 1}. ")
        assert "step 37 · loss " in text
        shown = float(text.split("step 37 · loss ")[1].split()[0])
        assert shown == pytest.approx(loss, rel=1e-3)


def test_add_run_adds_a_visibly_different_run(page):
    open_page(page)
    before = page.evaluate("window.gradscape.runs.map(r => [r.optimizer, r.color])")
    page.get_by_role("button", name="+ Add run").click()
    wait_idle(page)
    after = page.evaluate("window.gradscape.runs.map(r => [r.optimizer, r.color])")
    assert len(after) == len(before) + 1
    optimizer, color = after[-1]
    assert optimizer not in {o for o, _ in before}
    assert color not in {c for _, c in before}
    res = results(page)
    new = res[-1]["points"]
    assert res[-1]["status"] in ("completed", "converged")
    assert math.dist(new[0], new[-1]) > 0.5, "the new run moves visibly"
    for other in res[:-1]:
        assert math.dist(new[-1], other["points"][-1]) > 0.05, "and ends elsewhere"


# ---- item 1: paths drawn once, thinned; exports keep every point -----------------------------


def test_long_paths_are_thinned_for_display_but_exported_whole(page):
    runs = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.001}}]
    open_page(page, state_hash("rosenbrock", runs, 10_000, start=[-1.5, 2], tol=0))
    path = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.meta && t.meta.role === 'path')"
        ".map(t => ({x: Array.from(t.x), y: Array.from(t.y), steps: t.customdata.map(c => c[0])}))"
    )[0]
    points = results(page)[0]["points"]
    assert len(points) == 10_001
    assert 50 < len(path["x"]) < 3000
    assert path["steps"][0] == 0 and path["steps"][-1] == 10_000
    for k, x, y in zip(path["steps"], path["x"], path["y"], strict=True):
        assert points[k] == [x, y]  # every drawn point is a real point of the run
    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Runs as CSV").click()
    lines = Path(info.value.path()).read_text().strip().split("\n")
    assert len(lines) == 1 + 10_001


def test_3d_heads_follow_the_frame(page):
    open_page(page)
    page.get_by_label("3D view").check()
    wait_scene(page)
    drawn = seek(page, 150)
    assert drawn["view"] == "3d"
    res = results(page)
    for head, result in zip(drawn["runs"], res, strict=True):
        assert head["step"] == 150 and head["point"] == result["points"][150]
    heads = [h for h in drawn["runs"] if h["onScreen"]]
    assert heads, "the heads are drawn on the surface"
    colors = page.evaluate("window.gradscape.runs.map(r => r.color)")
    # the last run's head is on top: its colour shows at its centre
    top = heads[-1]
    assert close_to(page.evaluate(PIXEL_JS, top["px"]), rgb(colors[top["run"] - 1]))


def test_3d_heads_carry_the_step_and_gradient_arrows_too(page, server):
    """The 3D view draws the same two arrows at each head, level at the head's height."""
    runs = [{"o": "momentum", "c": "#ff5a36", "p": {"lr": 0.02}}]
    open_page(page, state_hash("ravine", runs, 60, start=[-2.5, 1.5], tol=0, view3d=1))
    wait_scene(page)
    seek(page, 12)
    page.wait_for_function(
        f"{DRAWN}.view === '3d' && {DRAWN}.runs[0].vectors && {DRAWN}.runs[0].vectors.descent"
    )
    head = page.evaluate(DRAWN)["runs"][0]
    points = results(page)[0]["points"]
    assert head["step"] == 12 and head["onScreen"]
    step = head["vectors"]["step"]
    assert step == pytest.approx([points[13][0] - points[12][0], points[13][1] - points[12][1]])
    gradient = curvature(server, "ravine", [points[12]])["gradient"][0]
    descent = head["vectors"]["descent"]
    assert descent == pytest.approx([-0.02 * gradient[0], -0.02 * gradient[1]], rel=1e-9)
    hx, hy = head["px"]
    tips = [head["vectors"]["stepTip"], head["vectors"]["descentTip"]]
    lengths = [math.dist(tip, (hx, hy)) for tip in tips]
    assert 20 < max(lengths) <= 91
    assert min(lengths) > 3
    (ax, ay), (bx, by) = ((t[0] - hx, t[1] - hy) for t in tips)
    cos = (ax * bx + ay * by) / (math.hypot(ax, ay) * math.hypot(bx, by))
    assert cos < 0.99, "momentum's step and the gradient step point different ways here too"
    # the arrows are painted: the step arrow's tip region shows the run's colour
    mid = ((hx + tips[0][0] * 3) / 4, (hy + tips[0][1] * 3) / 4)
    assert close_to(page.evaluate(PIXEL_JS, list(mid)), rgb("#ff5a36"), tol=60)


# ---- item 7: video ----------------------------------------------------------------------------


@pytest.mark.parametrize("view3d", [0, 1])
def test_export_the_animation_as_a_webm_video(page, view3d):
    runs = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.1}}]
    open_page(page, state_hash("quadratic", runs, 40, view3d=view3d))
    page.get_by_label("Speed").select_option("4")
    page.locator("summary", has_text="Export").click()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Animation as video (WebM)").click()
    assert info.value.suggested_filename.endswith(".webm")
    data = Path(info.value.path()).read_bytes()
    assert data[:4] == b"\x1a\x45\xdf\xa3", "a WebM (EBML) file"
    assert len(data) > 5_000
    assert b"webm" in data[:64]


# ---- item 8: rough edges ------------------------------------------------------------------


def test_end_and_home_keys_go_to_the_last_and_first_frame(page):
    open_page(page)
    page.locator("#plot").hover()
    page.keyboard.press("End")
    expect(page.locator("#frame-label")).to_have_text("step 400 / 400")
    assert page.evaluate(DRAWN)["frame"] == 400
    page.keyboard.press("Home")
    page.keyboard.press("Space")  # Home restarts playing; pause
    page.wait_for_function("!window.gradscape.playing")
    assert page.evaluate("window.gradscape.frame") < 400


def test_mode_bar_offers_nothing_that_leaves_the_machine(page):
    open_page(page)
    page.locator("#plot").hover()
    titles = page.evaluate(
        "Array.from(document.querySelectorAll('#plot .modebar-btn'))"
        ".map(b => b.getAttribute('data-title') || '')"
    )
    assert any("png" in t.lower() for t in titles), titles  # the mode bar is there
    for t in titles:
        assert not any(w in t.lower() for w in ("cloud", "share", "studio", "upload")), t
    # the 3D view is drawn by the page itself: no mode bar, no link anywhere
    page.get_by_label("3D view").check()
    wait_scene(page)
    assert page.locator("#plot .modebar-btn").count() == 0
    assert page.locator("#plot a").count() == 0


def test_networks_page_mode_bar_offers_nothing_that_leaves_the_machine(page):
    page.goto(f"{page.base_url}/networks.html")
    page.wait_for_function("document.querySelectorAll('.modebar-btn').length > 0", timeout=30_000)
    titles = page.evaluate(
        "Array.from(document.querySelectorAll('.modebar-btn'))"
        ".map(b => b.getAttribute('data-title') || '')"
    )
    assert any("png" in t.lower() for t in titles), titles
    for t in titles:
        assert not any(w in t.lower() for w in ("cloud", "share", "studio", "upload")), t


def test_touch_tap_on_the_plot_moves_the_start(browser, server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base_url = server
    runs = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.1}}]
    open_page(page, state_hash("quadratic", runs, 30))
    target = (1.0, -1.5)
    px, py = page.evaluate(
        """([x, y]) => { const gd = document.getElementById('plot');
          const L = gd._fullLayout, box = gd.getBoundingClientRect();
          return [box.left + L.xaxis._offset + L.xaxis.c2p(x),
                  box.top + L.yaxis._offset + L.yaxis.c2p(y)]; }""",
        list(target),
    )
    page.touchscreen.tap(px, py)
    page.wait_for_function(
        "window.gradscape.results && document.getElementById('start-x').value !== '-2.5'"
    )
    wait_idle(page)
    assert float(page.get_by_label("Start x").input_value()) == pytest.approx(1.0, abs=0.05)
    assert float(page.get_by_label("Start y").input_value()) == pytest.approx(-1.5, abs=0.05)
    assert results(page)[0]["points"][0] == pytest.approx(target, abs=0.05)
    context.close()


def test_double_click_resets_zoom_but_keeps_the_start(page):
    runs = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.1}}]
    open_page(page, state_hash("quadratic", runs, 30))
    page.evaluate("Plotly.relayout('plot', {'xaxis.range': [-1, 1], 'yaxis.range': [-1, 1]})")
    box = plot_box(page)
    assert box["x"] == pytest.approx([-1, 1], abs=0.3)
    page.mouse.dblclick(box["centre"][0] + 30, box["centre"][1])
    page.wait_for_timeout(600)  # longer than a tap waits for its second click
    wait_idle(page)
    assert plot_box(page)["x"][1] - plot_box(page)["x"][0] > 4, "the zoom is reset"
    assert page.get_by_label("Start x").input_value() == "-2.5"
    assert results(page)[0]["points"][0] == [-2.5, 2]


def _tick_boxes(page, chart: str) -> dict:
    return page.evaluate(
        """(id) => { const gd = document.getElementById(id);
          const r = (e) => { const b = e.getBoundingClientRect();
            return [b.left, b.top, b.right, b.bottom]; };
          return {chart: r(gd), ticks: Array.from(gd.querySelectorAll('.ytick text'))
                    .map(t => ({box: r(t), text: t.textContent})),
                  title: r(gd.querySelector('.ytitle'))}; }""",
        chart,
    )


@pytest.mark.parametrize("preset", ["saddle", "newton-saddle"])
def test_loss_tick_labels_are_whole_and_clear_of_the_title(page, preset):
    open_page(page)
    page.locator(f'#presets [data-preset="{preset}"]').click()
    wait_idle(page)
    boxes = _tick_boxes(page, "loss-chart")
    assert any(t["text"].startswith("−") for t in boxes["ticks"]), "negative losses show a sign"
    left = boxes["chart"][0]
    title = boxes["title"]
    for tick in boxes["ticks"]:
        box = tick["box"]
        assert box[0] >= left, f"{tick['text']} is clipped on the left"
        overlap = not (
            title[2] <= box[0] or box[2] <= title[0] or title[3] <= box[1] or box[3] <= title[1]
        )
        assert not overlap, f"the axis title overlaps {tick['text']}"


def test_learning_rate_chart_never_shows_negative_rates(page):
    open_page(page)  # the race: constant rates
    y_range = page.evaluate("document.getElementById('lr-chart')._fullLayout.yaxis.range")
    assert y_range[0] >= 0
    ticks = [t["text"] for t in _tick_boxes(page, "lr-chart")["ticks"]]
    assert ticks and not any(t.startswith(("−", "-")) for t in ticks), ticks
    assert y_range[1] > 0.05  # adam's 0.05 is on the chart


def test_phone_layout_puts_presets_near_the_plot_and_picks_scroll_to_it(browser, server):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.base_url = server
    open_page(page)
    presets_top = page.evaluate(
        "document.getElementById('presets').getBoundingClientRect().top + scrollY"
    )
    assert presets_top < 1200, f"presets start {presets_top:.0f}px down"
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_visible()
    box = copy.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    export = page.locator("summary", has_text="Export").bounding_box()
    assert export["x"] + export["width"] <= PHONE["width"], "Export fits beside Copy link"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    # The square contour takes the phone's width; its colour bar lies under the x axis.
    plot = page.locator("#plot").bounding_box()
    area = page.locator("#plot .nsewdrag").first.bounding_box()
    bar = page.locator("#plot .colorbar").bounding_box()
    xtitle = page.locator("#plot .g-xtitle text").bounding_box()
    assert area["width"] >= 0.8 * plot["width"], (area, plot)
    assert bar["y"] >= xtitle["y"] + xtitle["height"] and bar["width"] > bar["height"], bar
    assert bar["y"] + bar["height"] <= plot["y"] + plot["height"], "the colour bar is cut off"
    preset = page.locator('#presets [data-preset="saddle"]')
    preset.scroll_into_view_if_needed()
    preset.tap()
    wait_idle(page)
    top = page.evaluate("document.getElementById('lesson-note').getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 3, f"the lesson and plot are in view ({top:.0f})"
    context.close()


def test_a_lesson_link_scrolls_to_the_plot_on_desktop(page):
    open_page(page)
    link = page.get_by_role("link", name="saddle point", exact=False).first
    link.scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 200
    link.click()
    wait_idle(page)
    plot_top = page.evaluate("document.getElementById('plot').getBoundingClientRect().top")
    assert 0 <= plot_top < 900
    expect(page.locator("#lesson-title")).to_contain_text("Saddle")


def test_a_run_the_server_thins_is_shown_with_its_true_steps(page):
    """Past 20,001 points the page asks the server to thin a run; frames then map to steps."""
    runs = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.0001}}]
    open_page(page, state_hash("quadratic", runs, 30_000, tol=0))
    result = results(page)[0]
    assert result["index"][0] == 0 and result["index"][-1] == 30_000
    assert len(result["points"]) <= 20_001
    k = len(result["points"]) // 2
    drawn = seek(page, k)
    head = drawn["runs"][0]
    assert head["step"] == result["index"][k] > k
    assert head["point"] == result["points"][k]
    gaps = {b - a for a, b in zip(result["index"], result["index"][1:], strict=False)}
    if 1 not in gaps:  # neighbours are several steps apart: no "step taken" arrow to draw
        assert "vectors" not in head or head["vectors"]["step"] is None
    page.locator("#plot").hover()
    page.keyboard.press("End")
    expect(page.locator("#frame-label")).to_have_text("step 30000 / 30000")
    assert "step 30000 · loss" in page.locator("#plot-legend").inner_text()
