"""Browser tests of the Maps page (maps.html): each preset's claim, read from the page's data."""

import csv
import io
import itertools
import json
import math
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

import httpx
import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
DONE_JS = """() => { const s = window.gradscapeMaps;
  return s && s.maps.length > 0 && s.results.length === s.maps.length
    && s.maps.every((m, k) => m.kind === 'theory'
      || (s.results[k] && s.results[k].done && s.results[k].start_curvature)); }"""


def open_maps(page, hash_: str) -> dict:
    page.goto(f"{page.base_url}/maps.html#{hash_}")
    page.wait_for_function(DONE_JS, timeout=120_000)
    page.wait_for_timeout(300)  # the last redraw
    return page.evaluate("() => JSON.parse(JSON.stringify(window.gradscapeMaps))")


def plot(page, k: int) -> dict:
    """What map k's plot holds: its traces and layout shapes, as Plotly has them."""
    return page.evaluate(
        """(k) => { const el = document.getElementById(`map-${k}`);
        return JSON.parse(JSON.stringify({data: el.data, shapes: el.layout.shapes || []})); }""",
        k,
    )


def statuses(page) -> list[str]:
    return page.eval_on_selector_all(".map-status", "els => els.map(e => e.textContent)")


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1


def reached(result: dict) -> dict[str, set[int]]:
    """Which stationary points the runs ended at, by kind."""
    out: dict[str, set[int]] = {}
    for a in {a for row in result["attractor"] for a in row if a is not None}:
        out.setdefault(result["attractors"][a]["kind"], set()).add(a)
    return out


def test_header_links_every_page(page):
    open_maps(page, "preset=lr-range-test")
    expect(page.get_by_role("link", name="Maps")).to_have_attribute("aria-current", "page")
    for other in ("./", "networks.html"):
        page.goto(f"{page.base_url}/{other}")
        expect(page.get_by_role("link", name="Maps")).to_have_attribute("href", "maps.html")


def test_no_plot_on_any_page_offers_to_send_it_off_this_machine(page):
    open_maps(page, "preset=himmelblau-basins")
    for path in ("maps.html", "./", "networks.html"):
        if path != "maps.html":
            page.goto(f"{page.base_url}/{path}")
            page.wait_for_function("document.querySelectorAll('.modebar-btn').length > 0")
        titles = page.eval_on_selector_all(".modebar-btn", "bs => bs.map(b => b.dataset.title)")
        assert "Download plot as a PNG" in titles, path
        sent = [t for t in titles if any(w in t for w in ("Share", "Cloud", "Chart Studio"))]
        assert not sent, (path, sent)


def test_himmelblau_basins_gd_and_adam_find_four_minima_with_different_basins(page, artifacts):
    state = open_maps(page, "preset=himmelblau-basins")
    gd, adam = state["results"]
    for result in (gd, adam):
        kinds = reached(result)
        assert set(kinds) == {"minimum"} and len(kinds["minimum"]) == 4
        counts = [sum(row.count(a) for row in result["attractor"]) for a in kinds["minimum"]]
        assert min(counts) > 0.15 * result["rows"] * result["cols"]  # four real basins
    assert all("4 minima reached" in s for s in statuses(page))
    cells = gd["rows"] * gd["cols"]
    differ = sum(
        a != b
        for ra, rb in zip(gd["attractor"], adam["attractor"], strict=True)
        for a, b in zip(ra, rb, strict=True)
    )
    assert 0.02 < differ / cells < 0.3  # "a few percent of the starts end elsewhere"
    for k in (0, 1):  # what is drawn: one image pixel per cell, four star markers
        traces = plot(page, k)["data"]
        image = next(t for t in traces if t["type"] == "image")
        assert len(image["z"]) == gd["rows"] and len(image["z"][0]) == gd["cols"]
        stars = next(t for t in traces if t["type"] == "scatter")["marker"]["symbol"]
        assert stars.count("star") == 4
        assert in_view(page, f"#map-{k}")
    assert in_view(page, "#lesson-note")
    page.screenshot(path=artifacts / "maps-himmelblau-basins.png")


