"""Browser tests of the networks page (networks.html) against the real server."""

import pytest
from playwright.sync_api import expect

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
