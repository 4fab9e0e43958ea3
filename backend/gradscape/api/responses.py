"""Fast JSON answers (never NaN or Infinity) and the error answers every operation documents."""

from typing import Any

from fastapi import Response
from pydantic import BaseModel
from pydantic_core import to_json


def json_response(payload: Any, status_code: int = 200, headers: dict | None = None) -> Response:
    """Serialise plain lists and dicts in Rust; a non-finite float becomes null."""
    return Response(
        to_json(payload, inf_nan_mode="null"),
        status_code,
        headers=headers,
        media_type="application/json",
    )


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    """422: each problem names its field (``loc``) and the reason."""

    detail: list[ErrorItem]


class MessageOut(BaseModel):
    """A plain error: 404, 405, 413, 503."""

    detail: str


def _answer(description: str, model: type[BaseModel] = MessageOut) -> dict[str, Any]:
    return {"model": model, "description": description}


VALIDATION = {
    422: _answer("Bad input: each item names the field and the reason.", ValidationErrorOut)
}
NOT_FOUND = {404: _answer("No such id; the message lists the valid ones.")}
TOO_LARGE = {413: _answer("The request body is larger than the server accepts.")}
BUSY = {
    503: {
        **_answer(
            "The heavy-work pool and its queue are full (retry after the seconds in "
            "Retry-After), or the work took longer than the server's time limit."
        ),
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
    }
}
BAD_BODY = {400: _answer("The body could not be read as JSON text (not UTF-8).")}
# Every operation with a JSON body can answer these.
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {**BAD_BODY, **VALIDATION, **TOO_LARGE}
HEAVY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **BAD_BODY,
    **VALIDATION,
    **TOO_LARGE,
    **BUSY,
}
