"""On a phone (390 x 844, touch) every lesson's picture is in the first screen (issue 8).

After a lesson opens (from a `#preset=` link, the preset list or the Lessons list), the whole
contour plot lies between the sticky header and the bottom of the viewport; the lesson's text
shows two lines and a More/Less button for the rest. The header's logo clears the screen edge.
Geometry is read from the page as the viewer sees it (bounding boxes, the text's clipping).
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.frontend.conftest import PHONE, watch
from tests.frontend.site_pages import open_page, wait_idle

MIN_LOGO_INSET = 12  # px between the screen's left edge and the logo

# Where the plot and the header are on screen, and the viewport.
VIEW_JS = """() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  };
  return {
    plot: box(document.getElementById('plot')),
    header: box(document.getElementById('app-header')),
    width: window.innerWidth, height: window.innerHeight,
  };
}"""
# How much of the lesson text shows (its clipped height), all of it, and one line, in px.
TEXT_JS = """() => {
  const text = document.getElementById('lesson-text');
  return {shown: text.clientHeight, full: text.scrollHeight,
          line: parseFloat(getComputedStyle(text).lineHeight)};
}"""
PLOT_TOP = "document.getElementById('plot').getBoundingClientRect().top"


@pytest.fixture
def phone(browser, server) -> Iterator:
    """A phone-sized touch tab on the server; the test fails if the page logged any error."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.base_url = server
    problems = watch(page)
    yield page
    context.close()
    assert not problems.items, "browser reported problems:\n" + "\n".join(problems.items)


def preset_ids(page) -> list[str]:
    buttons = page.locator("#presets .preset")
    return [buttons.nth(i).get_attribute("data-preset") for i in range(buttons.count())]


def assert_plot_in_first_screen(page, what: str) -> None:
    view = page.evaluate(VIEW_JS)
    plot, top = view["plot"], view["header"]["bottom"]
    assert plot["bottom"] - plot["top"] > 300, f"{what}: #plot is not shown ({plot})"
    assert plot["top"] >= top - 0.5, (
        f"{what}: the plot's top ({plot['top']:.0f}) is under the header"
    )
    assert plot["bottom"] <= view["height"] + 0.5, (
        f"{what}: the plot ends {plot['bottom'] - view['height']:.0f}px below the fold"
    )
    assert plot["left"] >= 0 and plot["right"] <= view["width"] + 0.5, f"{what}: {plot}"


def assert_the_text_folds_to_two_lines_and_more_shows_it_all(page, what: str) -> None:
    text = page.evaluate(TEXT_JS)
    assert text["shown"] <= 2 * text["line"] + 1, (what, text)
    assert text["full"] > text["shown"] + text["line"] / 2, (what, text)  # the rest is clipped
    more = page.locator("#lesson-note").get_by_role("button", name="More")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(more).to_have_attribute("aria-controls", "lesson-text")
    more.tap()
    less = page.locator("#lesson-note").get_by_role("button", name="Less")
    expect(less).to_have_attribute("aria-expanded", "true")
    opened = page.evaluate(TEXT_JS)
    assert opened["shown"] >= opened["full"] > 2 * opened["line"], (what, opened)
    less.tap()
    expect(more).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(TEXT_JS)["shown"] == text["shown"], what


def test_every_lesson_link_opens_on_a_phone_with_the_whole_plot_and_a_more_button(phone, artifacts):
    open_page(phone)
    ids = preset_ids(phone)
    assert len(ids) >= 11
    for preset_id in ids:
        phone.goto("about:blank")
        open_page(phone, f"#preset={preset_id}")
        expect(phone.locator("#lesson-note")).to_be_visible()
        assert_plot_in_first_screen(phone, preset_id)
        phone.screenshot(path=artifacts / f"phone-preset-{preset_id}.png")
        assert_the_text_folds_to_two_lines_and_more_shows_it_all(phone, preset_id)


def test_picking_a_preset_or_a_lesson_on_a_phone_brings_the_whole_plot_into_view(phone):
    open_page(phone)  # the race
    shown = "race"
    for preset_id in preset_ids(phone):
        # an unfolded card folds again for another lesson, so the plot still fits
        more = phone.locator("#lesson-text-more")
        if preset_id != shown:
            more.tap()
            expect(more).to_have_attribute("aria-expanded", "true")
        shown = preset_id
        button = phone.locator(f'#presets [data-preset="{preset_id}"]')
        button.evaluate("b => b.scrollIntoView({block: 'center'})")
        assert phone.evaluate(PLOT_TOP) < 0, "the list is picked from where the plot is out of view"
        button.tap()
        wait_idle(phone)
        expect(phone.locator("#lesson-text-more")).to_have_attribute("aria-expanded", "false")
        assert_plot_in_first_screen(phone, f"preset {preset_id}")
    links = phone.locator('#lessons a[href^="#preset="]')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 6
    for href in hrefs:
        link = phone.locator(f'#lessons a[href="{href}"]')
        link.evaluate("a => a.scrollIntoView({block: 'center'})")
        assert phone.evaluate(PLOT_TOP) < 0
        link.tap()
        wait_idle(phone)
        assert_plot_in_first_screen(phone, f"lesson {href}")


def test_the_lesson_text_shows_whole_and_without_a_toggle_on_a_laptop(page):
    open_page(page, "#preset=ravine")
    text = page.evaluate(TEXT_JS)
    assert text["shown"] >= text["full"] > 3 * text["line"], text
    expect(page.locator("#lesson-text-more")).to_be_hidden()


@pytest.mark.parametrize("path", ["", "networks.html", "maps.html"])
def test_phone_header_logo_clears_the_screen_edge_and_the_header_fits(phone, path):
    phone.goto(f"{phone.base_url}/{path}")
    logo = phone.locator("#app-header .brand-mark")
    export = phone.locator("#app-header summary", has_text="Export")
    expect(logo).to_be_visible()
    for width in (PHONE["width"], 375, 360):  # also the narrower phones in use
        phone.set_viewport_size({"width": width, "height": PHONE["height"]})
        assert logo.bounding_box()["x"] >= MIN_LOGO_INSET, width
        box = export.bounding_box()
        assert box["x"] + box["width"] <= width, f"Export still fits on the line at {width}px"


@pytest.mark.parametrize(
    ("path", "plot"),
    [
        ("networks.html#preset=edge-of-stability", "#data-plot"),
        ("maps.html#preset=heavy-ball-phase", "#map-0"),
    ],
)
def test_the_other_pages_fold_their_lesson_text_too(phone, path, plot):
    """The Networks and Maps pages share the lesson card: folded, their first plot is in view."""
    phone.goto(f"{phone.base_url}/{path}")
    expect(phone.locator("#lesson-note")).to_be_visible()
    expect(phone.locator(f"{plot} .main-svg").first).to_be_attached(timeout=30_000)
    box = phone.locator(plot).bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"{plot} ends below the fold: {box}"
    assert_the_text_folds_to_two_lines_and_more_shows_it_all(phone, path)
