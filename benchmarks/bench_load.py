"""Load benchmark: 100 clients for 30 s against `gradscape serve`, as `make run` starts it.

The mix (issue 7): 70% light GETs (health, catalogs, the page, a small grid), 25% runs of
500-5,000 steps, 5% the heaviest request the cost model allows. Prints requests per second,
p50/p95/p99 of light and heavy requests, answers by status, the server's RSS before, at peak
and 10 s after the clients stop, and its CPU use in the second after they stop. With
``--workers 1,2`` it runs once per worker count and prints the heavy-throughput ratio.

    .venv/bin/python benchmarks/bench_load.py [--clients 100] [--seconds 30] [--workers 1,2]

The load generator is a minimal HTTP/1.1 keep-alive client on asyncio (little CPU of its
own, since it shares the machine with the server).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness import free_port, serve_command

from gradscape.api import cost
from gradscape.config import Settings
from gradscape.engine import build_spec

ROOT = Path(__file__).resolve().parents[1]
LIGHT = [
    "/api/health",
    "/api/surfaces",
    "/api/optimizers",
    "/api/schedules",
    "/",
    "/js/main.js",
    "/styles.css",
    "/api/surfaces/rosenbrock/grid?resolution=60",
]
SURFACES = ["rosenbrock", "ravine", "beale", "himmelblau", "rastrigin", "quadratic"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad", "nadam"]


def heaviest_allowed() -> dict:
    """A batch just inside the cost model's budget: the largest request the server runs."""
    run = {"surface": "rastrigin", "optimizer": "adam", "steps": 100_000, "tol": 0}
    settings = Settings()
    budget = settings.max_work_seconds
    specs = [build_spec(**run, params={"lr": 0.001}, start=(1, 1))]
    while len(specs) < settings.max_batch_runs:
        start = (1 + len(specs) * 1e-3, 1)
        more = [*specs, build_spec(**run, params={"lr": 0.001}, start=start)]
        points = sum(s.steps + 1 for s in more)
        if cost.run_cost(more, 1000).seconds > 0.9 * budget or points > settings.max_total_points:
            break
        specs = more
    runs = [
        {**run, "params": {"lr": 0.001}, "start": [1 + i * 1e-3, 1], "max_points": 1000}
        for i in range(len(specs))
    ]
    return {"runs": runs}


def a_run(rng: random.Random) -> dict:
    return {
        "surface": rng.choice(SURFACES),
        "optimizer": rng.choice(OPTIMIZERS),
        "params": {"lr": 10 ** rng.uniform(-4, -2)},
        "steps": rng.randint(500, 5000),
        "tol": 0,
        "seed": rng.randint(0, 1000),
    }


@dataclass
class Stats:
    light: list[float] = field(default_factory=list)
    heavy: list[float] = field(default_factory=list)
    heavy_ok: int = 0
    statuses: Counter = field(default_factory=Counter)
    retry_after_missing: int = 0
    failures: Counter = field(default_factory=Counter)


async def request(reader, writer, method: str, path: str, body: bytes | None):
    head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: identity\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + (body or b""))
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode().partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers


async def client(i: int, port: int, until: float, stats: Stats, heavy_body: bytes) -> None:
    rng = random.Random(i)
    reader = writer = None
    while time.monotonic() < until:
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        roll = rng.random()
        if roll < 0.70:
            kind, method, path, body = "light", "GET", rng.choice(LIGHT), None
        elif roll < 0.95:
            kind, method, path = "heavy", "POST", "/api/runs"
            body = json.dumps(a_run(rng)).encode()
        else:
            kind, method, path, body = "heavy", "POST", "/api/runs/batch", heavy_body
        t0 = time.perf_counter()
        try:
            status, headers = await asyncio.wait_for(
                request(reader, writer, method, path, body), timeout=60
            )
        except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            stats.failures[type(exc).__name__] += 1
            writer.close()
            reader = writer = None
            continue
        elapsed = time.perf_counter() - t0
        stats.statuses[status] += 1
        if status == 503 and "retry-after" not in headers:
            stats.retry_after_missing += 1
        if kind == "light":
            stats.light.append(elapsed)
        else:
            stats.heavy.append(elapsed)
            stats.heavy_ok += status == 200
        if status == 503:
            await asyncio.sleep(float(headers.get("retry-after", 1)) * rng.uniform(0.2, 0.5))
    if writer is not None:
        writer.close()


def tree_pids(root: int) -> list[int]:
    pids = [root]
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == root:
                pids.append(int(p.name))
    return pids


