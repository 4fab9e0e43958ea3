"""Browser tests of the networks page (networks.html) against the real server.

Numbers are read back from the plots' own traces, as a viewer reads them off the page.
"""

import csv
import io
import json
import math
import urllib.parse
from pathlib import Path

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from tests.networks.test_presets_api import assert_the_texts_timeline, edge_of_stability

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}

TRACES_JS = """(id) => (document.getElementById(id).data || [])
  .map(t => ({type: t.type, name: t.name, x: t.x ? Array.from(t.x) : null,
              y: t.y ? Array.from(t.y) : null, z: t.z ? t.z.length : 0,
              zsum: t.z ? t.z.flat().reduce((a, b) => a + (b || 0), 0) : 0,
              color: (t.line && t.line.color) || null,
              symbols: t.marker && Array.isArray(t.marker.symbol) ? t.marker.symbol : null}))"""


def open_page(page, hash_: str = "") -> None:
    page.goto(f"{page.base_url}/networks.html{hash_}")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    wait_idle(page)


def wait_idle(page) -> None:
    page.wait_for_function("document.body.dataset.idle === 'true'", timeout=90_000)
    page.wait_for_timeout(150)


def traces(page, chart_id: str) -> list[dict]:
    return page.evaluate(TRACES_JS, chart_id)


def by_name(page, chart_id: str, name: str) -> dict:
    (trace,) = [t for t in traces(page, chart_id) if t["name"] == name]
    return trace


def named(page, chart_id: str, suffix: str) -> list[dict]:
    return [t for t in traces(page, chart_id) if (t["name"] or "").endswith(suffix)]


def train(page) -> None:
    page.get_by_role("button", name="Train", exact=True).click()
    wait_idle(page)


def load_preset(page, preset_id: str) -> None:
    page.locator(f'#presets [data-preset="{preset_id}"]').click()
    wait_idle(page)


# ---- first look ------------------------------------------------


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_page_opens_on_a_trained_run_with_train_in_reach(browser, server, viewport, artifacts):
    mobile = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    page.base_url = server
    page.goto(f"{server}/networks.html")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    box = page.get_by_role("button", name="Train", exact=True).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    wait_idle(page)
    assert len(by_name(page, "loss-chart", "run 1 · train")["y"]) == 501
    assert by_name(page, "data-plot", "boundary · run 1")["z"] == 60
    assert len(by_name(page, "landscape-plot", "path · run 1")["x"]) > 10
    box = page.get_by_role("button", name="Train", exact=True).bounding_box()
    assert box["y"] + box["height"] <= viewport["height"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, f"page scrolls sideways ({width}px)"
    for name in ("Copy link", "Export"):  # the same header as every page, phones included
        box = page.locator(".app-header").get_by_text(name, exact=True).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], name
    assert_axis_titles_clear(page)
    page.screenshot(path=artifacts / f"networks-open-{'phone' if mobile else 'laptop'}.png")
    context.close()


def assert_axis_titles_clear(page) -> None:
    """Every 2D chart's x-axis title sits below its tick labels and above its legend."""
    for chart, (title, ticks, legend) in page.evaluate(AXIS_BOXES_JS).items():
        assert title["top"] >= ticks["bottom"] - 0.5, f"{chart}: x-axis title over its tick labels"
        assert legend["top"] >= title["bottom"] - 0.5, f"{chart}: legend over the x-axis title"


# Per 2D chart: the x-axis title's box, the lowest tick label's box, the legend's box.
AXIS_BOXES_JS = """() => Object.fromEntries([...document.querySelectorAll('.js-plotly-plot')]
  .filter(el => el.querySelector('.g-xtitle text') && el.querySelector('.xtick text'))
  .map(el => {
    const box = (n) => {
      const b = n.getBoundingClientRect();
      return {top: b.top, bottom: b.bottom};
    };
    const ticks = [...el.querySelectorAll('.xtick text')].map(box);
    return [el.id, [box(el.querySelector('.g-xtitle text')),
                    {bottom: Math.max(...ticks.map(b => b.bottom))},
                    box(el.querySelector('.legend'))]];
  }))"""


