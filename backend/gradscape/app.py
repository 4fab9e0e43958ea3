"""create_app(): the API routers and the static front end; nothing else."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from gradscape import __version__
from gradscape.api import catalog, errors, health, runs, surfaces, sweeps
from gradscape.api import datasets as datasets_api
from gradscape.api import networks as networks_api
from gradscape.config import get_settings
from gradscape.engine import compiled

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def frontend_dir() -> Path:
    configured = get_settings().frontend_dir
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "frontend"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Compile the sweeps' loop in the background: until it is ready, sweeps use numpy."""
    if get_settings().sweep_compiled:
        compiled.warm_up()
    yield


def create_app() -> FastAPI:
    app = FastAPI(
        lifespan=lifespan,
        title="Gradscape",
        version=__version__,
        description="Run optimizers on 2D loss surfaces and small networks; stream the paths.",
    )
    errors.install(app)
    for module in (health, surfaces, catalog, runs, sweeps):
        app.include_router(module.router, prefix="/api")
    app.include_router(datasets_api.router, prefix="/api")
    app.include_router(networks_api.router, prefix="/api")

    @app.api_route("/vendor/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    def plotly_js() -> FileResponse:
        """plotly.js from the Python package: the site works with no internet access."""
        return FileResponse(
            PLOTLY_JS,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount("/", StaticFiles(directory=frontend_dir(), html=True), name="frontend")
    return app