def test_newton_basins_reach_every_root_of_the_gradient_with_interleaved_boundaries(page):
    state = open_maps(page, "preset=newton-fractal")
    (result,) = state["results"]
    kinds = reached(result)
    assert len(kinds["minimum"]) == 4 and len(kinds["saddle"]) == 4 and len(kinds["maximum"]) == 1
    changes = [sum(a != b for a, b in itertools.pairwise(row)) for row in result["attractor"]]
    assert max(changes) >= 12  # filaments: along one row the basin changes a dozen times
    assert "4 minima reached, 5 other stationary points" in statuses(page)[0]


def test_a_curve_of_minima_is_one_basin_named_in_the_summary(page, artifacts):
    """deep_linear's hyperbola w1 w2 = 1 of minima: one attractor, one colour, one name."""
    run = {"surface": "deep_linear", "optimizer": "sgd", "params": {"lr": 0.05}, "steps": 500}
    maps = {"maps": [{"kind": "basin", "n": 48, "run": run}]}
    state = open_maps(page, "s=" + quote(json.dumps(maps)))
    (result,) = state["results"]
    kinds = reached(result)
    assert set(kinds) == {"minimum", "saddle"} and len(kinds["minimum"]) == 1
    (curve,) = kinds["minimum"]
    assert result["attractors"][curve]["label"] == "the curve of minima w₁·w₂ = 1"
    assert "the curve of minima w₁·w₂ = 1 reached, 1 other stationary point" in statuses(page)[0]
    traces = plot(page, 0)["data"]
    image = next(t for t in traces if t["type"] == "image")["z"]
    stars = next(t for t in traces if t["type"] == "scatter" and not t.get("meta"))
    assert stars["marker"]["symbol"].count("star") == 1
    base = [int(c) for c in stars["marker"]["color"][curve][4:-1].split(",")]
    on_curve = 0
    for i, row in enumerate(result["final_point"]):
        for j, (x, y) in enumerate(row):
            on = abs(x * y - 1) <= 1e-4  # the closed form of the minima
            assert (result["attractor"][i][j] == curve) == on, (i, j, x, y)
            if on:  # drawn in the curve's colour, darker the more steps: same hue
                on_curve += 1
                pixel = image[i][j]
                assert all(
                    abs(p / max(pixel) - b / max(base)) < 0.05
                    for p, b in zip(pixel, base, strict=True)
                )
    assert on_curve > 0.9 * result["rows"] * result["cols"]
    dots = next(t for t in traces if (t.get("meta") or {}).get("role") == "attractor-sets")
    assert len(dots["x"]) == len(result["attractors"][curve]["members"]) > 50
    assert all(abs(x * y - 1) < 1e-9 for x, y in zip(dots["x"], dots["y"], strict=True))
    page.screenshot(path=artifacts / "maps-deep-linear-curve-of-minima.png")


def test_heavy_ball_phase_diagram_matches_the_closed_form_beside_it(page, artifacts):
    state = open_maps(page, "preset=heavy-ball-phase")
    computed = state["results"][0]
    lrs, momenta = (a["values"] for a in computed["axes"])
    assert computed["start_curvature"] == [1.0, 25.0]
    theory = plot(page, 1)["data"]
    rate = next(t for t in theory if t.get("colorbar"))["z"]  # the closed form drawn: rate < 1
    black = next(t for t in theory if not t.get("colorbar"))["z"]  # ... and rate >= 1
    start_loss = 0.5 * (3.5**2 + 25 * 1.5**2)
    agree = decided = decided_agree = 0
    for i, m in enumerate(momenta):
        for j, lr in enumerate(lrs):
            converges = rate[i][j] is not None
            assert converges != (black[i][j] == 1)
            status, loss = computed["status"][i][j], computed["final_loss"][i][j]
            shrank = status != "diverged" and loss < start_loss
            r = max(  # the rate, recomputed here from the closed form
                max(abs((b + d) / 2), abs((b - d) / 2))
                for h in (1, 25)
                for b in [1 + m - lr * h]
                for d in [complex(b * b - 4 * m) ** 0.5]
            )
            assert converges == (r < 1)
            agree += shrank == converges
            if abs(r - 1) > 0.01:  # 300 steps settle every cell not within 1% of rate 1
                decided += 1
                decided_agree += shrank == converges
    cells = len(lrs) * len(momenta)
    assert decided_agree == decided > 0.6 * cells
    assert agree >= 0.999 * cells  # at most a few cells right on the boundary differ
    bound = next(s for s in plot(page, 0)["shapes"] if s["type"] == "line")
    assert bound["x0"] == pytest.approx(2 / 25)
    beyond_gd = [
        computed["status"][i][j] != "diverged"
        for i, m in enumerate(momenta)
        for j, lr in enumerate(lrs)
        if lr > 2 / 25 and m > 0.5
    ]
    assert any(beyond_gd)  # momentum converges where plain GD cannot
    assert all(computed["status"][0][j] == "diverged" for j, lr in enumerate(lrs) if lr > 0.081)
    page.screenshot(path=artifacts / "maps-heavy-ball-phase.png")


