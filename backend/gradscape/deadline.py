"""Deadline: one object that says when heavy work must stop, checked between small chunks.

Every piece of heavy work (engine runs, network training, sweeps) takes a ``Deadline`` and
calls ``deadline.check()`` between chunks of at most a few tens of milliseconds of work. The
API layer creates it with the request's time limit and cancels it when the client leaves
(``gradscape.api.admission``; the work itself runs in a heavy-work process,
``gradscape.api.workers``), so computation stops within a chunk of either event:

    def heavy(spec, deadline: Deadline = NO_DEADLINE):
        pacer = Pacer()
        while not finished:
            deadline.check()             # raises Cancelled
            n = pacer.steps()            # as many steps as fit in ~20 ms, learnt as it goes
            with pacer.timing(n):
                advance(n)

Domain code never sees HTTP: ``Cancelled`` is a ``GradscapeError`` that the API answers
with 503 (deadline) or not at all (the client is gone).
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from gradscape.errors import GradscapeError

CHUNK_SECONDS = 0.02  # target length of one chunk of work between two checks


class CancelFlag(Protocol):
    def set(self) -> None: ...
    def is_set(self) -> bool: ...


class Cancelled(GradscapeError):
    """Heavy work stopped early: its deadline passed or its client went away."""

    def __init__(self, reason: str, timed_out: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out

    def __reduce__(self):  # sent back from a heavy-work process
        return Cancelled, (self.reason, self.timed_out)


class Deadline:
    """A time limit plus a cancel flag another thread may set; cheap to check often.

    ``flag`` is any event with ``set``/``is_set``: a ``multiprocessing.Event`` lets the server
    process cancel work running in a heavy-work process (``gradscape.api.workers``), which
    gets the server's ``end`` too (``time.monotonic`` is one clock for every process).
    """

    def __init__(
        self, seconds: float | None = None, flag: CancelFlag | None = None, end: float | None = None
    ) -> None:
        self.seconds = seconds
        self.end = end if end is not None or seconds is None else time.monotonic() + seconds
        self._cancelled = flag if flag is not None else threading.Event()
        self._reason = ""

    def cancel(self, reason: str = "the client went away") -> None:
        self._reason = reason
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def remaining(self) -> float:
        return float("inf") if self.end is None else self.end - time.monotonic()

    def check(self) -> None:
        """Raise ``Cancelled`` if the work should stop now."""
        if self._cancelled.is_set():
            raise Cancelled(self._reason, timed_out=False)
        if self.end is not None and time.monotonic() > self.end:
            raise Cancelled(
                f"the work took longer than the {self.seconds:g} s limit; ask for less "
                "(fewer steps, runs or samples)",
                timed_out=True,
            )


NO_DEADLINE = Deadline()  # never expires; never cancel this shared instance


class Pacer:
    """Chooses how many steps fit in one chunk of ``CHUNK_SECONDS``, from the last chunks.

    Starts with one step, so even a very slow step is checked after itself, then grows at
    most fourfold per chunk towards the target.
    """

    def __init__(self, target: float = CHUNK_SECONDS, first: int = 1) -> None:
        self.target = target
        self.n = first

    def steps(self, limit: int | None = None) -> int:
        return max(1, self.n if limit is None else min(self.n, limit))

    def record(self, n: int, seconds: float) -> None:
        per_step = seconds / max(n, 1)
        wanted = self.target / per_step if per_step > 0 else self.n * 4
        self.n = int(max(1, min(round(wanted), self.n * 4)))

    @contextmanager
    def timing(self, n: int) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        self.record(n, time.perf_counter() - t0)
