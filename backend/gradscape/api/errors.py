"""Turn domain errors and validation errors into clear 4xx answers that name the field."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError

from gradscape.api.responses import json_response
from gradscape.errors import GradscapeError, InvalidValueError, UnknownIdError


def _detail(loc: list, msg: str, kind: str) -> dict:
    return {"loc": loc, "msg": msg, "type": kind}


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
    return json_response({"detail": str(exc)}, 422)


async def on_validation_error(request: Request, exc: RequestValidationError):
    """FastAPI's shape, minus the echoed input, which may hold NaN and break the JSON."""
    details = [
        _detail(list(e.get("loc", ())), e.get("msg", "invalid"), e.get("type", "value_error"))
        for e in exc.errors()
    ]
    return json_response({"detail": details}, 422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(GradscapeError, on_gradscape_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