def test_lr_range_test_diverges_past_the_start_bound_and_is_best_just_below_the_edge(page):
    state = open_maps(page, "preset=lr-range-test")
    (result,) = state["results"]
    lrs = result["axes"][0]["values"]
    status, loss = result["status"][0], result["final_loss"][0]
    bound = 2 / result["start_curvature"][1]
    assert all(s != "diverged" for s, lr in zip(status, lrs, strict=True) if lr < bound)
    edge = status.index("diverged")
    assert all(s == "diverged" for s in status[edge:])
    assert bound < lrs[edge] < 3 * bound  # "runs survive up to about twice that"
    best = min(range(edge), key=lambda j: loss[j])
    assert edge - best <= 3  # "the best rate sits just below the edge"
    drawn = plot(page, 0)
    line = next(s for s in drawn["shapes"] if s["type"] == "line")
    assert line["x0"] == pytest.approx(bound)
    assert len(drawn["data"][1]["x"]) == len(status) - edge  # every diverged run is marked


def _click_cell(page, k: int, x: float, y: float) -> None:
    """Click map k at data coordinates (x, y), as a user would."""
    px, py = page.evaluate(
        """([k, x, y]) => { const el = document.getElementById(`map-${k}`);
        const fl = el._fullLayout, box = el.getBoundingClientRect();
        return [box.left + fl.xaxis._offset + fl.xaxis.l2p(x),
                box.top + fl.yaxis._offset + fl.yaxis.l2p(y)]; }""",
        [k, x, y],
    )
    page.mouse.click(px, py)


def test_clicking_a_cell_opens_that_exact_run_on_the_optimizer_page(page, server):
    state = open_maps(page, "preset=himmelblau-basins")
    adam = state["results"][1]
    xs, ys = (a["values"] for a in adam["axes"])
    i, j = 70, 20  # start (xs[20], ys[70])
    with page.expect_popup() as popup_info:
        _click_cell(page, 1, xs[j], ys[i])
    popup = popup_info.value
    popup.wait_for_load_state()
    hash_ = urlparse(popup.url).fragment
    link = json.loads(unquote(parse_qs(hash_)["s"][0]))
    (run,) = link["runs"]
    assert link["surface"] == "himmelblau" and link["steps"] == 500
    assert link["start"] == [xs[j], ys[i]] and run["o"] == "adam" and run["p"] == {"lr": 0.1}
    request = {"surface": "himmelblau", "optimizer": "adam", "params": run["p"],
               "start": link["start"], "steps": link["steps"]}  # fmt: skip
    single = httpx.post(f"{server}/api/runs", json=request, timeout=30).json()
    assert single["status"] == adam["status"][i][j]
    assert single["points"][-1] == pytest.approx(adam["final_point"][i][j], rel=1e-12)
    expect(popup.locator(".run-status").first).to_contain_text(single["status"], timeout=30_000)
    expect(page.locator("#cell-link")).to_be_visible()
    expect(page.locator("#cell-text")).to_contain_text(f"Cell [{i}][{j}]")
    popup.close()