def test_controls_come_from_the_api(page):
    open_page(page)
    expect(page.get_by_role("link", name="Networks")).to_have_attribute("aria-current", "page")
    optimizers = page.get_by_label("Optimizer").locator("option").all_text_contents()
    assert "Adam" in optimizers and "SGD" in optimizers
    assert not any("Newton" in o for o in optimizers)  # refused for networks
    datasets = page.get_by_label("Data set").locator("option").all_text_contents()
    assert "Moons" in datasets and "Sine" in datasets and "Your data (CSV)…" in datasets
    classes = [t for t in traces(page, "data-plot") if t["name"].startswith("class")]
    assert len(classes) == 2 and sum(len(t["x"]) for t in classes) == 200


# ---- 1. validation first ------------------------------------------------

BAD_VALUES = [
    ("Hidden layers", "hidden", "16, abc", '"abc" is not a width'),
    ("Hidden layers", "hidden", "", "at least one width"),
    ("Hidden layers", "hidden", "200, 200", "the limit is 20000"),
    ("Learning rate", "lr", "-1", "greater than 0"),
    ("Learning rate", "lr", "", "Enter a number"),
    ("Learning rate", "lr", "5000", "at most 1000"),
    ("Steps", "steps", "2.5", "whole number"),
    ("Steps", "steps", "-1", "at least 0"),
    ("Steps", "steps", "30000", "at most 20000"),
    ("Samples", "samples", "5", "at least 10"),
    ("Data noise", "data-noise", "-0.5", "at least 0"),
    ("Data seed", "data-seed", "1.5", "whole number"),
    ("Seed", "seed", "-1", "at least 0"),
    ("Batch size", "batch-size", "0", "at least 1"),
    ("Batch size", "batch-size", "1000", "at most 160"),
    ("Resolution", "resolution", "40", "Must be odd"),
    ("Resolution", "resolution", "3", "at least 5"),
    ("beta1", "hp-beta1", "2", "at most 1"),
    ("Sharpness every", "sharpness-every", "-2", "at least 0"),
]


def test_each_kind_of_bad_value_is_refused_at_its_field_and_nothing_is_sent(page):
    open_page(page)
    sent: list[str] = []
    page.on("request", lambda r: "/api/" in r.url and r.method == "POST" and sent.append(r.url))
    for label, field, value, message in BAD_VALUES:
        box = page.get_by_label(label, exact=True)
        good = box.input_value()
        box.fill(value)
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_timeout(100)
        note = page.locator(f"#{field}-error")
        expect(note).to_be_visible()
        expect(note).to_contain_text(message)
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#status-line")).to_contain_text("Nothing was trained")
        assert sent == [], f"{label} = {value!r} sent {sent}"
        box.fill(good)
        expect(note).to_be_hidden()
    page.get_by_label("Data set").select_option("custom")
    page.get_by_label("CSV data").fill(
        "x1,x2,label\n" + "0,0,0\n" * 3 + "1,oops,1\n" + "1,1,1\n" * 8
    )
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator("#csv-error")).to_contain_text('line 5: "oops" is not a finite number')
    page.get_by_label("CSV data").fill("x1,x2,label\n" + "0,0,0\n" * 3 + "1,1,12\n" + "1,1,1\n" * 8)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator("#csv-error")).to_contain_text(
        "line 5: the label must be a whole number from 0 to 9"
    )
    page.get_by_label("CSV data").fill("x1,x2,label\n1,2,0\n")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator("#csv-error")).to_contain_text("at least 10 points")
    assert not [u for u in sent if "/networks/" in u]


# ---- 2. compare runs ------------------------------------------------


