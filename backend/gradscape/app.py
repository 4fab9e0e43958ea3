"""create_app(): the API routers and the static front end; nothing else."""

from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from gradscape import __version__
from gradscape.api import catalog, curvature, errors, health, runs, surfaces
from gradscape.api import datasets as datasets_api
from gradscape.api import networks as networks_api
from gradscape.config import get_settings

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


class RevalidatedFiles(StaticFiles):
    """Static files a browser may keep but must revalidate (ETag / Last-Modified -> 304), so a
    new release is seen on the next load and an unchanged file costs no body."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = "no-cache"
        return response


def frontend_dir() -> Path:
    configured = get_settings().frontend_dir
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "frontend"


def create_app() -> FastAPI:
    app = FastAPI(
        title="Gradscape",
        version=__version__,
        description="Run optimizers on 2D loss surfaces and small networks; stream the paths.",
    )
    errors.install(app)
    for module in (health, surfaces, catalog, runs, curvature):
        app.include_router(module.router, prefix="/api")
    app.include_router(datasets_api.router, prefix="/api")
    app.include_router(networks_api.router, prefix="/api")

    vendor = RevalidatedFiles(directory=PLOTLY_JS.parent)

    @app.api_route("/vendor/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    async def plotly_js(request: Request) -> Response:
        """plotly.js from the Python package: the site works with no internet access."""
        return await vendor.get_response(PLOTLY_JS.name, request.scope)

    app.mount("/", RevalidatedFiles(directory=frontend_dir(), html=True), name="frontend")
    return app
