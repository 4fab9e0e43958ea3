"""The 3D view (js/scene3d.js): a 2D canvas the page draws itself, turned by dragging, zoomed
by the wheel or a pinch, reset by a double click; paths hidden only by the terrain in front of
them; hover labels; the heads drawn through the same camera; PNG export."""

import itertools
import json
import math
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.frontend.site_pages import SCENE_STATE, open_page, wait_idle, wait_scene

PHONE = {"width": 390, "height": 844}
TURN = 0.008  # radians per pixel dragged (js/scene3d.js)
BOWL = [{"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.05}}]


def bowl_hash(steps: int = 60, start=(-2.5, 2.0)) -> str:
    state = {
        "surface": "quadratic",
        "steps": steps,
        "tol": 0,
        "start": list(start),
        "runs": BOWL,
        "view3d": 1,
    }
    return "#s=" + quote(json.dumps(state))


# Where the scene draws data points now: [[px, py] or null] in the plot's CSS pixels.
PROJECT_JS = """(points) => {
  const p = document.getElementById('plot')._scene3d.projection();
  return points.map(([x, y, z]) => p.project(x, y, z));
}"""

# The scene canvas's colours at points in CSS pixels, each [r, g, b, a].
SCENE_PIXELS_JS = """(points) => {
  const c = document.querySelector('#plot canvas.scene3d');
  const d = window.devicePixelRatio || 1;
  const ctx = c.getContext('2d');
  const at = ([x, y]) => ctx.getImageData(Math.round(x * d), Math.round(y * d), 1, 1).data;
  return points.map((p) => Array.from(at(p)));
}"""


def canvas_origin(page) -> tuple[float, float]:
    box = page.locator("#plot canvas.scene3d").bounding_box()
    return box["x"], box["y"]


def drag(page, start, by, steps: int = 8) -> None:
    x0, y0 = canvas_origin(page)
    page.mouse.move(x0 + start[0], y0 + start[1])
    page.mouse.down()
    page.mouse.move(x0 + start[0] + by[0], y0 + start[1] + by[1], steps=steps)
    page.mouse.up()


def view(page) -> dict:
    return page.evaluate(SCENE_STATE)["view"]


def seek(page, frame: int) -> dict:
    # moving the scrubber pauses the player (clicking Pause could race the animation's end)
    page.get_by_label("Animation position").fill(str(frame))
    page.wait_for_function(f"window.gradscape.drawn.frame === {frame}")
    return page.evaluate("window.gradscape.drawn")


def path_points(scene: dict, run: int = 0) -> list[list[float]]:
    p = scene["paths"][run]
    return [[x, y, z] for x, y, z in zip(p["x"], p["y"], p["z"], strict=True) if z is not None]


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))


def solid_share(page, points, color) -> float:
    """The share of the points where the scene shows the colour itself (a path drawn on top)."""
    pixels = page.evaluate(SCENE_PIXELS_JS, [p for p in points if p])
    near = [all(abs(a - b) <= 30 for a, b in zip(px[:3], color, strict=False)) for px in pixels]
    return sum(near) / len(near)


def test_dragging_turns_the_scene_and_the_heads_stay_on_their_paths(page):
    open_page(page, bowl_hash())
    scene = wait_scene(page)
    before = view(page)
    start = path_points(scene)[0]
    head = seek(page, 0)["runs"][0]
    assert head["px"] == pytest.approx(page.evaluate(PROJECT_JS, [start])[0], abs=0.5)

    drag(page, (300, 200), (120, -50))
    page.wait_for_function(f"window.gradscape.drawn.runs[0].px[0] !== {head['px'][0]}")
    after = view(page)
    assert after["turn"] == pytest.approx(before["turn"] - 120 * TURN, abs=1e-9)
    assert after["tilt"] == pytest.approx(before["tilt"] - 50 * TURN, abs=1e-9)
    # the head moved with the camera and is still drawn at its path's first point
    moved = page.evaluate("window.gradscape.drawn.runs[0].px")
    assert math.dist(moved, head["px"]) > 20
    assert moved == pytest.approx(page.evaluate(PROJECT_JS, [start])[0], abs=0.5)

    # a double click brings back the first view
    x0, y0 = canvas_origin(page)
    page.mouse.dblclick(x0 + 300, y0 + 200)
    page.wait_for_function(f"window.gradscape.drawn.runs[0].px[0] === {head['px'][0]}")
    assert view(page) == pytest.approx(before, abs=1e-12)


