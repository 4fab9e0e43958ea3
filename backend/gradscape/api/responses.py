"""Fast JSON answers: pydantic-core's serializer, never NaN or Infinity (they are not JSON)."""

from typing import Any

from fastapi import Response
from pydantic_core import to_json


def json_response(payload: Any, status_code: int = 200) -> Response:
    """Serialise plain lists and dicts in Rust; a non-finite float becomes null."""
    return Response(
        to_json(payload, inf_nan_mode="null"), status_code, media_type="application/json"
    )
