"""Browser tests of the networks page (networks.html) against the real server."""

import csv
import io
import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}

TRACE_LENGTHS_JS = """(id) => (document.getElementById(id).data || [])
  .map(t => ({type: t.type, name: t.name, n: t.y ? Array.from(t.y).length : 0,
              z: t.z ? t.z.length : 0}))"""


def open_page(page) -> None:
    page.goto(f"{page.base_url}/networks.html")
    page.wait_for_function("document.body.dataset.ready === 'true'")


def wait_idle(page) -> None:
    page.wait_for_function("document.body.dataset.idle === 'true'", timeout=60_000)
    page.wait_for_timeout(100)


def traces(page, chart_id: str) -> list[dict]:
    return page.evaluate(TRACE_LENGTHS_JS, chart_id)


def by_name(page, chart_id: str, name: str) -> dict:
    (trace,) = [t for t in traces(page, chart_id) if t["name"] == name]
    return trace


def test_page_loads_with_controls_from_the_api(page):
    open_page(page)
    expect(page.get_by_role("link", name="Networks")).to_have_attribute("aria-current", "page")
    optimizers = page.get_by_label("Optimizer").locator("option").all_text_contents()
    assert "Adam" in optimizers and "SGD" in optimizers
    assert not any("Newton" in o for o in optimizers)  # refused for networks
    datasets = page.get_by_label("Data set").locator("option").all_text_contents()
    assert "Moons" in datasets and "Sine" in datasets
    # the data set is drawn before any training: one scatter per class
    classes = [t for t in traces(page, "data-plot") if t["name"].startswith("class")]
    assert len(classes) == 2 and sum(t["n"] for t in classes) == 200


def test_training_through_the_labelled_controls_draws_curves_and_boundary(page):
    open_page(page)
    page.get_by_label("Data set").select_option("circles")
    page.get_by_label("Hidden layers").fill("8, 8")
    page.get_by_label("Optimizer").select_option("adam")
    page.get_by_label("Learning rate", exact=True).fill("0.03")
    page.get_by_label("Steps").fill("150")
    page.get_by_label("Batch size").fill("32")
    page.get_by_label("Resolution").fill("21")
    page.get_by_role("button", name="Train").click()
    wait_idle(page)
    expect(page.locator("#status-line")).to_contain_text("completed 150 steps")
    assert by_name(page, "loss-chart", "train")["n"] == 151
    assert by_name(page, "loss-chart", "validation")["n"] == 151
    assert by_name(page, "accuracy-chart", "validation")["n"] == 151
    assert by_name(page, "data-plot", "boundary")["z"] == 60
    land = [t for t in traces(page, "landscape-plot") if t["type"] == "contour"]
    assert land and land[0]["z"] == 21
    assert by_name(page, "landscape-plot", "path")["n"] > 10
    assert by_name(page, "sharpness-chart", "sharpness λmax")["n"] > 5
    assert by_name(page, "interp-chart", "loss")["n"] == 81
    page.get_by_label("3D view").check()
    assert any(t["type"] == "surface" for t in traces(page, "landscape-plot"))


def test_bad_input_shows_the_api_error(page):
    page.problems.allowed += ["HTTP 422", "status of 422"]
    open_page(page)
    page.get_by_label("Resolution").fill("40")
    page.get_by_role("button", name="Train").click()
    wait_idle(page)
    expect(page.locator("#status-line")).to_contain_text("landscape.resolution: must be odd")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_presets_load_and_draw(page, index):
    open_page(page)
    page.locator("#presets .preset").nth(index).click()
    wait_idle(page)
    expect(page.locator("#lesson-note")).to_be_visible()
    status = page.locator("#status-line").inner_text()
    assert "completed" in status
    steps = int(page.get_by_label("Steps").input_value())
    assert by_name(page, "loss-chart", "train")["n"] == steps + 1
    assert by_name(page, "data-plot", "boundary")["z"] == 60
    assert by_name(page, "landscape-plot", "path")["n"] > 10
    sharp = by_name(page, "sharpness-chart", "sharpness λmax")["n"]
    assert sharp > 10


