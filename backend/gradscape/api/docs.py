"""GET /docs and /redoc from local copies of Swagger UI and ReDoc: they work offline.

The assets come from the ``fastapi-offline`` package; the pages are ours, with no inline
script, so they run under the same Content-Security-Policy as the site.
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
OURS = Path(__file__).parent / "docs_assets"
PREFIX = "/docs-assets"

SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gradscape API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="{PREFIX}/favicon.png">
<link rel="stylesheet" href="{PREFIX}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{PREFIX}/swagger-ui-bundle.js"></script>
<script src="{PREFIX}/init/swagger-init.js"></script></body></html>
"""

REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gradscape API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="{PREFIX}/favicon.png"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="{PREFIX}/redoc.standalone.js"></script></body></html>
"""


def document_body_errors(app: FastAPI) -> None:
    """Every operation with a request body may answer 400 (unreadable body) and 413 (too
    large, from the body limit): say so in the OpenAPI document, for every router, so a new
    endpoint is documented without repeating it."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "MessageOut",
            {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/MessageOut"}}}
        for operations in spec.get("paths", {}).values():
            for op in operations.values():
                if isinstance(op, dict) and "requestBody" in op:
                    responses = op.setdefault("responses", {})
                    responses.setdefault(
                        "400", {"description": "The body is not readable JSON.", "content": error}
                    )
                    responses.setdefault(
                        "413", {"description": "The body is over the size limit.", "content": error}
                    )
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets (the app is created with docs_url=None)."""

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return HTMLResponse(SWAGGER)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(REDOC)

    app.mount(f"{PREFIX}/init", StaticFiles(directory=OURS), name="docs-init")
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    document_body_errors(app)