def test_rows_fill_in_progressively_while_the_stream_runs(page):
    # a map that takes seconds on any server, warm or cold: deep_linear averages its loss over
    # data points in numpy (no compiled loop), so its blocks of rows arrive over seconds (a
    # compiled Newton map once arrived in one burst on a warm server, with nothing partial)
    run = {"surface": "deep_linear", "optimizer": "sgd", "params": {"lr": 0.05}, "steps": 300}
    big = {"maps": [{"kind": "basin", "n": 120, "run": run}]}
    page.goto(f"{page.base_url}/maps.html#s={json.dumps(big)}")
    drawn = page.wait_for_function(
        """() => { const r = window.gradscapeMaps.results[0];
        const text = document.querySelector('.map-status')?.textContent || '';
        const image = document.getElementById('map-0')?.data?.find((t) => t.type === 'image');
        const partial = r && r.filled > 0 && r.filled < r.rows;
        if (!partial || !text.startsWith('Computing…')) return null;
        return image ? [r.filled, r.rows] : null; }""",
        timeout=60_000,
    ).json_value()
    assert 0 < drawn[0] < drawn[1] == 120
    page.wait_for_function(DONE_JS, timeout=120_000)
    assert "120 × 120 runs" in statuses(page)[0]


def test_state_lives_in_the_url_and_survives_a_reload(page):
    open_maps(page, "preset=himmelblau-basins")
    page.get_by_label("Cells per side").fill("40")
    page.wait_for_function(
        "() => window.gradscapeMaps.results[0] && window.gradscapeMaps.results[0].cols === 40"
    )
    page.wait_for_function(DONE_JS, timeout=60_000)
    url = page.url
    assert "preset" not in unquote(url)
    page.goto("about:blank")
    state = open_maps(page, urlparse(url).fragment)
    assert state["results"][0]["cols"] == 40 and state["results"][1]["cols"] == 96
    expect(page.get_by_label("Cells per side")).to_have_value("40")


def _download(page, button: str) -> Path:
    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path())


def test_exports_hold_every_cell(page):
    state = open_maps(page, "preset=lr-range-test")
    rows = list(csv.DictReader(io.StringIO(_download(page, "Cells as CSV").read_text())))
    result = state["results"][0]
    assert len(rows) == 200
    assert [r["status"] for r in rows] == result["status"][0]
    for r, loss in zip(rows, result["final_loss"][0], strict=True):
        assert float(r["final_loss"]) == pytest.approx(loss, rel=1e-12)
        assert float(r["value0"]) in result["axes"][0]["values"]
    assert _download(page, "Maps as PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("preset", "claim"),
    [
        ("himmelblau-basins", "4 minima reached"),
        ("newton-fractal", "5 other stationary points"),
        ("heavy-ball-phase", "diverged"),
        ("lr-range-test", "diverged"),
    ],
)
def test_presets_on_a_phone(browser, server, artifacts, preset, claim):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.base_url = server
    try:
        open_maps(page, f"preset={preset}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"page scrolls sideways on a phone ({width}px)"
        assert claim in statuses(page)[0]
        box = page.locator("#map-0 .main-svg").first.bounding_box()
        assert (
            box
            and box["width"] >= 300
            and box["x"] >= 0
            and box["x"] + box["width"] <= PHONE["width"]
        )
        # Read top to bottom as on the optimizer page: what the map shows, the maps, what a
        # tapped cell is (right under them), then the presets and the form.
        tops = page.evaluate(
            """ids => ids.map(id => document.getElementById(id).getBoundingClientRect().top)""",
            ["lesson-note", "maps", "cell-info", "presets", "map-form"],
        )
        assert tops == sorted(tops), tops
        page.locator("#map-0").scroll_into_view_if_needed()
        page.screenshot(path=artifacts / f"maps-{preset}-phone.png", full_page=True)
        assert math.isfinite(page.evaluate("window.gradscapeMaps.results[0].rows"))
    finally:
        context.close()