def rss_mb(root: int) -> float:
    total = 0
    for pid in tree_pids(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(root: int) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / tick


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def start_server(workers: int, port: int) -> subprocess.Popen:
    env = {**os.environ, "GRADSCAPE_ACCESS_LOG": "0"}
    cmd = serve_command(port, "--workers", str(workers))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    time.sleep(1.0 * workers)  # let every worker finish starting
                    return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


async def sample_rss(root: int, until: float, peak: list[float]) -> None:
    while time.monotonic() < until:
        peak[0] = max(peak[0], rss_mb(root))
        await asyncio.sleep(0.5)


async def drive(port: int, root: int, clients: int, seconds: float, heavy: bytes) -> Stats:
    stats = Stats()
    until = time.monotonic() + seconds
    peak = [0.0]
    await asyncio.gather(
        sample_rss(root, until, peak),
        *(client(i, port, until, stats, heavy) for i in range(clients)),
    )
    stats.peak = peak[0]  # type: ignore[attr-defined]
    return stats


def run_once(workers: int, clients: int, seconds: float) -> dict:
    heavy = json.dumps(heaviest_allowed()).encode()
    port = free_port()
    proc = start_server(workers, port)
    try:
        before = rss_mb(proc.pid)
        t0 = time.monotonic()
        stats = asyncio.run(drive(port, proc.pid, clients, seconds, heavy))
        wall = time.monotonic() - t0
        stopped = time.monotonic()
        time.sleep(1.0)
        cpu_a = cpu_seconds(proc.pid)
        time.sleep(1.0)
        cpu_after = cpu_seconds(proc.pid) - cpu_a  # CPU used in the 2nd second after the stop
        time.sleep(max(0.0, stopped + 10 - time.monotonic()))
        after = rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    total = len(stats.light) + len(stats.heavy)
    return {
        "workers": workers,
        "requests": total,
        "rps": total / wall,
        "light": stats.light,
        "heavy": stats.heavy,
        "heavy_ok_per_s": stats.heavy_ok / wall,
        "statuses": dict(sorted(stats.statuses.items())),
        "failures": dict(stats.failures),
        "retry_after_missing": stats.retry_after_missing,
        "rss": (before, stats.peak, after),  # type: ignore[attr-defined]
        "cpu_after": cpu_after,
        "heavy_runs": len(json.loads(heavy)["runs"]),
    }


def report(r: dict, clients: int, seconds: float) -> None:
    light, heavy = r["light"], r["heavy"]
    before, peak, after = r["rss"]
    print(
        f"--workers {r['workers']}: {clients} clients, {seconds:g} s "
        f"(heaviest request: a batch of {r['heavy_runs']} runs x 100,000 steps)"
    )
    print(f"  requests/s        {r['rps']:.1f}   ({r['requests']} answered)")
    print(
        f"  light  n={len(light):5d}  p50 {pct(light, 0.5):7.1f} ms  p95 {pct(light, 0.95):7.1f} ms"
        f"  p99 {pct(light, 0.99):7.1f} ms"
    )
    print(
        f"  heavy  n={len(heavy):5d}  p50 {pct(heavy, 0.5):7.1f} ms  p95 {pct(heavy, 0.95):7.1f} ms"
        f"  p99 {pct(heavy, 0.99):7.1f} ms   completed (200) {r['heavy_ok_per_s']:.2f}/s"
    )
    fives = {s: n for s, n in r["statuses"].items() if s >= 500 and s != 503}
    print(
        f"  answers by status {r['statuses']}   5xx other than 503: {sum(fives.values())}"
        f"   503 without Retry-After: {r['retry_after_missing']}   client errors: "
        f"{r['failures'] or 0}"
    )
    print(
        f"  RSS MB            before {before:.0f}, peak {peak:.0f}, 10 s after {after:.0f}"
        f"  ({after / before:.2f}x before)"
    )
    print(f"  CPU in the 2nd second after the clients stopped: {r['cpu_after']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    results = []
    for w in [int(x) for x in args.workers.split(",")]:
        r = run_once(w, args.clients, args.seconds)
        report(r, args.clients, args.seconds)
        results.append(r)
    if len(results) > 1:
        base = results[0]["heavy_ok_per_s"]
        for r in results[1:]:
            ratio = r["heavy_ok_per_s"] / base if base else float("inf")
            print(
                f"heavy throughput, --workers {r['workers']} / --workers "
                f"{results[0]['workers']}: {ratio:.2f}x"
            )


if __name__ == "__main__":
    main()
