"""Opening the optimizer page and waiting for it, shared by its browser tests.

The page sets `document.body.dataset.ready` once the catalog is in and its controls are
wired, and `dataset.idle` while no run is waiting to start or streaming and the last redraw
has run.
"""


def open_page(page, hash_: str = "") -> None:
    page.goto(f"{page.base_url}/{hash_}")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    wait_idle(page)


def wait_idle(page) -> None:
    """Wait until no run is waiting to start or still streaming, and the last redraw ran."""
    page.wait_for_function("document.body.dataset.idle === 'true'", timeout=20_000)
    page.wait_for_timeout(80)


# The 3D view (js/scene3d.js) as drawn: {mesh, paths, axes, view, corners, width, height}.
SCENE_STATE = "document.getElementById('plot')._scene3d.state()"


def wait_scene(page, paths: int = 1) -> dict:
    """Wait until the 3D view shows at least `paths` whole paths, and return what it drew."""
    page.wait_for_function(
        "(n) => { const s = document.getElementById('plot')._scene3d;"
        " return !!s && s.state().paths.length >= n; }",
        arg=paths,
    )
    wait_idle(page)
    return page.evaluate(SCENE_STATE)
