"""What the benchmarks share: the best of repeated timings, and a real `gradscape serve`.

Every script runs as `python benchmarks/<script>.py`, so this module is importable by name.
"""

import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Best time of one call, over ``repeat`` timings of ``number`` calls each."""
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t) / number)
    return best


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, *options: str) -> list[str]:
    """The command line of `gradscape serve` on 127.0.0.1:port, with extra options."""
    return [
        sys.executable,
        "-m",
        "gradscape.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *options,
        "--log-level",
        "warning",
    ]


@contextmanager
def running_server(
    *options: str, env: Mapping[str, str] | None = None, quiet: bool = False
) -> Iterator[str]:
    """A server of this checkout on a free port, answering /api/health: yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    output = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL} if quiet else {}
    proc = subprocess.Popen(
        serve_command(port, *options), cwd=REPO, env={**os.environ, **(env or {})}, **output
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gradscape serve exited with code {proc.returncode}")
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gradscape serve did not answer /api/health within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
