"""Turn domain errors and validation errors into clear 4xx answers that name the field.

Messages quote at most a short prefix of what the client sent (``short``), so a huge bad
input never comes back in a huge answer.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from gradscape.api.admission import Busy
from gradscape.api.responses import json_response
from gradscape.deadline import Cancelled
from gradscape.errors import GradscapeError, InvalidValueError, UnknownIdError, short


def _detail(loc: list, msg: str, kind: str) -> dict:
    return {
        "loc": [x if isinstance(x, int) else short(x, 64) for x in loc],
        "msg": msg,
        "type": kind,
    }


async def on_gradscape_error(request: Request, exc: GradscapeError):
    if isinstance(exc, UnknownIdError):
        loc = ["body", *exc.field.split(".")]
        return json_response({"detail": [_detail(loc, str(exc), "unknown_id")]}, 422)
    if isinstance(exc, InvalidValueError):
        loc = ["body", *exc.field.split(".")]
        detail = _detail(loc, exc.message, "value_error")
        if exc.ctx:
            detail["ctx"] = exc.ctx
        return json_response({"detail": [detail]}, 422)
    return json_response({"detail": short(str(exc), 500)}, 422)


async def on_validation_error(request: Request, exc: RequestValidationError):
    """FastAPI's shape, minus the echoed input, which may hold NaN and break the JSON."""
    details = [
        _detail(
            list(e.get("loc", ())),
            short(e.get("msg", "invalid"), 300),
            e.get("type", "value_error"),
        )
        for e in exc.errors()
    ]
    return json_response({"detail": details}, 422)


async def on_busy(request: Request, exc: Busy):
    return json_response({"detail": str(exc)}, 503, headers={"Retry-After": str(exc.retry_after)})


async def on_cancelled(request: Request, exc: Cancelled):
    retry = request.app.state.admission.retry_after
    return json_response({"detail": exc.reason}, 503, headers={"Retry-After": str(retry)})


async def on_http_error(request: Request, exc: StarletteHTTPException):
    """404, 405 and the rest as JSON ``{"detail"}``, keeping headers such as ``Allow``."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        given = {m.strip() for m in headers.get("Allow", "").split(",") if m.strip()}
        headers["Allow"] = ", ".join(allowed_methods(request, given))
    detail = exc.detail if isinstance(exc.detail, list) else str(exc.detail)
    return json_response({"detail": detail}, exc.status_code, headers=headers)


def _routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route, routers included with a prefix opened up (FastAPI keeps them nested)."""
    for route in routes:
        nested = getattr(route, "effective_candidates", None)
        if callable(nested):
            yield from _routes(nested())
        else:
            yield route


def allowed_methods(request: Request, given: set[str]) -> list[str]:
    """The methods answered at this path: those of the most specific routes that match it
    (``/surfaces/custom/grid`` over ``/surfaces/{id}/grid``); HEAD wherever GET is."""
    matching: list[tuple[int, set[str]]] = []
    for route in _routes(request.app.router.routes):
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(request.scope)[0] != Match.NONE:
            matching.append((str(getattr(route, "path", "")).count("{"), set(route_methods)))
    methods = set(given)
    if matching:
        fewest = min(params for params, _ in matching)
        methods = set().union(*(m for params, m in matching if params == fewest))
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


@contextmanager
def not_found() -> Iterator[None]:
    """An unknown id in the path answers 404 (not 422): the resource does not exist."""
    try:
        yield
    except UnknownIdError as exc:
        raise StarletteHTTPException(404, str(exc)) from None


@contextmanager
def in_query() -> Iterator[None]:
    """Domain errors about query parameters answer 422 located under ``query``."""
    try:
        yield
    except InvalidValueError as exc:
        detail = [_detail(["query", *exc.field.split(".")], exc.message, "value_error")]
        raise StarletteHTTPException(422, detail) from None  # type: ignore[arg-type]


def install(app: FastAPI) -> None:
    app.add_exception_handler(Cancelled, on_cancelled)
    app.add_exception_handler(GradscapeError, on_gradscape_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Busy, on_busy)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
