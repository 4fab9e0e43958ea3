import pytest
from fastapi.testclient import TestClient

from gradscape.app import create_app


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c
    app.dependency_overrides.clear()