# ---- links: the state in the URL hash --------------------------------------------------------

CONTROLS_JS = """() => Object.fromEntries(
  [...document.querySelectorAll('#network-form input, #network-form select, #view-3d')]
    .map(el => [el.id, el.type === 'checkbox' ? el.checked : el.value]))"""
LOSS_JS = """() => document.getElementById('loss-chart').data.map(t => Array.from(t.y))"""


def snapshot(page) -> dict:
    """Every control's value and the drawn loss curves, once the page is idle."""
    wait_idle(page)
    return {
        "controls": page.evaluate(CONTROLS_JS),
        "loss": page.evaluate(LOSS_JS),
        "status": page.locator("#status-line").inner_text(),
        "lesson": page.locator("#lesson-note").is_visible(),
        "pressed": page.evaluate(
            """() => [...document.querySelectorAll('#presets .preset[aria-pressed="true"]')]
                .map(b => b.dataset.preset)"""
        ),
    }


def open_link(browser, server: str, url: str, viewport=None):
    page = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}).new_page()
    page.base_url = server
    page.goto(url)
    page.wait_for_function("document.body.dataset.ready === 'true'")
    return page


def test_url_round_trip_restores_every_control_and_the_run(page, browser, server):
    open_page(page)
    page.get_by_label("Data set").select_option("circles")
    page.get_by_label("Samples").fill("150")
    page.get_by_label("Data noise").fill("0.08")
    page.get_by_label("Seed").fill("3")
    page.get_by_label("Hidden layers").fill("8, 4")
    page.get_by_label("Activation").select_option("relu")
    page.get_by_label("Optimizer").select_option("momentum")
    page.get_by_label("Learning rate", exact=True).fill("0.05")
    page.get_by_label("momentum", exact=True).fill("0.8")
    page.get_by_label("nesterov").check()
    page.get_by_label("Schedule").select_option("cosine")
    page.get_by_label("min_lr").fill("0.001")
    page.get_by_label("warmup").fill("5")
    page.get_by_label("Batch size").fill("32")
    page.get_by_label("Steps").fill("120")
    page.get_by_label("Directions").select_option("random")
    page.get_by_label("Resolution").fill("15")
    page.get_by_role("button", name="Train").click()
    page.get_by_label("3D view").check()
    before = snapshot(page)
    assert "completed 120 steps" in before["status"]
    assert len(before["loss"][0]) == 121
    controls = before["controls"]
    assert controls["dataset"] == "circles" and controls["hidden"] == "8, 4"
    assert controls["hp-nesterov"] is True and controls["sched-min_lr"] == "0.001"
    assert controls["view-3d"] is True

    url = page.url
    assert "#s=" in url
    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert snapshot(page) == before  # reload restores the controls and re-runs the same training
    assert any(t["type"] == "surface" for t in traces(page, "landscape-plot"))

    fresh = open_link(browser, server, url)
    try:
        assert snapshot(fresh) == before  # so does the link opened elsewhere
    finally:
        fresh.context.close()


def test_url_keeps_the_selected_preset(page, browser, server):
    open_page(page)
    page.locator('#presets [data-preset="batch-vs-sgd-moons"]').click()
    page.get_by_label("Batch size").fill("16")  # the lesson's suggestion; the lesson stays
    page.get_by_role("button", name="Train").click()
    before = snapshot(page)
    assert before["lesson"] and before["pressed"] == ["batch-vs-sgd-moons"]
    assert before["controls"]["batch-size"] == "16"
    fresh = open_link(browser, server, page.url)
    try:
        assert snapshot(fresh) == before
    finally:
        fresh.context.close()
    # a short link names only the preset
    short = open_link(browser, server, f"{server}/networks.html#preset=adam-vs-sgd-spirals")
    try:
        got = snapshot(short)
        assert got["pressed"] == ["adam-vs-sgd-spirals"]
        assert got["controls"]["dataset"] == "spirals" and got["controls"]["optimizer"] == "adam"
        assert "#s=" in short.url  # and becomes a full link
    finally:
        short.context.close()


