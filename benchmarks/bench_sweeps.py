"""Sweep benchmark: 65,536 Adam runs x 500 steps on Himmelblau, side by side in one process.

Run with `make bench` or `.venv/bin/python benchmarks/bench_sweeps.py [--quick]`. torch rows
need `pip install torch==2.13.0` in the venv; the C floor needs a C compiler (`cc`).

Rows, each cost per point-step (one run advanced one step):
  - POST /api/sweeps end to end over HTTP (a 256 x 256 basin map, server warm);
  - the engine: the compiled loop and the numpy path (what a cold server uses);
  - torch's fused Adam on one thread doing the same arithmetic (gradient and update only);
  - a plain C loop doing the same arithmetic, no checks: the floor.
"""

import ctypes
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from harness import best_of, running_server

from gradscape.engine import compiled
from gradscape.engine.sweep import build_sweep, run_sweep

try:
    import torch
except ImportError:  # torch is optional
    torch = None


LR, BETA1, BETA2, EPS = 0.05, 0.9, 0.999, 1e-8
SIDE = 256
STEPS = 500
RUN = {
    "surface": "himmelblau",
    "optimizer": "adam",
    "params": {"lr": LR},
    "steps": STEPS,
    "tol": 0.0,  # every run takes every step: the count of point-steps is exact
}
AXES = [
    {"name": "start.x", "min": -5, "max": 5, "n": SIDE, "log": False},
    {"name": "start.y", "min": -5, "max": 5, "n": SIDE, "log": False},
]


def row(name: str, seconds: float, point_steps: int) -> None:
    print(f"  {name:<52} {seconds * 1e3:9.1f} ms {seconds / point_steps * 1e9:8.2f} ns/point-step")


def starts() -> np.ndarray:
    xs, ys = np.meshgrid(np.linspace(-5, 5, SIDE), np.linspace(-5, 5, SIDE))
    return np.column_stack([xs.ravel(), ys.ravel()])


def torch_fused(p0: np.ndarray, steps: int) -> None:
    """torch's fused Adam, Himmelblau's gradient written by hand in torch ops."""
    p = torch.tensor(p0, dtype=torch.float64)
    opt = torch.optim.Adam([p], lr=LR, betas=(BETA1, BETA2), eps=EPS, fused=True)
    for _ in range(steps):
        x, y = p[:, 0], p[:, 1]
        a, b = x * x + y - 11.0, x + y * y - 7.0
        p.grad = torch.stack([4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b], dim=1)
        opt.step()


def c_floor() -> Callable[[np.ndarray, int], np.ndarray] | None:
    """The C loop, built with the system's compiler; None if there is none."""
    source = Path(__file__).with_name("adam_floor.c")
    lib = Path(tempfile.mkdtemp()) / "adam_floor.so"
    flags = ["-O3", "-march=native", "-fno-math-errno", "-shared", "-fPIC"]
    try:
        subprocess.run(
            ["cc", *flags, str(source), "-o", str(lib), "-lm"], check=True, capture_output=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    fn = ctypes.CDLL(str(lib)).adam_himmelblau
    dp = ctypes.POINTER(ctypes.c_double)
    fn.argtypes = [ctypes.c_int, ctypes.c_int, dp, dp, *[ctypes.c_double] * 4, dp, dp, dp, dp]

    def run(p0: np.ndarray, steps: int) -> np.ndarray:
        x, y = p0[:, 0].copy(), p0[:, 1].copy()
        state = [np.zeros(len(p0)) for _ in range(4)]
        ptrs = [a.ctypes.data_as(dp) for a in state]
        fn(len(p0), steps, x.ctypes.data_as(dp), y.ctypes.data_as(dp), LR, BETA1, BETA2, EPS,
           *ptrs)  # fmt: skip
        return np.column_stack([x, y])

    return run


def bench_http(repeat: int) -> float:
    import httpx

    body = {"run": RUN, "axes": AXES}
    small = {"run": RUN, "axes": [{"name": "start.x", "min": -5, "max": 5, "n": 2}]}
    with running_server() as url, httpx.Client(base_url=url, timeout=120) as client:
        cold = None
        for _ in range(200):
            t0 = time.perf_counter()
            engine = client.post("/api/sweeps", json=small).headers["x-gradscape-engine"]
            cold = cold or (time.perf_counter() - t0, engine)
            if engine == "compiled":
                break
            time.sleep(0.1)
        print(f"  first sweep on a cold server: {cold[0] * 1e3:.0f} ms ({cold[1]} path)")

        def post() -> None:
            r = client.post("/api/sweeps", json=body)
            assert r.status_code == 200 and r.headers["x-gradscape-engine"] == "compiled"
            assert len(r.json()["status"]) == SIDE

        return best_of(post, repeat)


def main() -> None:
    quick = "--quick" in sys.argv
    repeat = 2 if quick else 5
    runs = SIDE * SIDE
    point_steps = runs * STEPS
    print(f"Gradscape sweep benchmark (float64; best of {repeat} repeats)")
    print(f"torch: {torch.__version__ if torch else 'not installed, its rows skipped'}")
    print(f"\n{runs} runs x {STEPS} Adam steps on himmelblau (cost per point-step)")
    http = bench_http(repeat)
    row("POST /api/sweeps, 256 x 256, end to end over HTTP", http, point_steps)

    compiled.warm_up(block=True)
    sweep = build_sweep(RUN, AXES)
    t = {"compiled": best_of(lambda: run_sweep(sweep, fast=True), repeat)}
    row("engine: compiled loop (numba), whole sweep", t["compiled"], point_steps)
    t["numpy"] = best_of(lambda: run_sweep(sweep, fast=False), 1 if quick else 2)
    row("engine: numpy path (before the loop is compiled)", t["numpy"], point_steps)
    p0 = starts()
    if torch is not None:
        torch.set_num_threads(1)
        t["torch"] = best_of(lambda: torch_fused(p0, STEPS), repeat)
        row("torch fused Adam, 1 thread, arithmetic only", t["torch"], point_steps)
    floor = c_floor()
    if floor is not None:
        t["c"] = best_of(lambda: floor(p0, STEPS), repeat)
        row("plain C loop (cc -O3), arithmetic only: the floor", t["c"], point_steps)
        ours = run_sweep(sweep, fast=True).final_point
        gap = np.abs(floor(p0, STEPS) - ours).max()
        print(f"  (C loop and engine end points differ by at most {gap:.1e})")

    print("\nTargets")
    print(f"  POST /api/sweeps 65,536 x 500 over HTTP: {http:.2f} s (target < 1.5 s)")
    if torch is not None:
        print(
            f"  torch fused Adam / engine compiled loop: {t['torch'] / t['compiled']:.2f}x "
            "(target >= 1.2x)"
        )
    if floor is not None:
        print(f"  engine compiled loop / C floor: {t['compiled'] / t['c']:.2f}x (target <= 4x)")
    print(f"  engine numpy path / compiled loop: {t['numpy'] / t['compiled']:.1f}x")


if __name__ == "__main__":
    main()