def test_compare_three_batch_sizes_and_two_optimizers_on_moons(page, browser, server):
    open_page(page)
    load_preset(page, "batch-vs-sgd-moons")
    assert page.locator("#run-list li").count() == 3
    page.get_by_role("button", name="+ Add run").click()  # a copy of the selected run
    page.get_by_label("Optimizer").select_option("adam")
    page.get_by_label("Learning rate", exact=True).fill("0.01")
    page.get_by_label("Batch size").fill("")
    page.get_by_role("button", name="+ Add run").click()
    page.get_by_label("Optimizer").select_option("momentum")
    page.get_by_label("Learning rate", exact=True).fill("0.05")
    train(page)
    names = page.locator("#run-list .run-name").all_text_contents()
    assert names[3].startswith("4. Adam · lr 0.01 · full batch")
    assert names[4].startswith("5. SGD + momentum · lr 0.05 · full batch")
    losses = [t["y"] for t in named(page, "loss-chart", " · train")]
    assert len(losses) == 5 and all(len(y) == 601 for y in losses)
    # Same data and same seed: every run starts from the same weights, so the same loss.
    assert len({y[0] for y in losses}) == 1
    assert len({y[-1] for y in losses}) == 5
    assert len(named(page, "landscape-plot", "path · run 5")) == 1
    assert len([t for t in traces(page, "landscape-plot") if t["name"].startswith("path")]) == 5
    assert len([t for t in traces(page, "data-plot") if t["name"].startswith("boundary")]) == 5
    # Adam's sharpness is the preconditioned one, against its own bound, not 2/lr.
    assert len(named(page, "sharpness-chart", "run 4 · λmax(P⁻¹H)")) == 1
    assert len(named(page, "sharpness-chart", "run 4 · 38/lr")) == 1
    assert len(named(page, "sharpness-chart", "run 5 · 3.8/lr")) == 1
    expect(page.locator("#sharpness-notes")).to_contain_text("2/lr does not apply")

    # The selected run's regions shade the data plot: a toggle between the runs' boundaries.
    def shaded_is(run: int) -> bool:
        shade = by_name(page, "data-plot", "P(class 1)")["zsum"]
        return shade == by_name(page, "data-plot", f"boundary · run {run}")["zsum"]

    assert shaded_is(5)  # the last added run is selected
    page.locator("#run-list .run-select").nth(1).click()
    page.wait_for_timeout(300)
    assert shaded_is(2) and not shaded_is(5)
    page.get_by_label("Colour of run 2").fill("#123456")
    assert by_name(page, "loss-chart", "run 2 · train")["color"] == "#123456"
    page.get_by_label("Remove run 1").click()
    assert page.locator("#run-list li").count() == 4
    assert len(named(page, "loss-chart", " · train")) == 4

    url = page.url
    train(page)
    before = [t["y"] for t in named(page, "loss-chart", " · train")]
    fresh = browser.new_context(viewport=LAPTOP).new_page()
    fresh.base_url = server
    try:
        fresh.goto(url)
        wait_idle(fresh)
        assert [t["y"] for t in named(fresh, "loss-chart", " · train")] == before
        assert by_name(fresh, "loss-chart", "run 1 · train")["color"] == "#123456"
    finally:
        fresh.context.close()


