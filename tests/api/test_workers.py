"""Issue 7, item 3: heavy work runs in worker processes of its own, at a lower OS priority,
so the server's event loop never waits for it; they stop when asked and never outlive it."""

import asyncio
import contextlib
import json
import os
import signal
import time
from pathlib import Path

import httpx
from fastapi import Response

from gradscape.api.admission import Admission
from gradscape.api.responses import json_response
from gradscape.api.workers import NICE
from gradscape.config import Settings
from gradscape.deadline import Cancelled, Deadline
from gradscape.engine import compiled

QUIET = Settings(sweep_compiled=0)  # workers with no kernels to load: idle means idle


def whoami(wait_for_kernels: float, deadline: Deadline) -> Response:
    """A job that reports where it runs (module level: a worker finds it by name)."""
    t0 = time.monotonic()
    while not compiled.ready() and time.monotonic() - t0 < wait_for_kernels:
        time.sleep(0.05)
    return json_response(
        {"pid": os.getpid(), "nice": os.nice(0), "kernels_ready": compiled.ready()}
    )


def spin(deadline: Deadline) -> Response:
    """Pure-Python work that checks its deadline every millisecond or so, forever."""
    while True:
        deadline.check()
        sum(range(20_000))


def with_admission(settings: Settings, body):
    async def main():
        admission = Admission(settings)
        await admission.open()
        try:
            return await body(admission)
        finally:
            admission.shutdown()

    return asyncio.run(main())


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_heavy_work_runs_in_a_niced_process_of_its_own():
    async def body(admission):
        answer = await admission.run(None, whoami, 0.0)
        return admission.pids(), answer

    pids, answer = with_admission(QUIET, body)
    seen = json.loads(answer.body)
    assert seen["pid"] != os.getpid() and pids == [seen["pid"]]
    assert seen["nice"] == min(19, os.nice(0) + NICE)
    assert not alive(seen["pid"])  # shut down with the admission


def test_workers_load_the_sweep_kernels_when_they_start():
    """No request waits for numba: a worker loads (or compiles) the common kernels in the
    background as it starts, with no sweep asked of it."""
    assert compiled.available()

    async def body(admission):
        return await admission.run(None, whoami, 120.0)

    answer = with_admission(Settings(sweep_compiled=1), body)
    assert json.loads(answer.body)["kernels_ready"] is True


def test_a_cancelled_job_stops_its_worker_within_half_a_second():
    from tests.api.test_api import cpu_seconds

    async def body(admission):
        deadline = admission.admit()
        job = asyncio.ensure_future(_collect(admission.messages(None, deadline, _job(spin))))
        await asyncio.sleep(0.5)
        (pid,) = admission.pids()
        busy = cpu_seconds(pid)
        await asyncio.sleep(0.5)
        busy = cpu_seconds(pid) - busy
        deadline.cancel()
        t0 = time.monotonic()
        with contextlib.suppress(Cancelled):
            await job
        stopped = time.monotonic() - t0
        while admission.jobs and time.monotonic() - t0 < 5:
            await asyncio.sleep(0.01)
        idle = cpu_seconds(pid)
        await asyncio.sleep(0.3)
        return busy, stopped, admission.jobs, cpu_seconds(pid) - idle

    busy, stopped, jobs, idle = with_admission(QUIET, body)
    assert busy >= 0.03  # it was computing (niced, on a busy shared machine: a part of 0.5 s)
    assert stopped < 0.5 and jobs == 0 and idle < 0.03


def test_a_worker_that_dies_is_replaced_and_its_request_answers_503():
    async def body(admission):
        deadline = admission.admit()
        job = asyncio.ensure_future(_collect(admission.messages(None, deadline, _job(spin))))
        await asyncio.sleep(0.3)
        (first,) = admission.pids()
        os.kill(first, signal.SIGKILL)
        try:
            await job
            outcome = "answered"
        except Cancelled as exc:
            outcome = exc.reason
        answer = await admission.run(None, whoami, 0.0)
        return first, outcome, json.loads(answer.body)["pid"]

    first, outcome, second = with_admission(QUIET, body)
    assert "stopped" in outcome and second != first and alive(second) is False


def test_a_full_server_process_leaves_no_worker_behind(live):
    with live(QUIET) as (url, app):
        assert httpx.get(f"{url}/api/health").json()["heavy_workers"] == 1
        pids = app.state.admission.pids()
        assert len(pids) == 1 and alive(pids[0])
    t0 = time.monotonic()
    while alive(pids[0]) and time.monotonic() - t0 < 2:
        time.sleep(0.02)
    assert not alive(pids[0])


async def _collect(messages):
    return [m async for m in messages]


def _job(fn):
    from gradscape.api.workers import Job

    return Job(fn, ())
