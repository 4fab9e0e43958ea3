import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi.testclient import TestClient

from gradscape.app import create_app
from gradscape.cli import server_options
from gradscape.config import Settings


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c
    app.dependency_overrides.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(settings: Settings | None = None) -> Iterator[tuple[str, object]]:
    """(base URL, app) of a server running ``create_app(settings)`` until the block ends."""
    app = create_app(settings or Settings())
    port = free_port()
    options = {**server_options(), "log_level": "warning"}
    options.pop("workers")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live():
    """``live(settings)``: a context manager serving the app on a real port (see serving)."""
    return serving
