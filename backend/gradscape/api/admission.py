"""Admission control: heavy work runs in its own bounded pool, never in front of light requests.

Light requests (health, catalogs, metadata, static files, grids) run on the event loop or
in Starlette's thread pool and never wait for heavy work. Heavy work (runs, batches,
networks, streams, and whatever a new endpoint sends through ``Admission.run``) runs in a
pool of ``heavy_threads`` threads; at most ``heavy_queue`` more jobs wait for it. A request
arriving when the pool and its queue are full is answered 503 with ``Retry-After`` at once.

Each job gets a ``Deadline`` (``gradscape.deadline``) that expires after
``request_seconds`` and is cancelled as soon as the client goes away, so its work stops
within one chunk:

    @router.post("/sweeps")
    async def sweep(body: SweepRequest, request: Request, admission: AdmissionDep):
        specs = to_specs(body)                      # validation: cheap, on the loop
        cost.check(cost.run_cost(specs), ...)       # refused before any work
        return await admission.run(request, lambda deadline: answer(specs, deadline))

The work function returns the finished ``Response`` (so large JSON is serialised in the
pool too, not on the event loop).
"""

import asyncio
import ctypes
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from gradscape.config import Settings
from gradscape.deadline import Deadline

T = TypeVar("T")
POLL_SECONDS = 0.1  # how often a waiting request looks whether its client is still there


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


MALLOC_TRIM = _malloc_trim()


def give_memory_back() -> None:
    """Return freed heap pages to the OS once heavy work is over: numpy's big buffers are
    freed by glibc into per-thread arenas that otherwise keep the process's RSS high."""
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)


class Busy(Exception):
    """The heavy pool and its queue are full: answer 503 with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("the server is busy with heavy work; retry shortly")
        self.retry_after = retry_after


# Python-heavy work holds the GIL: two heavy threads in one process mostly take turns, and
# each turn delays the event loop. So one heavy thread per process; processes (--workers,
# one per core by default) use the cores. The GIL is handed over every millisecond (Python's
# default is 5 ms), so the event loop waits at most that long between turns.
HEAVY_THREADS_PER_PROCESS = 1
SWITCH_INTERVAL = 0.001


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Admission:
    """A bounded pool for heavy work and the count of jobs running or waiting for it."""

    def __init__(self, settings: Settings) -> None:
        self.threads = settings.heavy_threads or HEAVY_THREADS_PER_PROCESS
        self.limit = self.threads + (settings.heavy_queue or 4 * self.threads)
        self.seconds = settings.request_seconds
        self.retry_after = settings.retry_after_seconds
        self.executor = self._pool()
        self.jobs = 0  # running or queued; changed on the event loop only
        self.refused = 0
        self.open_deadlines: set[Deadline] = set()

    def _pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(self.threads, thread_name_prefix="gradscape-heavy")

    def open(self) -> None:
        """A fresh pool if the last one was shut down (an app served again, as in tests)."""
        if self.executor._shutdown:
            self.executor = self._pool()

    @property
    def accepting(self) -> bool:
        return self.jobs < self.limit

    def admit(self) -> Deadline:
        """A deadline for a new heavy request, or ``Busy`` when the queue is full."""
        if not self.accepting:
            self.refused += 1
            raise Busy(self.retry_after)
        return Deadline(self.seconds)

    async def call(self, request: Request | None, deadline: Deadline, work: Callable[[], T]) -> T:
        """Run ``work`` in the pool; cancel ``deadline`` if the client leaves meanwhile.

        Returns only once the work has stopped, so a job counts until its thread is free.
        """
        loop = asyncio.get_running_loop()
        self.jobs += 1
        self.open_deadlines.add(deadline)
        try:
            future = loop.run_in_executor(self.executor, work)
            while True:
                done, _ = await asyncio.wait({future}, timeout=POLL_SECONDS)
                if done:
                    return future.result()
                watching = request is not None and not deadline.cancelled
                if watching and await request.is_disconnected():
                    deadline.cancel()
        except asyncio.CancelledError:
            deadline.cancel("the server is shutting down or the client went away")
            raise
        finally:
            self.jobs -= 1
            self.open_deadlines.discard(deadline)
            if self.jobs == 0:
                give_memory_back()

    async def run(self, request: Request, work: Callable[[Deadline], T]) -> T:
        """Admit a heavy request and run ``work(deadline)`` in the pool."""
        deadline = self.admit()
        return await self.call(request, deadline, lambda: work(deadline))

    def shutdown(self) -> None:
        """Stop every job at its next check and let the threads go."""
        for deadline in list(self.open_deadlines):
            deadline.cancel("the server is shutting down")
        self.executor.shutdown(wait=False, cancel_futures=True)

    def status(self) -> dict[str, Any]:
        return {
            "accepting_heavy_work": self.accepting,
            "heavy_jobs": self.jobs,
            "heavy_threads": self.threads,
            "heavy_limit": self.limit,
        }


def get_admission(request: Request) -> Admission:
    return request.app.state.admission


AdmissionDep = Annotated[Admission, Depends(get_admission)]