def test_the_wheel_zooms_about_the_same_picture(page):
    open_page(page, bowl_hash())
    scene = wait_scene(page)
    (a, b) = scene["corners"][0], scene["corners"][7]
    x0, y0 = canvas_origin(page)
    page.mouse.move(x0 + 300, y0 + 200)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"{SCENE_STATE}.view.zoom > 1")
    zoomed = page.evaluate(SCENE_STATE)
    factor = zoomed["view"]["zoom"]
    assert factor == pytest.approx(math.exp(300 * 0.0015), rel=1e-6)
    # everything drawn moves away from one centre by that factor
    assert math.dist(zoomed["corners"][0], zoomed["corners"][7]) == pytest.approx(
        factor * math.dist(a, b), rel=1e-6
    )


def test_terrain_hides_a_path_only_from_the_side_it_lies_under(page):
    """Seen from above, a path on the bowl's floor shows in its colour along its whole length;
    seen from below, the surface it lies on hides it (a faint dashed trace remains)."""
    open_page(page, bowl_hash())
    scene = wait_scene(page)
    points = path_points(scene)
    mids = [
        [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2]
        for p, q in itertools.pairwise(points)
    ]
    color = rgb(BOWL[0]["c"])
    assert solid_share(page, page.evaluate(PROJECT_JS, mids), color) > 0.9
    page.evaluate("document.getElementById('plot')._scene3d.turn(0, -1.4)")  # tilt below the floor
    page.wait_for_function(f"{SCENE_STATE}.view.tilt < 0")
    wait_idle(page)
    assert solid_share(page, page.evaluate(PROJECT_JS, mids), color) < 0.1


ASPECT = (1.0, 1.0, 0.6)  # the box's half-sizes (js/scene3d.js)


def sight_lines(scene: dict, points) -> tuple[list, list]:
    """An independent reference for what hides what: march from each point toward the eye
    over the mesh (bilinear between its nodes, in the box's coordinates) and split the points
    into those clearly in sight and those clearly behind terrain (margins for the drawing's
    flat cells); the few in between are left out."""
    ranges = [scene["axes"][a]["range"] for a in "xyz"]
    box = lambda v, k: ((v - ranges[k][0]) / (ranges[k][1] - ranges[k][0]) * 2 - 1) * ASPECT[k]  # noqa: E731
    mesh = scene["mesh"]
    xs, ys, zs = mesh["x"], mesh["y"], mesh["z"]
    n, m = len(ys), len(xs)

    def height(bx: float, by: float) -> float | None:
        fx = (bx + 1) / 2 * (m - 1)
        fy = (by + 1) / 2 * (n - 1)
        if not (0 <= fx <= m - 1 and 0 <= fy <= n - 1):
            return None
        j, i = min(int(fx), m - 2), min(int(fy), n - 2)
        u, v = fx - j, fy - i
        z = (
            zs[i][j] * (1 - u) * (1 - v)
            + zs[i][j + 1] * u * (1 - v)
            + zs[i + 1][j] * (1 - u) * v
            + zs[i + 1][j + 1] * u * v
        )
        return box(z, 2)

    eye = scene["eye"]
    cell = 2 / (m - 1)
    seen, hidden = [], []
    for p in points:
        b = [box(p[k], k) for k in range(3)]
        d = [eye[k] - b[k] for k in range(3)]
        length = math.hypot(*d)
        gaps = []
        for s in range(1, 400):
            t = s * cell / 4
            if t > length:
                break
            q = [b[k] + d[k] * t / length for k in range(3)]
            if math.hypot(q[0] - b[0], q[1] - b[1]) < 3 * cell:
                continue  # the ground the point lies on
            h = height(q[0], q[1])
            if h is None:
                break
            gaps.append(q[2] - h)
        if not gaps or min(gaps) > 0.03:
            seen.append(p)
        elif min(gaps) < -0.05:
            hidden.append(p)
    return seen, hidden


