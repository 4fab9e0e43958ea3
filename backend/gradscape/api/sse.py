"""Server-Sent Events: computed block by block in the heavy pool, stopped when the client goes.

Each block is computed by ``Admission.call`` under the request's ``Deadline``: the client
leaving cancels the deadline, so the work stops within one chunk, even in the middle of a
block. A deadline that expires ends the stream with ``event: error``.
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import suppress
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from gradscape.api.admission import Admission
from gradscape.deadline import Cancelled, Deadline

Event = tuple[str | None, Any]  # (event name or None for a plain `data:` event, payload)


def format_event(data: Any, event: str | None = None) -> str:
    """One SSE frame. ``data`` must already be free of NaN and Infinity."""
    text = data if isinstance(data, str) else json.dumps(data, allow_nan=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n"


_END = object()


def _next_frame(events: Iterator[Event]) -> str | object:
    """The next event, already formatted (in the pool: JSON of big blocks is work too)."""
    item = next(events, _END)
    if item is _END:
        return _END
    event, data = item
    return format_event(data, event)


async def _frames(
    request: Request, admission: Admission, deadline: Deadline, events: Iterator[Event]
) -> AsyncIterator[str]:
    try:
        while True:
            try:
                frame = await admission.call(request, deadline, lambda: _next_frame(events))
            except Cancelled as exc:
                if exc.timed_out:
                    yield format_event({"detail": exc.reason}, "error")
                return
            if frame is _END:
                return
            yield frame
            if deadline.cancelled or await request.is_disconnected():
                return
    finally:
        deadline.cancel("the stream ended")
        close = getattr(events, "close", None)
        if close is not None:
            with suppress(ValueError):  # still running in the pool (shutdown): it stops soon
                close()


def event_stream(
    request: Request, admission: Admission, events: Callable[[Deadline], Iterator[Event]]
) -> StreamingResponse:
    """Admit a heavy stream (503 when busy) and answer with its events as text/event-stream."""
    deadline = admission.admit()
    return StreamingResponse(
        _frames(request, admission, deadline, events(deadline)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