def _download(page, button: str) -> Path:
    page.locator("summary", has_text="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path())


@pytest.mark.parametrize("dataset", ["moons", "sine"])
def test_exports_hold_the_batch_api_numbers(page, server, dataset):
    open_page(page)
    page.get_by_label("Data set").select_option(dataset)
    page.get_by_label("Hidden layers").fill("8")
    page.get_by_label("Steps").fill("60")
    page.get_by_label("Resolution").fill("11")
    page.get_by_label("Schedule").select_option("exponential")
    page.get_by_role("button", name="+ Add run").click()
    page.get_by_label("Optimizer").select_option("sgd")
    page.get_by_label("Learning rate", exact=True).fill("0.2")
    page.get_by_label("Batch size").fill("16")
    train(page)
    exported = json.loads(_download(page, "Runs as JSON").read_text())
    assert exported["link"] == page.url and len(exported["runs"]) == 2
    requests = [r["request"] for r in exported["runs"]]
    assert requests[0]["dataset"] == dataset and requests[0]["schedule"]["name"] == "exponential"
    assert requests[1]["optimizer"] == "sgd" and requests[1]["batch_size"] == 16
    shared = {"directions": "pca", "resolution": 11}
    assert exported["request"] == {"runs": requests, "landscape": shared}
    batch = f"{server}/api/networks/batch"
    expected = httpx.post(batch, json=exported["request"], timeout=60).json()
    for run, answer in zip(exported["runs"], expected["runs"], strict=True):
        assert run["response"] == answer
    assert exported["landscape"] == expected["landscape"]

    rows = list(csv.DictReader(io.StringIO(_download(page, "Curves as CSV").read_text())))
    assert list(rows[0]) == [
        "run",
        "label",
        "step",
        "loss",
        "val_loss",
        "accuracy",
        "val_accuracy",
        "lr",
        "sharpness",
        "bound",
    ]
    for i, answer in enumerate(expected["runs"], start=1):
        mine = [r for r in rows if r["run"] == str(i)]
        assert [int(r["step"]) for r in mine] == list(range(61))
        assert [float(r["loss"]) for r in mine] == answer["loss"]
        measured = {s["step"]: s["value"] for s in answer["sharpness"]}
        assert {int(r["step"]): float(r["sharpness"]) for r in mine if r["sharpness"]} == measured
    for button in ("Boundary as PNG", "Landscape as PNG"):
        assert _download(page, button).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", button


def test_old_single_run_links_still_open(page):
    old = {
        "dataset": "circles",
        "samples": 150,
        "data_noise": 0.08,
        "hidden": [8, 4],
        "activation": "relu",
        "optimizer": "momentum",
        "batch_size": 32,
        "steps": 50,
        "seed": 3,
        "params": {"lr": 0.05},
        "landscape": {"directions": "random", "resolution": 15},
    }
    open_page(page, "#s=" + urllib.parse.quote(json.dumps(old)))
    assert page.locator("#run-list li").count() == 1
    assert page.get_by_label("Data seed").input_value() == "3"
    assert page.get_by_label("Seed", exact=True).input_value() == "3"
    assert page.get_by_label("Batch size").input_value() == "32"
    assert page.get_by_label("Optimizer").input_value() == "momentum"
    assert len(by_name(page, "loss-chart", "run 1 · train")["y"]) == 51


# ---- 3. watch it learn ------------------------------------------------


def test_the_boundary_forms_while_training_streams(page):
    open_page(page)
    page.get_by_label("Steps").fill("4000")
    page.get_by_role("button", name="Train", exact=True).click()
    seen: list[float] = []
    lengths: list[int] = []
    for _ in range(200):
        if page.evaluate("document.body.dataset.idle") == "true":
            break
        (boundary,) = [t for t in traces(page, "data-plot") if t["name"] == "boundary · run 1"] or [
            None
        ]
        if boundary:
            seen.append(round(boundary["zsum"], 6))
            lengths.append(len(by_name(page, "loss-chart", "run 1 · train")["y"]))
        page.wait_for_timeout(100)
    wait_idle(page)
    assert len(set(seen)) >= 3, "the boundary did not change while training"
    assert len({n for n in lengths if n < 4001}) >= 3, "the curves did not grow while training"


# ---- 5. presets whose words hold ------------------------------------------------


def test_edge_of_stability_preset_shows_the_papers_picture(page):
    open_page(page, "#preset=edge-of-stability")
    text = page.locator("#lesson-text").inner_text()
    assert "2/lr ≈ 28.6" in text and "first tenth" in text and "60%" in text
    assert "about step 550" in text and "near step 830" in text and "remaining 1,150" in text
    (sharp,) = named(page, "sharpness-chart", "run 1 · λmax")
    (bound,) = named(page, "sharpness-chart", "run 1 · 2/lr")
    loss = np.array(by_name(page, "loss-chart", "run 1 · train")["y"])
    steps = len(loss) - 1
    assert sharp["x"] == list(range(steps + 1))  # sampled every step
    s = np.array(sharp["y"])
    two_over_lr = np.array(bound["y"])
    assert two_over_lr[0] == pytest.approx(28.57, abs=0.01)
    for chart in ("loss-chart", "sharpness-chart"):  # a value can be read off each axis
        labels = page.locator(f"#{chart} .ytick text").all_text_contents()
        assert len(labels) >= 3, (chart, labels)
    assert_edge_of_stability(s, two_over_lr, loss)


def assert_edge_of_stability(s: np.ndarray, bound: np.ndarray, loss: np.ndarray) -> None:
    """Cohen et al.'s picture in the issue's numbers, and the preset text's timeline."""
    start = edge_of_stability(s, bound, loss)
    assert_the_texts_timeline(s, bound, loss, start)
    assert np.any(np.diff(loss[start:]) > 0), "the loss fell monotonically: no edge of stability"


def test_batch_size_preset_text_matches_its_runs(page):
    open_page(page, "#preset=batch-vs-sgd-moons")
    text = page.locator("#lesson-text").inner_text()
    assert "same 600 steps" in text
    losses = {t["name"]: np.array(t["y"]) for t in named(page, "loss-chart", " · train")}
    accs = {t["name"]: np.array(t["y"]) for t in named(page, "accuracy-chart", " · train")}
    one, sixteen, full = (losses[f"run {i} · train"] for i in (1, 2, 3))
    assert all(len(v) == 601 for v in (one, sixteen, full))
    names = page.locator("#run-list .run-name").all_text_contents()
    assert [n.split(" · ")[2] for n in names] == ["batch 1", "batch 16", "full batch"]
    # Full batch: falls at every single step, ends below 0.1.
    assert np.all(np.diff(full) < 0) and full[-1] < 0.1
    # Batch 16: rises on more than a third of the steps, ends within 2x of full batch.
    assert np.sum(np.diff(sixteen) > 0) > 600 / 3 and sixteen[-1] < 2 * full[-1]
    # Batch 1: under 4 epochs of the training points; ends above 0.3 and below 90% accuracy.
    n_train = sum(
        sum(1 for s in t["symbols"] if s == "circle")
        for t in traces(page, "data-plot")
        if t["name"].startswith("class")
    )
    assert 600 / n_train < 4
    assert one[-1] > 0.3 and accs["run 1 · train"][-1] < 0.9
    assert np.sum(np.diff(one) > 0) > np.sum(np.diff(sixteen) > 0)  # the noisiest


def test_spirals_preset_text_matches_its_runs(page):
    open_page(page, "#preset=adam-vs-sgd-spirals")
    adam_acc = np.array(by_name(page, "accuracy-chart", "run 1 · train")["y"])
    sgd_acc = np.array(by_name(page, "accuracy-chart", "run 2 · train")["y"])
    sgd_loss = np.array(by_name(page, "loss-chart", "run 2 · train")["y"])
    assert len(sgd_loss) == 1501
    assert np.all(adam_acc[500:] == 1.0)
    assert np.all(sgd_loss > 0.6) and np.all(sgd_acc < 0.7)


@pytest.mark.parametrize(
    "preset", ["batch-vs-sgd-moons", "edge-of-stability", "adam-vs-sgd-spirals"]
)
def test_presets_load_and_draw(page, preset):
    open_page(page)
    load_preset(page, preset)
    expect(page.locator("#lesson-note")).to_be_visible()
    assert "completed" in page.locator("#status-line").inner_text()
    steps = int(page.get_by_label("Steps").input_value())
    runs = page.locator("#run-list li").count()
    assert len(named(page, "loss-chart", " · train")) == runs
    assert all(len(t["y"]) == steps + 1 for t in named(page, "loss-chart", " · train"))
    assert len([t for t in traces(page, "landscape-plot") if t["name"].startswith("path")]) == runs
    assert all(len(t["x"]) > 10 for t in traces(page, "sharpness-chart") if "λmax" in t["name"])
    assert_axis_titles_clear(page)


# ---- 6. your own data ------------------------------------------------


def moons_csv(server: str, samples: int) -> str:
    body = httpx.get(f"{server}/api/datasets/moons", params={"samples": samples, "seed": 4}).json()
    rows = [f"{x1},{x2},{int(y)}" for (x1, x2), y in zip(body["x"], body["y"], strict=True)]
    return "x1,x2,label\n" + "\n".join(rows)


def test_your_own_csv_trains_like_a_built_in_set_and_travels_in_the_link(
    page, browser, server, tmp_path
):
    open_page(page)
    page.get_by_label("Data set").select_option("custom")
    file = tmp_path / "mine.csv"
    file.write_text(moons_csv(server, 60))
    page.get_by_label("Upload a CSV file").set_input_files(str(file))
    expect(page.locator("#dataset-description")).to_contain_text("mine.csv: 60 points (binary)")
    page.wait_for_function(
        """() => document.getElementById('data-plot').data
            .filter(t => t.name.startsWith('class')).reduce((n, t) => n + t.x.length, 0) === 60"""
    )
    classes = [t for t in traces(page, "data-plot") if t["name"].startswith("class")]
    assert sum(len(t["x"]) for t in classes) == 60
    assert sum(s == "diamond" for t in classes for s in t["symbols"]) == 12  # 20% validation
    page.get_by_label("Steps").fill("200")
    train(page)
    acc = by_name(page, "accuracy-chart", "run 1 · train")["y"]
    assert len(acc) == 201 and acc[-1] > 0.85
    url = page.url
    state = json.loads(urllib.parse.unquote(url.split("#s=")[1]))
    assert state["dataset"] == "custom" and len(state["data"]["x"]) == 60  # small: inline
    before = by_name(page, "loss-chart", "run 1 · train")["y"]
    fresh = browser.new_context(viewport=LAPTOP).new_page()
    fresh.base_url = server
    try:
        fresh.goto(url)
        wait_idle(fresh)
        assert by_name(fresh, "loss-chart", "run 1 · train")["y"] == before
    finally:
        fresh.context.close()


def test_a_big_csv_is_linked_by_content_hash_and_never_leaves_this_browser(page, browser, server):
    open_page(page)
    page.get_by_label("Data set").select_option("custom")
    page.get_by_label("CSV data").fill(moons_csv(server, 400))
    expect(page.locator("#dataset-description")).to_contain_text("400 points")
    page.get_by_label("Steps").fill("30")
    train(page)
    state = json.loads(urllib.parse.unquote(page.url.split("#s=")[1]))
    assert set(state["data"]) == {"hash", "n", "task", "name"} and state["data"]["n"] == 400
    before = by_name(page, "loss-chart", "run 1 · train")["y"]
    url = page.url
    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    wait_idle(page)  # this browser kept the points: the link works here
    assert by_name(page, "loss-chart", "run 1 · train")["y"] == before
    other = browser.new_context(viewport=LAPTOP).new_page()  # another browser has no copy
    sent: list[str] = []
    other.on(
        "request", lambda r: "/api/networks" in r.url and r.method == "POST" and sent.append(r.url)
    )
    try:
        other.goto(url)
        other.wait_for_function("document.body.dataset.ready === 'true'")
        expect(other.locator("#csv-error")).to_contain_text(f"content hash {state['data']['hash']}")
        other.get_by_role("button", name="Train", exact=True).click()
        other.wait_for_timeout(300)
        assert sent == []
    finally:
        other.context.close()


# ---- 7. smaller things ------------------------------------------------


def test_regression_hides_accuracy_and_markers_are_explained(page):
    open_page(page)
    expect(page.locator("#data-caption")).to_have_text(
        "● training points · ◆ validation points (the held-out 20%)"
    )
    expect(page.locator("#accuracy-panel")).to_be_visible()
    page.get_by_label("Data set").select_option("sine")
    page.get_by_label("Steps").fill("50")
    train(page)
    expect(page.locator("#accuracy-panel")).to_be_hidden()
    (data,) = [t for t in traces(page, "data-plot") if t["name"] == "data"]
    assert data["symbols"].count("diamond") == 40 and data["symbols"].count("circle") == 160
    assert len(by_name(page, "data-plot", "fit · run 1")["x"]) == 200


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_plotly_toolbar_never_covers_a_legend_and_has_no_cloud_buttons(page):
    open_page(page, "#preset=batch-vs-sgd-moons")
    for chart in (
        "data-plot",
        "landscape-plot",
        "loss-chart",
        "accuracy-chart",
        "sharpness-chart",
        "interp-chart",
    ):
        plot = page.locator(f"#{chart}")
        plot.scroll_into_view_if_needed()
        plot.hover()
        bar = plot.locator(".modebar-container").bounding_box()
        legend = plot.locator(".legend").bounding_box()
        assert bar and legend, chart
        assert not _overlap(bar, legend), f"{chart}: the toolbar covers the legend"
        titles = plot.locator(".modebar-btn").evaluate_all(
            "bs => bs.map(b => b.dataset.title || '')"
        )
        assert titles and not any(
            w in t for t in titles for w in ("Cloud", "Chart Studio", "Share")
        ), titles


def test_points_too_big_to_send_with_every_run_are_refused_at_the_data(page, server, tmp_path):
    open_page(page)
    page.get_by_label("Data set").select_option("custom")
    file = tmp_path / "big.csv"
    file.write_text(moons_csv(server, 5000))
    page.get_by_label("Upload a CSV file").set_input_files(str(file))
    expect(page.locator("#dataset-description")).to_contain_text("5000 points")
    for _ in range(4):
        page.get_by_role("button", name="+ Add run").click()
    sent: list[str] = []
    page.on("request", lambda r: "/api/networks" in r.url and sent.append(r.url))
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.locator("#csv-error")).to_contain_text("5 runs with these points make a")
    expect(page.locator("#csv-error")).to_contain_text("Use fewer runs or fewer points")
    assert sent == []


