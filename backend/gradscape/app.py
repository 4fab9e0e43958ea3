"""create_app(): the API routers, the middleware and the static front end; nothing else."""

import asyncio
import gzip
import hashlib
import os
import sys
from contextlib import asynccontextmanager
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path
from typing import Any

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.routing import Mount
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match
from starlette.types import Scope

from gradscape import __version__
from gradscape.api import catalog, curvature, docs, errors, health, runs, surfaces, sweeps
from gradscape.api import datasets as datasets_api
from gradscape.api import networks as networks_api
from gradscape.api.admission import SWITCH_INTERVAL, Admission
from gradscape.api.middleware import AccessLog, HeadAsGet, Metrics, SecurityHeaders
from gradscape.config import Settings, get_settings

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def frontend_dir(settings: Settings) -> Path:
    configured = settings.frontend_dir
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "frontend"


@lru_cache
def plotly_gzipped() -> bytes:
    """plotly.min.js compressed once (4.8 MB -> 1.5 MB), not on every request."""
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=6, mtime=0)


@lru_cache
def plotly_validators() -> tuple[str, str]:
    """(ETag, Last-Modified) of plotly.min.js: a changed plotly package is a changed file."""
    digest = hashlib.sha256(PLOTLY_JS.read_bytes()).hexdigest()[:20]
    return f'"{digest}"', formatdate(PLOTLY_JS.stat().st_mtime, usegmt=True)


class RevalidatedFiles(StaticFiles):
    """Static files a browser may keep but must revalidate (ETag / Last-Modified -> 304), so a
    new release is seen on the next load and an unchanged file costs no body.

    The site's files are small and asked for all the time: their bytes are kept in memory,
    keyed by path, size and modification time, so an answer costs no file opening, reading
    and closing in worker threads (three thread hops each, which under load wait for a core).
    """

    MEMORY_MAX_BYTES = 1_000_000  # larger files, and range requests, are read from disk

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memory: dict[tuple[str, int, int], bytes] = {}

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        small = stat_result.st_size <= self.MEMORY_MAX_BYTES
        ranged = any(name == b"range" for name, _ in scope.get("headers", ()))
        if not isinstance(response, FileResponse) or not small or ranged:
            return response
        key = (str(full_path), stat_result.st_mtime_ns, stat_result.st_size)
        body = self.memory.get(key)
        if body is None:
            body = Path(full_path).read_bytes()
            if len(body) != stat_result.st_size:  # changed while read: not kept
                return response
            self.memory = {k: v for k, v in self.memory.items() if k[0] != key[0]}
            self.memory[key] = body
        answer = Response(body, status_code)
        answer.raw_headers = response.raw_headers  # FileResponse's own: ETag, type, length
        return answer

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = "no-cache"
        return response


class SiteMount(Mount):
    """The static site at /, which never answers for /api paths: those are the API's alone
    (unknown ones 404, wrong methods 405 with Allow)."""

    def matches(self, scope: Scope):
        path = scope.get("path", "")
        if path == "/api" or path.startswith("/api/"):
            return Match.NONE, {}
        return super().matches(scope)


@asynccontextmanager
async def lifespan(app: FastAPI):
    sys.setswitchinterval(SWITCH_INTERVAL)
    # Heavy-work processes start in the background; each loads (or compiles) the sweeps'
    # kernels in the background too, and answers sweeps on numpy meanwhile.
    await app.state.admission.open()
    warm = asyncio.create_task(asyncio.to_thread(plotly_gzipped))  # off the event loop
    yield
    await warm
    app.state.admission.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` (tests) replace the ones read from GRADSCAPE_* variables."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Gradscape",
        version=__version__,
        description="Run optimizers on 2D loss surfaces and small networks; stream the paths.",
        docs_url=None,
        redoc_url=None,
        max_body_size=settings.max_body_bytes,
        lifespan=lifespan,
    )
    app.dependency_overrides[get_settings] = lambda: settings
    app.state.admission = Admission(settings)
    app.state.settings = settings
    app.state.metrics = Metrics() if settings.metrics else None
    errors.install(app)
    for module in (health, surfaces, catalog, runs, curvature, sweeps):
        app.include_router(module.router, prefix="/api")
    app.include_router(datasets_api.router, prefix="/api")
    app.include_router(networks_api.router, prefix="/api")
    docs.install(app)
    if app.state.metrics is not None:
        health.install_metrics(app)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_js(request: Request) -> Response:
        """plotly.js from the Python package: the site works with no internet access. Kept by
        the browser and revalidated on each load (304 while the package is unchanged)."""
        etag, modified = plotly_validators()
        zipped = "gzip" in request.headers.get("accept-encoding", "")
        if zipped:
            etag = etag[:-1] + '-gz"'
        cache = {
            "Cache-Control": "no-cache",
            "Vary": "Accept-Encoding",
            "ETag": etag,
            "Last-Modified": modified,
        }
        match = request.headers.get("if-none-match")
        if (match and etag in match) or (
            not match and request.headers.get("if-modified-since") == modified
        ):
            return Response(status_code=304, headers=cache)
        if zipped:
            return Response(
                await run_in_threadpool(plotly_gzipped),
                media_type="text/javascript",
                headers={**cache, "Content-Encoding": "gzip"},
            )
        return FileResponse(PLOTLY_JS, media_type="text/javascript", headers=cache)

    app.router.routes.append(
        SiteMount(
            "/", RevalidatedFiles(directory=frontend_dir(settings), html=True), name="frontend"
        )
    )
    # Outermost last: the log sees every answer, headers go on every answer, HEAD is GET.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog, enabled=bool(settings.access_log), metrics=app.state.metrics)
    return app
