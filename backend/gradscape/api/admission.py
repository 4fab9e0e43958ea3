"""Admission control: heavy work runs in its own bounded pool, never in front of light requests.

Light requests (health, catalogs, metadata, static files, grids) run on the event loop or
in Starlette's thread pool of the server process. Heavy work (runs, batches, networks,
streams, and whatever a new endpoint sends through ``Admission.run``) runs in a pool of
``heavy_workers`` worker processes at a lower OS priority (``gradscape.api.workers``); at most
``heavy_queue`` more jobs wait for one. A request arriving when the pool and its queue are
full is answered 503 with ``Retry-After`` at once.

Each job gets a ``Deadline`` (``gradscape.deadline``) that expires after ``request_seconds``
and is cancelled as soon as the client goes away, so its work stops within one chunk:

    @router.post("/sweeps")
    async def sweep(body: SweepRequest, request: Request, admission: AdmissionDep, ...):
        to_sweep(body, settings)                    # validation: cheap, on the loop
        cost.check(sweep_cost(...), ...)            # refused before any work
        return await admission.run(request, sweep_answer, body, settings)

    def sweep_answer(body, settings, deadline) -> Response:   # module level: sent by name
        ...                                                    # runs in a worker process

The work function returns the finished ``Response`` (so large JSON is serialised in the
worker too, not on the event loop).
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import aclosing, suppress
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from gradscape.api.workers import (
    ANSWER,
    CANCELLED,
    END,
    ERROR,
    FRAME,
    Job,
    Worker,
    give_memory_back,
    response,
)
from gradscape.config import Settings
from gradscape.deadline import Cancelled, Deadline

POLL_SECONDS = 0.1  # how often a waiting request looks whether its client is still there

# One heavy-work process per server process: `gradscape serve --workers N` (one per core by
# default) runs N server processes, so N heavy workers in all, each using the core its
# server process leaves idle. The server's event loop is only ever delayed by other
# processes, never by a GIL held by heavy work.
HEAVY_WORKERS_PER_PROCESS = 1
SWITCH_INTERVAL = 0.001  # for the server's own threads (sync routes): 1 ms turns, not 5


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Busy(Exception):
    """The heavy pool and its queue are full: answer 503 with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("the server is busy with heavy work; retry shortly")
        self.retry_after = retry_after