# ---- exports ----------------------------------------------------------------------------------


def _api_network_run(server: str, body: dict) -> dict:
    response = httpx.post(f"{server}/api/networks/runs", json=body, timeout=60)
    response.raise_for_status()
    return response.json()


def _download(page, button: str) -> Path:
    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path())


@pytest.mark.parametrize("dataset", ["moons", "sine"])
def test_exports_hold_the_api_numbers(page, server, dataset):
    open_page(page)
    page.get_by_label("Data set").select_option(dataset)
    page.get_by_label("Hidden layers").fill("8")
    page.get_by_label("Learning rate", exact=True).fill("0.02")
    page.get_by_label("Schedule").select_option("exponential")
    page.get_by_label("Steps").fill("60")
    page.get_by_label("Resolution").fill("11")
    page.locator("summary", has_text="Export").click()
    expect(page.get_by_role("button", name="Run as JSON")).to_be_disabled()  # nothing to export
    expect(page.get_by_role("button", name="Curves as CSV")).to_be_disabled()
    page.locator("summary", has_text="Export").click()
    page.get_by_role("button", name="Train").click()
    wait_idle(page)
    expect(page.locator("#export-json")).to_be_enabled()

    exported = json.loads(_download(page, "Run as JSON").read_text())
    request = exported["request"]
    assert request["dataset"] == dataset and request["hidden"] == [8] and request["steps"] == 60
    assert request["params"]["lr"] == 0.02 and request["schedule"]["name"] == "exponential"
    assert exported["link"] == page.url
    expected = _api_network_run(server, request)
    assert exported["response"] == expected  # the exported request reproduces the response
    full = {"loss", "val_loss", "accuracy", "val_accuracy", "sharpness", "landscape", "path"}
    assert full | {"interpolation", "status", "message"} <= exported["response"].keys()
    assert len(expected["loss"]) == 61
    assert (expected["accuracy"] is None) == (dataset == "sine")

    rows = list(csv.DictReader(io.StringIO(_download(page, "Curves as CSV").read_text())))
    columns = ["step", "loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness"]
    assert list(rows[0]) == columns
    assert [int(r["step"]) for r in rows] == list(range(61))
    for key in ("loss", "val_loss", "lr"):
        assert [float(r[key]) for r in rows] == expected[key], key
    for key in ("accuracy", "val_accuracy"):
        if expected[key] is None:
            assert all(r[key] == "" for r in rows)
        else:
            assert [float(r[key]) for r in rows] == expected[key], key
    measured = {s["step"]: s["value"] for s in expected["sharpness"]}
    assert 0 < len(measured) <= 61
    assert {int(r["step"]): float(r["sharpness"]) for r in rows if r["sharpness"]} == measured

    for button in ("Boundary as PNG", "Landscape as PNG"):
        assert _download(page, button).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", button


def test_phone_layout_fits_and_shows_the_3d_landscape(browser, server, artifacts):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/networks.html#preset=batch-vs-sgd-moons")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    wait_idle(page)
    page.get_by_label("3D view").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page scrolls sideways on a phone ({width}px)"
    assert page.locator("#landscape-plot").bounding_box()["width"] > 300
    export = page.locator("summary", has_text="Export").bounding_box()
    assert export["x"] + export["width"] <= PHONE["width"], "the Export menu runs off the screen"
    page.screenshot(path=artifacts / "networks-phone.png")
    page.locator("#landscape-plot").screenshot(path=artifacts / "networks-phone-landscape-3d.png")
    context.close()
    assert not errors, errors