def test_a_hill_in_front_hides_the_path_behind_it(page):
    """Rosenbrock's curved valley, a path down its wall and along its floor: from the first
    view, and from high above after a turn, the path shows in its colour where a sight line
    from the eye reaches it over the terrain, and not where the terrain is in the way."""
    runs = [{"o": "momentum", "c": "#ff5a36", "p": {"lr": 0.001}}]
    state = {
        "surface": "rosenbrock",
        "steps": 400,
        "tol": 0,
        "start": [-1.5, 2],
        "runs": runs,
        "view3d": 1,
    }
    open_page(page, "#s=" + quote(json.dumps(state)))
    scene = wait_scene(page)
    color = rgb("#ff5a36")
    seen, hidden = sight_lines(scene, path_points(scene))
    assert len(seen) > 20 and len(hidden) > 20, "the first view shows part of the path, not all"
    assert solid_share(page, page.evaluate(PROJECT_JS, seen), color) > 0.85
    assert solid_share(page, page.evaluate(PROJECT_JS, hidden), color) < 0.15

    page.evaluate(
        f"document.getElementById('plot')._scene3d.turn(0.5, {1.2 - scene['view']['tilt']})"
    )
    page.wait_for_function(f"Math.abs({SCENE_STATE}.view.tilt - 1.2) < 1e-9")
    wait_idle(page)
    scene = page.evaluate(SCENE_STATE)
    seen, hidden = sight_lines(scene, path_points(scene))
    assert len(seen) > len(hidden), "from high above, more of the valley floor is in sight"
    assert solid_share(page, page.evaluate(PROJECT_JS, seen), color) > 0.85
    if len(hidden) >= 5:
        assert solid_share(page, page.evaluate(PROJECT_JS, hidden), color) < 0.15


def test_hover_names_the_run_and_step_or_the_surface_value(page):
    open_page(page, bowl_hash(40))
    scene = wait_scene(page)
    seek(page, 40)  # paused, the heads at the end
    x0, y0 = canvas_origin(page)
    # a point of the path
    p = scene["paths"][0]
    k = len(p["x"]) // 3
    px, py = page.evaluate(PROJECT_JS, [[p["x"][k], p["y"][k], p["z"][k]]])[0]
    page.mouse.move(x0 + px, y0 + py)
    tip = page.locator("#plot .scene3d-tip")
    name = page.evaluate("window.gradscape.runs[0]")
    assert tip.is_visible()
    text = tip.inner_text()
    assert text.startswith("1. ") and f"step {p['steps'][k]}" in text
    # a node of the surface, far from the path: its coordinates and f as the grid gives it
    mesh = scene["mesh"]
    i, j = 50, 50
    sx, sy = page.evaluate(PROJECT_JS, [[mesh["x"][j], mesh["y"][i], mesh["z"][i][j]]])[0]
    page.mouse.move(x0 + sx, y0 + sy)
    expected = f"f = {mesh['text'][i][j]}"
    page.wait_for_function(
        "(t) => document.querySelector('#plot .scene3d-tip').innerText.includes(t)", arg=expected
    )
    as_js = "(v) => Number(v.toPrecision(4)).toString()"  # how the label writes a number
    x, y = (page.evaluate(as_js, v) for v in (mesh["x"][j], mesh["y"][i]))
    assert tip.inner_text().splitlines()[0] == f"({x}, {y})"
    assert name["uid"] not in tip.inner_text()


