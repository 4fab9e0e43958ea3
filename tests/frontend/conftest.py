"""Browser-test fixtures shared by every page's tests (optimizers and networks).

`server` starts the real `gradscape serve` process once per session and yields its base URL;
`browser` is one headless Chromium per session; `page` is a fresh tab per test that records
console errors, page errors and failed requests, and fails the test if any occurred.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page as SyncPage
from playwright.sync_api import sync_playwright

from benchmarks.harness import running_server

CHROMIUM = os.environ.get("GRADSCAPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of a real Gradscape server started for this test session (the benchmarks'
    `running_server`: `gradscape serve` on a free port, once /api/health answers)."""
    with running_server() as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    # A missing browser is a missing install step, not a reason to pass: fail loudly.
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (.ci/run does)"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class PageProblems:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.allowed: list[str] = []  # substrings of problems a test expects

    def add(self, text: str) -> None:
        if not any(a in text for a in self.allowed):
            self.items.append(text)


def _csp_safe_wait_for_function(wait):
    """The site's Content-Security-Policy forbids eval, which Playwright uses for a string
    predicate such as ``"document.body.dataset.ready === 'true'"``; wrapped as an arrow
    function it is compiled through the browser's debugger protocol instead, which CSP allows.
    Patched on the class, so every page of every test gets it."""

    def wait_for_function(self, expression: str, *args, **kwargs):
        if not expression.strip().startswith(("(", "function", "async")):
            expression = f"() => ({expression})"
        return wait(self, expression, *args, **kwargs)

    return wait_for_function


SyncPage.wait_for_function = _csp_safe_wait_for_function(SyncPage.wait_for_function)


def watch(page) -> PageProblems:
    problems = PageProblems()
    page.on("console", lambda m: m.type == "error" and problems.add(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.add(f"page error: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            (r.failure or "").find("ERR_ABORTED") < 0
            and problems.add(f"request failed: {r.url} {r.failure}")
        ),
    )
    page.on("response", lambda r: r.status >= 400 and problems.add(f"HTTP {r.status}: {r.url}"))
    return problems


@pytest.fixture
def page(browser, server):
    """A laptop-sized tab on the server; the test fails if the page logged any error."""
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    page = context.new_page()
    page.base_url = server
    problems = watch(page)
    page.problems = problems
    yield page
    context.close()
    assert not problems.items, "browser reported problems:\n" + "\n".join(problems.items)
