"""Server-Sent Events: computed block by block, stopped when the client goes away."""

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

Event = tuple[str | None, Any]  # (event name or None for a plain `data:` event, payload)


def format_event(data: Any, event: str | None = None) -> str:
    """One SSE frame. ``data`` must already be free of NaN and Infinity."""
    text = data if isinstance(data, str) else json.dumps(data, allow_nan=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n"


_END = object()


async def _frames(request: Request, events: Iterator[Event]) -> AsyncIterator[str]:
    try:
        while True:
            # Each block is computed in a worker thread, so the event loop stays free and
            # we can notice a departed client between blocks and stop computing.
            item = await run_in_threadpool(next, events, _END)
            if item is _END:
                return
            event, data = item
            yield format_event(data, event)
            if await request.is_disconnected():
                return
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


def event_stream(request: Request, events: Iterator[Event]) -> StreamingResponse:
    """Answer with ``events`` as text/event-stream; the generator is closed on disconnect."""
    return StreamingResponse(
        _frames(request, events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