def test_plot_as_png_in_3d_is_the_view_as_drawn(page):
    open_page(page, bowl_hash())
    wait_scene(page)
    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Plot as PNG").click()
    assert info.value.suggested_filename == "gradscape-quadratic-3d.png"
    data = Path(info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    size = page.evaluate(
        "['clientWidth', 'clientHeight'].map(k => document.getElementById('plot')[k])"
    )
    assert (width, height) == (size[0] & ~1, size[1] & ~1)


def test_phone_touch_drag_turns_and_a_tap_labels(browser, server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base_url = server
    open_page(page, bowl_hash())
    wait_scene(page)
    page.locator("#plot").scroll_into_view_if_needed()
    before = view(page)
    x0, y0 = canvas_origin(page)
    cdp = context.new_cdp_session(page)

    def touch(kind: str, pts: list[dict]) -> None:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": pts})

    touch("touchStart", [{"x": x0 + 150, "y": y0 + 200}])
    for n in range(1, 11):
        touch("touchMove", [{"x": x0 + 150 + 10 * n, "y": y0 + 200}])
    touch("touchEnd", [])
    page.wait_for_function(f"{SCENE_STATE}.view.turn < {before['turn'] - 0.5}")
    # the first few pixels tell a tap from a drag; the rest of the 100 turn the scene
    assert view(page)["turn"] == pytest.approx(before["turn"] - 100 * TURN, abs=8 * TURN)
    # a tap on the surface, far from the path, shows the surface's value there
    mesh = page.evaluate(SCENE_STATE)["mesh"]
    sx, sy = page.evaluate(PROJECT_JS, [[mesh["x"][50], mesh["y"][50], mesh["z"][50][50]]])[0]
    page.touchscreen.tap(x0 + sx, y0 + sy)
    page.wait_for_function("!document.querySelector('#plot .scene3d-tip').hidden")
    assert f"f = {mesh['text'][50][50]}" in page.locator("#plot .scene3d-tip").inner_text()
    context.close()


def test_fit_frames_the_2d_plot_only_however_3d_is_reached(page):
    open_page(page)
    fit = page.get_by_role("button", name="Fit")
    expect(fit).to_be_enabled()
    page.evaluate("location.hash = '#preset=saddle&view=3d'")  # a lesson link, same page
    wait_scene(page)
    expect(fit).to_be_disabled()
    page.get_by_label("3D view").uncheck()
    expect(fit).to_be_enabled()


def test_the_view_as_turned_travels_in_the_link(page):
    """Copy link reproduces what the viewer sees: where the 3D view was turned and zoomed to.
    A preset or another surface starts again from the first view."""
    open_page(page, bowl_hash())
    first = wait_scene(page)["view"]
    drag(page, (300, 200), (-90, 40))
    x0, y0 = canvas_origin(page)
    page.mouse.move(x0 + 300, y0 + 200)
    page.mouse.wheel(0, -200)
    page.wait_for_function("decodeURIComponent(location.hash).includes('\"cam\"')")
    page.wait_for_function(f"{SCENE_STATE}.view.zoom > 1.2")
    page.wait_for_timeout(400)  # the wheel settles after 250 ms
    turned = view(page)
    assert turned["turn"] == pytest.approx(first["turn"] + 90 * TURN, abs=1e-9)
    link = page.evaluate("location.href")

    page.goto("about:blank")
    page.goto(link)
    page.wait_for_function("document.body.dataset.ready === 'true'")
    wait_scene(page)
    assert view(page) == pytest.approx(turned, abs=1e-4)  # the link keeps 4 decimals

    page.evaluate("location.hash = '#preset=saddle&view=3d'")  # a lesson link, in 3D
    page.wait_for_function("window.gradscape.runs.length === 2")
    wait_scene(page, 2)
    page.wait_for_function(f"{SCENE_STATE}.view.zoom === 1")
    assert view(page) == pytest.approx(first, abs=1e-12)
    assert '"cam"' not in page.evaluate("decodeURIComponent(location.hash)")
