"""Heavy work in worker processes at a lower OS priority, so light requests never wait for it.

Python-heavy work in a thread of the server process holds the GIL: every turn it takes
delays the event loop, and with it every light request. So heavy work runs in a small pool of
separate processes, each niced (``NICE``) so that whenever the server process wants a core
the kernel gives it one first. Each worker serves one job at a time over a pipe:

    server                                        worker (started by a forkserver)
    Job(fn, args, stream, ...) ─── pipe ───>      fn(*args, deadline=Deadline(..., flag))
    ("answer", (body, status, headers)) <──       a finished Response, JSON already serialised
    ("frame", "data: ...\\n\\n") ... <──             or a stream's events, one by one, as made
    ("end",) | ("cancelled", reason, timed_out) | ("error", exception)

``fn`` is a module-level function (pickled by name) and ``args`` plain picklable values (the
request body and the settings): the worker rebuilds what it needs from them. Cancelling a job
sets the worker's shared ``cancel`` flag, which its ``Deadline`` checks between chunks; a job
that has not stopped ``KILL_AFTER`` seconds later is killed and its worker replaced. Workers
give freed memory back to the OS after each job, and exit when the server closes the pipe.
"""

import ctypes
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from fastapi import Response

from gradscape.deadline import CancelFlag, Cancelled, Deadline

# Workers start from a forkserver: forking the server process itself is unsafe (it has
# threads), spawning imports numpy and the app for every worker. The forkserver imports them
# once, single-threaded, and forks each worker from that clean state in a few milliseconds.
START_METHOD = "forkserver"
PRELOAD = ["gradscape.app"]
NICE = 10  # heavy work gets ~10% of a core that the server process also wants
POLL_SECONDS = 0.1  # how often a relay looks whether a cancelled job has stopped
KILL_AFTER = 0.5  # seconds a cancelled job may take to stop before its worker is killed

FRAME, ANSWER, END, CANCELLED, ERROR = "frame", "answer", "end", "cancelled", "error"


@dataclass
class Job:
    """``fn(*args, deadline=...)`` returns a ``Response``, or with ``stream`` an iterator of
    already formatted Server-Sent Event frames."""

    fn: Callable[..., Any]
    args: tuple
    stream: bool = False
    seconds: float | None = None  # the request's time limit, ending at `end`
    end: float | None = None  # time.monotonic()


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


MALLOC_TRIM = _malloc_trim()


def give_memory_back() -> None:
    """Return freed heap pages to the OS once heavy work is over: numpy's big buffers are
    freed by glibc into arenas that otherwise keep the process's RSS high."""
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)


# --- in the worker process ------------------------------------------------------------------


def serve(conn: Connection, cancel: CancelFlag, warm_up: bool) -> None:
    """A worker's whole life: take jobs until the server closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    os.nice(NICE)
    if warm_up:
        from gradscape.engine import compiled

        compiled.warm_up()  # from numba's disk cache; numpy serves sweeps until then
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            execute(conn, cancel, job)
        except (BrokenPipeError, OSError):  # the server is gone
            return


def execute(conn: Connection, cancel: CancelFlag, job: Job) -> None:
    """Run one job and send its messages. Freed memory goes back to the OS before a job
    says it has ended (so an ended job uses no more CPU), except after an answer, which is
    sent first so that the client does not wait for it."""
    final = _run(conn, Deadline(job.seconds, flag=cancel, end=job.end), job)
    if final[0] == ANSWER:
        conn.send(final)
        give_memory_back()
    else:
        give_memory_back()
        conn.send(final)


def _run(conn: Connection, deadline: Deadline, job: Job) -> tuple:
    """The job's frames are sent as they come; its last message is returned."""
    try:
        result = job.fn(*job.args, deadline=deadline)
        if not job.stream:
            return (ANSWER, (result.body, result.status_code, result.raw_headers))
        for frame in result:
            conn.send((FRAME, frame))
        return (END,)
    except Cancelled as exc:
        return (CANCELLED, exc.reason, exc.timed_out)
    except Exception as exc:  # the server's error handlers answer it
        return (ERROR, _portable(exc))


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


# --- in the server process ------------------------------------------------------------------


def response(wire: tuple[bytes, int, list[tuple[bytes, bytes]]]) -> Response:
    """The worker's Response again, from its body, status and raw headers."""
    body, status, headers = wire
    answer = Response(body, status)
    answer.raw_headers = headers
    return answer


def context() -> Any:
    # One BLAS thread per worker: the pool's size is the parallelism (OpenBLAS's own threads
    # would crowd the server's cores, and they spin for a while after each product). Read
    # by numpy in the forkserver, which starts with this environment.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    ctx = multiprocessing.get_context(START_METHOD)
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


class SharedFlag:
    """A cancel flag in shared memory: the server sets it, the worker's Deadline reads it.
    (One byte, no lock: unlike a multiprocessing.Event it holds no semaphore that a killed
    process could leak.)"""

    def __init__(self, ctx: Any) -> None:
        self.value = ctx.RawValue(ctypes.c_bool, False)

    def set(self) -> None:
        self.value.value = True

    def clear(self) -> None:
        self.value.value = False

    def is_set(self) -> bool:
        return self.value.value


class Worker:
    """One heavy-work process, its pipe and its cancel flag (server side)."""

    def __init__(self, warm_up: bool) -> None:
        ctx = context()
        self.conn, child = ctx.Pipe()
        self.cancel = SharedFlag(ctx)
        self.process = ctx.Process(
            target=serve, args=(child, self.cancel, warm_up), name="gradscape-heavy", daemon=True
        )
        self.process.start()
        child.close()
        self.cancelled_at: float | None = None
        self.job: Job | None = None  # the job being relayed, if any

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def stop(self, job: Job) -> None:
        """Ask ``job`` to stop at its next check, if this worker is still running it."""
        if self.job is not job:
            return
        if self.cancelled_at is None:
            self.cancelled_at = time.monotonic()
        self.cancel.set()

    def relay(self, job: Job, deliver: Callable[[tuple], None]) -> bool:
        """Send ``job`` and pass every message back to ``deliver`` until the last one
        (blocking: runs in a thread). False if the worker died or was killed."""
        self.cancelled_at = None
        self.cancel.clear()
        self.job = job
        try:
            return self._relay(job, deliver)
        finally:
            self.job = None

    def _relay(self, job: Job, deliver: Callable[[tuple], None]) -> bool:
        try:
            data = pickle.dumps(job)
        except Exception as exc:
            deliver((ERROR, RuntimeError(f"the job cannot be sent to a worker: {exc}")))
            return True
        try:
            self.conn.send_bytes(data)
            while True:
                while not self.conn.poll(POLL_SECONDS):
                    stopping = self.cancelled_at
                    if stopping is not None and time.monotonic() - stopping > KILL_AFTER:
                        self.process.kill()
                message = self.conn.recv()
                deliver(message)
                if message[0] != FRAME:
                    return True
        except (EOFError, OSError):
            deliver((CANCELLED, "the heavy-work process stopped; retry the request", True))
            return False

    def close(self, timeout: float = 1.0) -> None:
        """End the process at once (its job, if any, is abandoned) and reap it."""
        self.cancel.set()
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout)
        self.conn.close()
