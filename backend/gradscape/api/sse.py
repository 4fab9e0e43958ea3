"""Server-Sent Events: computed in a heavy-work process, sent on block by block as made.

The events are made and formatted in a worker process (``gradscape.api.workers``) under the
request's ``Deadline``: the client leaving cancels it, so the work stops within one chunk,
even in the middle of a block. A deadline that expires ends the stream with ``event: error``.

    def run_events(body, settings, deadline) -> Iterator[Event]:   # module level
        yield None, {...}                                          # a plain `data:` event
        yield "done", {...}

    @router.post("/stream", responses=stream_responses("shaped like RunBlock", ...))
    async def stream(body, request, settings: SettingsDep, admission: AdmissionDep):
        ...                                                        # validate, check cost
        return event_stream(request, admission, run_events, body, settings)
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from gradscape.api.admission import Admission
from gradscape.api.responses import HEAVY_RESPONSES
from gradscape.api.workers import Job
from gradscape.deadline import Cancelled, Deadline

Event = tuple[str | None, Any]  # (event name or None for a plain `data:` event, payload)


def format_event(data: Any, event: str | None = None) -> str:
    """One SSE frame. ``data`` must already be free of NaN and Infinity."""
    text = data if isinstance(data, str) else json.dumps(data, allow_nan=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n"


def formatted(
    events: Callable[..., Iterator[Event]], *args: Any, deadline: Deadline
) -> Iterator[str]:
    """In the worker: ``events(*args, deadline=...)`` as SSE frames (JSON is work too)."""
    for event, data in events(*args, deadline=deadline):
        yield format_event(data, event)


async def _frames(
    request: Request, admission: Admission, deadline: Deadline, job: Job
) -> AsyncIterator[str]:
    try:
        async with aclosing(admission.messages(request, deadline, job)) as frames:
            async for frame in frames:
                yield frame
                if deadline.cancelled or await request.is_disconnected():
                    return
    except Cancelled as exc:
        if exc.timed_out:
            yield format_event({"detail": exc.reason}, "error")


def event_stream(
    request: Request,
    admission: Admission,
    events: Callable[..., Iterator[Event]],
    *args: Any,
) -> StreamingResponse:
    """Admit a heavy stream (503 when busy) and answer with the events of
    ``events(*args, deadline=...)``, a module-level function run in a worker process."""
    deadline = admission.admit()
    job = Job(formatted, (events, *args), stream=True)
    return StreamingResponse(
        _frames(request, admission, deadline, job),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def stream_responses(data: str, done: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answers of a streaming endpoint: its events, and the heavy-work errors."""
    return {
        200: {
            "content": {"text/event-stream": {}},
            "description": f"`data:` events {data}, then `event: done` {done} "
            "(or `event: error` if the deadline passed).",
        },
        **HEAVY_RESPONSES,
    }