class Admission:
    """A bounded pool of heavy-work processes and the count of jobs running or waiting."""

    def __init__(self, settings: Settings) -> None:
        self.workers = settings.heavy_workers or HEAVY_WORKERS_PER_PROCESS
        self.limit = self.workers + (settings.heavy_queue or 4 * self.workers)
        self.seconds = settings.request_seconds
        self.retry_after = settings.retry_after_seconds
        self.warm_up = bool(settings.sweep_compiled)
        self.jobs = 0  # running or queued; changed on the event loop only
        self.refused = 0
        self.pool: list[Worker] = []
        self.idle: asyncio.Queue[Worker] | None = None
        self.relays: ThreadPoolExecutor | None = None
        self.replacing: set[asyncio.Future] = set()  # workers being started for dead ones
        self.open_deadlines: set[Deadline] = set()
        self.closed = True

    async def open(self) -> None:
        """Start the worker processes (the first start of the forkserver takes a second;
        each worker after that a few milliseconds)."""
        self.closed = False
        self.idle = asyncio.Queue()
        self.relays = ThreadPoolExecutor(self.workers, thread_name_prefix="gradscape-relay")
        await asyncio.gather(*(self._add_worker() for _ in range(self.workers)))

    async def _add_worker(self) -> None:
        worker = await asyncio.get_running_loop().run_in_executor(None, Worker, self.warm_up)
        if self.closed:
            worker.close()
            return
        self.pool.append(worker)
        assert self.idle is not None
        self.idle.put_nowait(worker)

    @property
    def accepting(self) -> bool:
        return self.jobs < self.limit

    def admit(self) -> Deadline:
        """A deadline for a new heavy request, or ``Busy`` when the queue is full."""
        if not self.accepting:
            self.refused += 1
            raise Busy(self.retry_after)
        return Deadline(self.seconds)

    async def run(self, request: Request, fn: Callable[..., Response], *args: Any) -> Response:
        """Admit a heavy request and answer with ``fn(*args, deadline=...)`` from a worker."""
        deadline = self.admit()
        async with aclosing(self.messages(request, deadline, Job(fn, args))) as answers:
            async for wire in answers:
                return response(wire)
        raise RuntimeError("the worker sent no answer")  # pragma: no cover

    async def messages(
        self, request: Request | None, deadline: Deadline, job: Job
    ) -> AsyncIterator[Any]:
        """What the job's worker sends: one answer, or frames for a stream. Raises what the
        work raised (``Cancelled`` included). A job counts until its worker is free again."""
        self.jobs += 1
        self.open_deadlines.add(deadline)
        worker: Worker | None = None
        try:
            worker = await self._next_worker(request, deadline)
            inbox: asyncio.Queue[tuple] = asyncio.Queue()
            self._start(worker, job, deadline, inbox)
            while True:
                waiting = inbox.get()
                kind, *rest = await self._watch(request, deadline, waiting, worker, job)
                if kind == FRAME:
                    yield rest[0]
                elif kind == ANSWER:
                    yield rest[0]
                    return
                elif kind == END:
                    return
                elif kind == CANCELLED:
                    raise Cancelled(rest[0], rest[1])
                elif kind == ERROR:
                    raise rest[0]
        except (asyncio.CancelledError, GeneratorExit):
            deadline.cancel("the server is shutting down or the client went away")
            raise
        finally:
            deadline.cancel("the request ended")
            if worker is None:  # never reached a worker: it counts no more
                self._done(deadline)
            else:
                worker.stop(job)  # a no-op once the job has sent its last message

    async def _next_worker(self, request: Request | None, deadline: Deadline) -> Worker:
        assert self.idle is not None, "Admission.open() was not called"
        waiting = asyncio.ensure_future(self.idle.get())
        try:
            worker = await self._watch(request, deadline, waiting)
        except BaseException:
            if waiting.done() and not waiting.cancelled():
                self.idle.put_nowait(waiting.result())
            waiting.cancel()
            raise
        try:
            deadline.check()  # the client left, or the time ran out, while it waited
        except Cancelled:
            self.idle.put_nowait(worker)
            raise
        return worker

    def _start(
        self, worker: Worker, job: Job, deadline: Deadline, inbox: asyncio.Queue[tuple]
    ) -> None:
        loop = asyncio.get_running_loop()

        def deliver(message: tuple) -> None:  # in the relay thread
            with suppress(RuntimeError):  # the loop has closed (shutdown)
                loop.call_soon_threadsafe(inbox.put_nowait, message)

        job.seconds, job.end = deadline.seconds, deadline.end
        assert self.relays is not None
        relay = self.relays.submit(worker.relay, job, deliver)

        def finished(future: Future) -> None:  # in the relay thread
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(self._free, worker, deadline, future)

        relay.add_done_callback(finished)

    async def _watch(
        self,
        request: Request | None,
        deadline: Deadline,
        awaitable: Any,
        worker: Worker | None = None,
        job: Job | None = None,
    ) -> Any:
        """Await ``awaitable``; cancel the job if the client leaves meanwhile."""
        task = asyncio.ensure_future(awaitable)
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=POLL_SECONDS)
                if done:
                    return task.result()
                watching = request is not None and not deadline.cancelled
                if watching and await request.is_disconnected():
                    deadline.cancel()
                if deadline.cancelled and worker is not None and job is not None:
                    worker.stop(job)
        finally:
            task.cancel()

    def _free(self, worker: Worker, deadline: Deadline, relay: Future) -> None:
        """On the loop, when a job's worker has sent its last message (or died)."""
        self._done(deadline)
        alive = not relay.cancelled() and relay.exception() is None and relay.result()
        if self.closed:
            return
        if alive:
            assert self.idle is not None
            self.idle.put_nowait(worker)
        else:
            self.pool.remove(worker)
            worker.close()
            self.replacing.add(asyncio.ensure_future(self._add_worker()))
            self.replacing = {task for task in self.replacing if not task.done()}

    def _done(self, deadline: Deadline) -> None:
        self.jobs -= 1
        self.open_deadlines.discard(deadline)
        if self.jobs == 0:
            give_memory_back()

    def shutdown(self) -> None:
        """Stop every job and end every worker process; nothing is left running."""
        self.closed = True
        for deadline in list(self.open_deadlines):
            deadline.cancel("the server is shutting down")
        for worker in self.pool:
            worker.close()
        self.pool = []
        if self.relays is not None:
            self.relays.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        return [w.pid for w in self.pool if w.pid is not None]

    def status(self) -> dict[str, Any]:
        return {
            "accepting_heavy_work": self.accepting,
            "heavy_jobs": self.jobs,
            "heavy_threads": self.workers,  # the field's old name: worker processes now
            "heavy_workers": self.workers,
            "heavy_limit": self.limit,
        }


def get_admission(request: Request) -> Admission:
    return request.app.state.admission


AdmissionDep = Annotated[Admission, Depends(get_admission)]
