"""Core benchmark: Gradscape's engine and API side by side with numpy and torch, as ratios.

Run with `make bench` or `.venv/bin/python benchmarks/bench_core.py [--quick]`. torch is
optional (`pip install torch==2.13.0` into the venv); its rows are skipped without it.
Times are the best of several repeats, measured in one process, so the ratios compare like
with like on a shared, noisy machine. Absolute times are printed only for orientation.
"""

import argparse
import math

import numpy as np
from harness import best_of, running_server

from gradscape.engine import Simulation, build_spec, run_batch, run_one
from gradscape.surfaces import SURFACES

try:
    import torch
except ImportError:  # torch is optional
    torch = None

LR, BETA1, BETA2, EPS = 0.01, 0.9, 0.999, 1e-8
START = (-1.5, 2.0)


UNITS = {"us/step": 1e6, "ns/point-step": 1e9, "ns/point": 1e9}


def row(name: str, seconds: float, count: float, unit: str) -> None:
    """Total time, and time per unit of work (count of steps, point-steps or points)."""
    print(f"  {name:<46} {seconds * 1e3:10.2f} ms {seconds / count * UNITS[unit]:10.2f} {unit}")


# --------------------------------------------------------------------------- one run


def rosenbrock_grad_floats(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


def adam_floats(steps: int) -> None:
    x, y = START
    mx = my = vx = vy = 0.0
    for t in range(1, steps + 1):
        gx, gy = rosenbrock_grad_floats(x, y)
        mx += (gx - mx) * (1 - BETA1)
        my += (gy - my) * (1 - BETA1)
        vx = vx * BETA2 + (1 - BETA2) * gx * gx
        vy = vy * BETA2 + (1 - BETA2) * gy * gy
        c2 = math.sqrt(1 - BETA2**t)
        s = LR / (1 - BETA1**t)
        x -= s * mx / (math.sqrt(vx) / c2 + EPS)
        y -= s * my / (math.sqrt(vy) / c2 + EPS)


def adam_numpy_small(steps: int) -> None:
    p = np.array(START)
    m = np.zeros(2)
    v = np.zeros(2)
    for t in range(1, steps + 1):
        r = p[1] - p[0] * p[0]
        g = np.array([-2.0 * (1.0 - p[0]) - 400.0 * p[0] * r, 200.0 * r])
        m = m + (g - m) * (1 - BETA1)
        v = v * BETA2 + (1 - BETA2) * g * g
        p = p - (LR / (1 - BETA1**t)) * m / (np.sqrt(v) / math.sqrt(1 - BETA2**t) + EPS)


def torch_rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def adam_torch_autograd(steps: int) -> list:
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        torch_rosenbrock(p).backward()
        opt.step()
        path.append(p.detach().clone())
    return path


def adam_torch_manual_grad(steps: int) -> None:
    p = torch.tensor(START, dtype=torch.float64)
    opt = torch.optim.Adam([p], lr=LR)
    for _ in range(steps):
        x, y = p.tolist()
        p.grad = torch.tensor(rosenbrock_grad_floats(x, y), dtype=torch.float64)
        opt.step()


def bench_single(steps: int, repeat: int) -> dict[str, float]:
    print(f"\nOne 2-parameter Adam run on rosenbrock, {steps} steps (cost per step)")
    spec = build_spec("rosenbrock", "adam", {"lr": LR}, start=START, steps=steps, tol=0)
    t = {
        "engine (scalar path)": best_of(lambda: run_one(spec), repeat),
        "engine (vector path, 1 run)": best_of(lambda: run_batch([spec], scalar=False), 2),
        "numpy on a (2,) array, inline": best_of(lambda: adam_numpy_small(steps), 2),
        "plain Python floats, inline": best_of(lambda: adam_floats(steps), repeat),
    }
    if torch is not None:
        t["torch.optim.Adam, autograd"] = best_of(lambda: adam_torch_autograd(steps), 2)
        t["torch.optim.Adam, gradient set by hand"] = best_of(
            lambda: adam_torch_manual_grad(steps), 2
        )
    for name, s in t.items():
        row(name, s, steps, "us/step")
    return t


# --------------------------------------------------------------------------- HTTP


def bench_http(steps: int, repeat: int, single: dict[str, float]) -> dict[str, float]:
    import httpx

    print(f"\nPOST /api/runs, {steps} Adam steps on rosenbrock, end to end over HTTP")
    out: dict[str, float] = {}
    with running_server() as url, httpx.Client(base_url=url, timeout=60) as client:
        body = {
            "surface": "rosenbrock",
            "optimizer": "adam",
            "params": {"lr": LR},
            "start": list(START),
            "steps": steps,
            "tol": 0,
        }

        def post() -> None:
            r = client.post("/api/runs", json=body)
            assert r.status_code == 200 and len(r.json()["points"]) == steps + 1

        out["POST /api/runs"] = best_of(post, repeat)
    row("POST /api/runs (server + JSON + client parse)", out["POST /api/runs"], steps, "us/step")
    if torch is not None:
        out["torch"] = best_of(lambda: adam_torch_autograd(steps), 2)
        row("torch.optim.Adam with autograd, same run", out["torch"], steps, "us/step")
    return out


# --------------------------------------------------------------------------- batch


def batch_starts(runs: int) -> np.ndarray:
    xs = np.linspace(-2.0, 2.0, runs)
    return np.column_stack([xs, np.full(runs, 2.0)])


def adam_inline_batch(starts: np.ndarray, steps: int, record: bool) -> np.ndarray:
    """The same arithmetic written inline: Adam on rosenbrock over (runs, 2) arrays."""
    p = starts.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    if record:
        points = np.empty((steps + 1, *p.shape))
        losses = np.empty((steps + 1, len(p)))
        norms = np.empty((steps + 1, len(p)))
        points[0] = p
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        d, r = 1.0 - x, y - x * x
        g = np.empty_like(p)
        g[:, 0] = -2.0 * d - 4.0 * x * (100.0 * r)
        g[:, 1] = 2.0 * (100.0 * r)
        m = m + (1 - BETA1) * (g - m)
        v = v * BETA2 + (1 - BETA2) * g * g
        p = p - (LR / (1 - BETA1**t)) * m / (np.sqrt(v) / math.sqrt(1 - BETA2**t) + EPS)
        if record:
            x, y = p[:, 0], p[:, 1]
            d, r = 1.0 - x, y - x * x
            gx, gy = -2.0 * d - 400.0 * x * r, 200.0 * r
            points[t] = p
            losses[t] = d * d + 100.0 * r * r
            norms[t] = np.sqrt(gx * gx + gy * gy)
    return p


def adam_torch_fused_batch(starts: np.ndarray, steps: int, record: bool) -> None:
    """torch's fused Adam on the same batch, the gradient written by hand in torch ops."""
    p = torch.tensor(starts, dtype=torch.float64)
    opt = torch.optim.Adam([p], lr=LR, fused=True)
    if record:
        points = torch.empty((steps + 1, *p.shape), dtype=torch.float64)
        losses = torch.empty((steps + 1, len(p)), dtype=torch.float64)
        norms = torch.empty((steps + 1, len(p)), dtype=torch.float64)
        points[0] = p
    for t in range(1, steps + 1):
        x, y = p[:, 0], p[:, 1]
        d, r = 1.0 - x, y - x * x
        gx, gy = -2.0 * d - 400.0 * x * r, 200.0 * r
        p.grad = torch.stack([gx, gy], dim=1)
        if record:
            losses[t - 1] = d * d + 100.0 * r * r
            norms[t - 1] = torch.sqrt(gx * gx + gy * gy)
        opt.step()
        if record:
            points[t] = p


def bench_batch(runs: int, steps: int, repeat: int) -> dict[str, float]:
    print(f"\nBatched: {runs} runs x {steps} Adam steps on rosenbrock (cost per point-step)")
    starts = batch_starts(runs)
    specs = [
        build_spec("rosenbrock", "adam", {"lr": LR}, start=tuple(s), steps=steps, tol=0)
        for s in starts
    ]
    final = run_batch(specs)
    inline_final = adam_inline_batch(starts, steps, record=False)
    np.testing.assert_allclose([r.points[-1] for r in final], inline_final, rtol=1e-12)

    def engine() -> None:
        sim = Simulation(specs)
        sim.advance(steps)

    t = {
        "engine: Simulation (trajectories as arrays)": best_of(engine, repeat),
        "engine: run_batch (one result per run)": best_of(lambda: run_batch(specs), repeat),
        "inline numpy, same outputs recorded": best_of(
            lambda: adam_inline_batch(starts, steps, record=True), repeat
        ),
        "inline numpy, arithmetic only": best_of(
            lambda: adam_inline_batch(starts, steps, record=False), repeat
        ),
    }
    if torch is not None:
        t["torch fused Adam, same outputs recorded"] = best_of(
            lambda: adam_torch_fused_batch(starts, steps, record=True), repeat
        )
        t["torch fused Adam, arithmetic only"] = best_of(
            lambda: adam_torch_fused_batch(starts, steps, record=False), repeat
        )
    for name, s in t.items():
        row(name, s, runs * steps, "ns/point-step")
    return t


# --------------------------------------------------------------------------- grids & JSON


def bench_grids(resolution: int, repeat: int) -> dict[str, float]:
    print(f"\n{resolution} x {resolution} contour grids (Surface.grid, broadcasting)")
    out = {}
    for sid, surface in SURFACES.items():
        (x0, x1), (y0, y1) = surface.info.domain
        xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        out[sid] = best_of(lambda s=surface, a=xs, b=ys: s.grid(a, b), repeat)
        row(sid, out[sid], resolution * resolution, "ns/point")
    return out


def bench_json(points: int, repeat: int) -> dict[str, float]:
    from fastapi.encoders import jsonable_encoder
    from pydantic_core import to_json

    print(f"\nSerialising a {points}-point trajectory")
    spec = build_spec("rosenbrock", "adam", {"lr": LR}, steps=points - 1, tol=0)
    r = run_one(spec)
    payload = {
        "points": r.points.tolist(),
        "loss": r.loss.tolist(),
        "grad_norm": r.grad_norm.tolist(),
        "lr": r.lr.tolist(),
    }
    t = {
        "pydantic_core.to_json (what the API uses)": best_of(lambda: to_json(payload), repeat),
        "fastapi jsonable_encoder + json.dumps": best_of(
            lambda: __import__("json").dumps(jsonable_encoder(payload)), repeat
        ),
    }
    for name, s in t.items():
        row(name, s, points, "ns/point")
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    repeat = 2 if args.quick else 5
    runs, steps = (2_000, 200) if args.quick else (10_000, 500)
    print("Gradscape core benchmark (float64; best of", repeat, "repeats)")
    print(f"torch: {torch.__version__ if torch else 'not installed, its rows skipped'}")

    single = bench_single(10_000, repeat)
    http = bench_http(10_000, repeat, single)
    batch = bench_batch(runs, steps, repeat)
    grids = bench_grids(500, repeat)
    bench_json(10_000, repeat)

    print("\nTargets")
    engine_step = single["engine (scalar path)"] / 10_000
    print(f"  engine single-run Adam step: {engine_step * 1e6:.2f} us (target <= 10 us)")
    print(
        f"  engine scalar path vs plain floats inline: "
        f"{single['engine (scalar path)'] / single['plain Python floats, inline']:.2f}x"
    )
    if torch is not None:
        print(
            f"  POST /api/runs vs torch autograd, same 10,000 steps: "
            f"{http['torch'] / http['POST /api/runs']:.1f}x faster (target >= 20x)"
        )
    sim = batch["engine: Simulation (trajectories as arrays)"]
    print(
        f"  batched engine / inline numpy recording the same outputs: "
        f"{sim / batch['inline numpy, same outputs recorded']:.2f}x (target <= 2x)"
    )
    print(
        f"  batched engine / inline numpy arithmetic only: "
        f"{sim / batch['inline numpy, arithmetic only']:.2f}x"
    )
    if torch is not None:
        print(
            f"  torch fused Adam recording the same outputs / batched engine: "
            f"{batch['torch fused Adam, same outputs recorded'] / sim:.2f}x (target > 1)"
        )
        print(
            f"  torch fused Adam arithmetic only / batched engine: "
            f"{batch['torch fused Adam, arithmetic only'] / sim:.2f}x"
        )
    slowest = max(grids, key=grids.get)
    analytic = {
        k: v
        for k, v in grids.items()
        if SURFACES[k].info.id not in ("linear_regression", "logistic_regression", "deep_linear")
    }
    worst = max(analytic, key=analytic.get)
    print(
        f"  500x500 grid, slowest analytic surface ({worst}): "
        f"{analytic[worst] * 1e3:.1f} ms (target < 10 ms); slowest of all: {slowest} "
        f"{grids[slowest] * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