def test_3d_landscape_is_the_slice_with_each_path_at_its_own_loss(page):
    """The 3D landscape is drawn by the page (js/scene3d.js, no WebGL): the slice's log10 loss
    as the surface, each run's path at the log10 of its own loss, as the batch API gives them;
    its PNG export is the view as drawn; unticking brings the contour back."""
    open_page(page)
    land = json.loads(_download(page, "Runs as JSON").read_text())["landscape"]
    page.get_by_label("3D view").check()
    page.wait_for_function("!!document.getElementById('landscape-plot')._scene3d")
    got = page.evaluate("document.getElementById('landscape-plot')._scene3d.state()")
    log = lambda v: math.log10(v) if v is not None and v > 0 else None  # noqa: E731
    assert got["mesh"]["x"] == land["x"] and got["mesh"]["y"] == land["y"]
    for row, expected in zip(got["mesh"]["z"], land["z"], strict=True):
        assert row == pytest.approx([log(v) for v in expected], rel=1e-12)
    assert len(got["paths"]) == len(land["paths"]) >= 1
    for drawn, path in zip(got["paths"], land["paths"], strict=True):
        assert drawn["x"] == [q[0] for q in path["path"]]
        assert drawn["y"] == [q[1] for q in path["path"]]
        assert drawn["z"] == pytest.approx([log(v) for v in path["path_loss"]], rel=1e-12)
    lo, hi = got["axes"]["z"]["range"]
    heights = [v for row in got["mesh"]["z"] for v in row if v is not None]
    heights += [v for p in got["paths"] for v in p["z"] if v is not None]
    assert lo == pytest.approx(min(heights)) and hi == pytest.approx(max(heights))
    canvases = page.evaluate(
        "Array.from(document.querySelectorAll('#landscape-plot canvas'))"
        ".map(c => c.getContext('webgl') === null && c.getContext('webgl2') === null)"
    )
    assert canvases == [True]
    png = _download(page, "Landscape as PNG")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.get_by_label("3D view").uncheck()
    page.wait_for_function("!document.getElementById('landscape-plot')._scene3d")
    assert traces(page, "landscape-plot")[0]["type"] == "contour"
