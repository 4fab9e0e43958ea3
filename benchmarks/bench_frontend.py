"""Optimizer-page benchmark: Chromium (Playwright, /usr/bin/chromium) against real servers.

Prints, for this page and side by side for the page as it was before issue 8 (commit BEFORE,
its frontend/ served by the same backend): frames per second (counted by requestAnimationFrame)
while playing and while scrubbing, for the default view, for 5 runs x 10,000 steps, and for the
same in 3D, and while dragging the 3D scene around; the longest main-thread task (Long Tasks
API) while results arrive, when switching to 3D and while turning it; and the time from
navigation to the first drawn path, warm server, warm cache.

Run with `make bench` or `.venv/bin/python benchmarks/bench_frontend.py [--now-only]`.
Chromium runs with --disable-gpu (software rendering), as the browser tests do. The machine is
shared, so absolute numbers wander with its load; each is the median of a few repeats, and the
two pages are measured in the same run, one after the other, so their ratio is the fairer
number.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from harness import running_server
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
BEFORE = "070ffe0"  # main just before issue 8: every frame redrew every whole path
CHROMIUM = os.environ.get("GRADSCAPE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1440, "height": 900}
REPEATS = 3

BIG = {
    "surface": "rosenbrock",
    "steps": 10_000,
    "tol": 0,
    "start": [-1.5, 2],
    "runs": [
        {"o": "sgd", "c": "#ff5a36", "p": {"lr": 0.001}},
        {"o": "momentum", "c": "#1f9bd1", "p": {"lr": 0.001}},
        {"o": "nesterov", "c": "#f5b700", "p": {"lr": 0.0005}},
        {"o": "adam", "c": "#9b5de5", "p": {"lr": 0.01}},
        {"o": "rmsprop", "c": "#00c49a", "p": {"lr": 0.001}},
    ],
}

# Before any page script: long tasks into a list the benchmark reads and clears, and the time
# the plot first holds a path of two or more points (the same test for both pages).
INIT_JS = """
window.__longtasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longtasks.push({start: e.startTime, ms: e.duration});
}).observe({type: 'longtask', buffered: true});
window.__firstPath = null;
(function watch() {
  const gd = document.getElementById('plot');
  const drawn = gd && (gd.data || []).some(t => t.meta && t.meta.role === 'path' && t.x.length > 1);
  if (drawn) window.__firstPath = performance.now(); else requestAnimationFrame(watch);
})();
"""

FPS_JS = """async ([ms, scrub]) => {
  const bar = document.getElementById('scrubber');
  let n = 0;
  const t0 = performance.now();
  await new Promise((done) => {
    function tick() {
      n++;
      if (scrub) {
        bar.value = String((n * 97) % (Number(bar.max) + 1));
        bar.dispatchEvent(new Event('input'));
      }
      if (performance.now() - t0 < ms) requestAnimationFrame(tick); else done();
    }
    requestAnimationFrame(tick);
  });
  return n * 1000 / (performance.now() - t0);
}"""

# The 3D scene is on the page: Plotly's WebGL surface (the page before) or the page's own canvas.
SCENE_SHOWN_JS = """() => document.querySelector('#plot canvas.scene3d') !== null
  || (document.getElementById('plot').data || []).some(t => t.type === 'surface')"""

# Frames counted by requestAnimationFrame between TURN_START_JS and TURN_STOP_JS, per second.
TURN_START_JS = """() => {
  const count = window.__turn = {n: 0, t0: performance.now(), on: true};
  const tick = () => { if (count.on) { count.n++; requestAnimationFrame(tick); } };
  requestAnimationFrame(tick);
}"""
TURN_STOP_JS = """() => {
  window.__turn.on = false;
  return window.__turn.n * 1000 / (performance.now() - window.__turn.t0);
}"""

PLAYING_JS = "() => document.getElementById('play').getAttribute('aria-label') === 'Pause'"


def wait_idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("() => document.body.dataset.idle === 'true'", timeout=180_000)


def longest_task(page) -> float:
    return page.evaluate("Math.max(0, ...window.__longtasks.map(t => t.ms))")


def fps(page, scrub: bool, ms: int = 2500) -> float:
    if not scrub:
        page.select_option("#speed", "0.5")
        page.click("#restart")
    value = page.evaluate(FPS_JS, [ms, scrub])
    if page.evaluate(PLAYING_JS):
        page.click("#play")
    return value


def turning(page, ms: int = 2500) -> tuple[float, float]:
    """Drag the 3D scene around (the mouse held down, moved as fast as Playwright sends
    events) and return the frames per second meanwhile and the longest task."""
    box = page.locator("#plot").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate("window.__longtasks.length = 0")
    page.mouse.move(cx - 150, cy)
    page.mouse.down()
    page.evaluate(TURN_START_JS)
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < ms / 1000:
        i += 1
        page.mouse.move(cx - 150 + (i * 7) % 300, cy + 40 * math.sin(i / 10))
    rate = page.evaluate(TURN_STOP_JS)
    page.mouse.up()
    return rate, longest_task(page)


def median_of(fn) -> float:
    return statistics.median(fn() for _ in range(REPEATS))


def measure(browser, base: str) -> dict[str, float]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_JS)
    page = context.new_page()
    out: dict[str, float] = {}

    firsts = []
    for i in range(REPEATS + 1):  # the first load only warms the server and the cache
        page.goto(f"{base}/")
        page.wait_for_function("() => window.__firstPath !== null", timeout=60_000)
        if i:
            firsts.append(page.evaluate("window.__firstPath"))
    out["first"] = statistics.median(firsts)
    wait_idle(page)
    out["default play"] = median_of(lambda: fps(page, False))
    out["default scrub"] = median_of(lambda: fps(page, True))

    arrive = []
    for i in range(REPEATS):
        big = {**BIG, "start": [-1.5, 2 - 0.01 * i]}
        page.evaluate("window.__longtasks.length = 0")
        page.evaluate("(h) => { location.hash = h; }", f"s={quote(json.dumps(big))}")
        wait_idle(page)
        page.wait_for_timeout(300)
        arrive.append(longest_task(page))
    out["big arrive"] = statistics.median(arrive)
    out["big play"] = median_of(lambda: fps(page, False))
    out["big scrub"] = median_of(lambda: fps(page, True))

    switch = []
    for i in range(REPEATS):
        page.evaluate("window.__longtasks.length = 0")
        page.check("#view-3d")
        page.wait_for_function(SCENE_SHOWN_JS, timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(500)
        switch.append(longest_task(page))
        if i < REPEATS - 1:
            page.uncheck("#view-3d")
            wait_idle(page)
            page.wait_for_timeout(300)
    out["3d switch"] = statistics.median(switch)
    out["3d play"] = median_of(lambda: fps(page, False))
    out["3d scrub"] = median_of(lambda: fps(page, True))
    page.evaluate("window.__longtasks.length = 0")
    fps(page, True)
    out["3d scrub task"] = longest_task(page)
    turns = [turning(page) for _ in range(REPEATS)]
    out["3d turn"] = statistics.median(t[0] for t in turns)
    out["3d turn task"] = statistics.median(t[1] for t in turns)
    context.close()
    return out


# (key, label, target); fps: higher is better, times: lower is better
ROWS = [
    ("first", "navigation to first drawn path (ms)", "<= 800"),
    ("default play", "default view: fps playing", ">= 50"),
    ("default scrub", "default view: fps scrubbing", ">= 50"),
    ("big arrive", "5 x 10,000: longest task as results arrive (ms)", "<= 200"),
    ("big play", "5 x 10,000: fps playing", ">= 40"),
    ("big scrub", "5 x 10,000: fps scrubbing", ">= 40"),
    ("3d switch", "5 x 10,000: longest task switching to 3D (ms)", "<= 200"),
    ("3d play", "5 x 10,000, 3D: fps playing", ">= 20"),
    ("3d scrub", "5 x 10,000, 3D: fps scrubbing", ">= 20"),
    ("3d scrub task", "5 x 10,000, 3D: longest task scrubbing (ms)", "<= 200"),
    ("3d turn", "5 x 10,000, 3D: fps turning the scene", ">= 20"),
    ("3d turn task", "5 x 10,000, 3D: longest task turning (ms)", "<= 200"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--now-only", action="store_true", help="skip the page before issue 8")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        frontends: dict[str, Path | None] = {"now": None}
        if not args.now_only:
            archive = subprocess.run(
                ["git", "archive", BEFORE, "frontend"], cwd=REPO, capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            frontends = {"before": Path(tmp) / "frontend", **frontends}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, frontend in frontends.items():
            env = {"GRADSCAPE_FRONTEND_DIR": str(frontend)} if frontend else {}
            with running_server(env=env, quiet=True) as base:  # quiet: no access log
                results[name] = measure(browser, base)
        browser.close()

    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    load = os.getloadavg()[0]
    print(f"Optimizer page, {version.strip()}, software rendering, 1440x900")
    print(f"median of {REPEATS}; machine load average {load:.1f} on {os.cpu_count()} cores")
    head = f"  {'':<50}{'before':>9}{'now':>9}{'now/before':>12}  target"
    print(head if "before" in results else f"  {'':<50}{'now':>9}  target")
    for key, label, target in ROWS:
        now = results["now"][key]
        if "before" in results:
            before = results["before"][key]
            ratio = now / before if before else float("inf")
            print(f"  {label:<50}{before:9.1f}{now:9.1f}{ratio:11.2f}x  {target}")
        else:
            print(f"  {label:<50}{now:9.1f}  {target}")


if __name__ == "__main__":
    main()
