"""Networks benchmark: Gradscape's numpy MLP side by side with torch, printed as ratios.

Run with `make bench` or `.venv/bin/python benchmarks/bench_networks.py [--quick]`. torch is
optional; its rows are skipped without it. To include them without making torch a project
dependency, run the script with an interpreter that has torch and numpy, e.g.

    /tmp/torchenv/bin/python benchmarks/bench_networks.py   (PYTHONPATH=backend)

Times are the best of several repeats in one process, so ratios compare like with like on a
shared, noisy machine. The network is the 2-16-16-1 tanh MLP on 200 moons points.
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))

from harness import best_of

from gradscape.networks import build_network_spec, train, train_batch
from gradscape.networks.datasets import make_dataset
from gradscape.networks.landscape import Plane, loss_grid, random_plane
from gradscape.networks.layers import ACTIVATIONS, LOSSES
from gradscape.networks.mlp import MLP
from gradscape.networks.training import LandscapeSpec
from gradscape.optimizers import OPTIMIZERS

try:
    import torch
except ImportError:  # torch is optional
    torch = None

SIZES = (2, 16, 16, 1)
N_POINTS = 200
LR = 0.01
RESOLUTION = 51


def row(name: str, seconds: float) -> None:
    if seconds < 1e-3:
        print(f"  {name:<52} {seconds * 1e6:10.1f} us")
    else:
        print(f"  {name:<52} {seconds * 1e3:10.2f} ms")


def problem() -> tuple[MLP, np.ndarray, np.ndarray, np.ndarray]:
    data = make_dataset("moons", N_POINTS, 0.1, seed=0)
    x, y = data.x, data.y  # all 200 points, as in the torch side
    mlp = MLP(SIZES, ACTIVATIONS["tanh"], LOSSES["bce"])
    return mlp, mlp.init(np.random.default_rng(0)), x, y


# --------------------------------------------------------------------------- one step


def numpy_step(mlp: MLP, params: np.ndarray, x, y) -> Callable[[], None]:
    adam = OPTIMIZERS["adam"]
    hyper = adam.resolve({"lr": LR})
    state = {"params": params[None].copy(), "opt": adam.init(params[None], hyper), "t": 0}

    def step() -> None:
        _, grad, _ = mlp.value_and_grad(state["params"], x, y)
        state["t"] += 1
        state["params"], state["opt"] = adam.update(
            state["params"], grad, state["opt"], state["t"], LR, hyper, None
        )

    return step


def torch_step(params: np.ndarray, x, y, dtype) -> Callable[[], None]:
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 1),
    ).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    tx = torch.tensor(x, dtype=dtype)
    ty = torch.tensor(y, dtype=dtype)

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(net(tx)[:, 0], ty)
        loss.backward()
        opt.step()

    return step


def bench_step(repeat: int, number: int) -> None:
    mlp, params, x, y = problem()
    print(f"One full-batch Adam step, {'-'.join(map(str, SIZES))} tanh, {N_POINTS} points")
    ours = best_of(numpy_step(mlp, params, x, y), repeat, number)
    row("gradscape (numpy, float64)", ours)
    if torch is None:
        print("  torch not importable: no comparison")
        return
    for dtype, name in ((torch.float32, "float32"), (torch.float64, "float64")):
        theirs = best_of(torch_step(params, x, y, dtype), repeat, number)
        row(f"torch {torch.__version__} ({name}, {torch.get_num_threads()} threads)", theirs)
        print(f"  -> torch {name} / gradscape = {theirs / ours:.1f}x (target >= 4x)")


# --------------------------------------------------------------------------- landscape


def bench_landscape(repeat: int) -> None:
    mlp, params, x, y = problem()
    plane: Plane = random_plane(mlp, params, np.random.default_rng(1))
    axis = np.linspace(-1, 1, RESOLUTION)
    n_grid = RESOLUTION * RESOLUTION
    print(f"\n{RESOLUTION} x {RESOLUTION} loss landscape of the same network")

    def loop() -> None:
        for b in axis:
            for a in axis:
                mlp.value((params + a * plane.d1 + b * plane.d2)[None], x, y)

    hidden = sum(SIZES[1:-1])
    pre = np.random.default_rng(0).standard_normal((n_grid, len(x), hidden))
    out = np.empty_like(pre)

    def tanh_only() -> None:
        np.tanh(pre, out=out)

    t_loop = best_of(loop, max(2, repeat // 3))
    t_grid = best_of(lambda: loss_grid(mlp, plane, axis, axis, x, y), repeat)
    t_tanh = best_of(tanh_only, repeat)
    row("loop of single forward passes", t_loop)
    row("gradscape loss_grid (chunked batched matmuls)", t_grid)
    row(f"its tanh evaluations alone ({n_grid} x {len(x)} x {hidden})", t_tanh)
    print(f"  -> loss_grid / tanh alone = {t_grid / t_tanh:.2f}x (target <= 2.5x)")
    print(f"  -> loop / loss_grid = {t_loop / t_grid:.1f}x")


# --------------------------------------------------------------------------- whole run


def bench_run(repeat: int) -> None:
    print("\nA whole 500-step run through the API's code path (sharpness, landscape 41 x 41)")
    spec = build_network_spec(
        dataset="moons",
        samples=250,
        steps=500,
        params={"lr": LR},
        landscape={"directions": "pca", "resolution": 41},
    )
    row("train(spec)", best_of(lambda: train(spec), max(1, repeat // 3)))


# --------------------------------------------------------------------------- runs together

# Eight runs a user might compare on one data set: optimizers, rates and batch sizes.
MIXED = [
    ("adam", 0.01, None),
    ("adam", 0.003, None),
    ("sgd", 0.5, None),
    ("sgd", 0.5, 16),
    ("sgd", 0.5, 1),
    ("momentum", 0.05, None),
    ("rmsprop", 0.003, None),
    ("adam", 0.01, 16),
]
# Eight runs alike but for the learning rate: each costs what the first does alone.
ALIKE = [("adam", lr, None) for lr in (0.002, 0.003, 0.005, 0.007, 0.01, 0.014, 0.02, 0.03)]


def compare_specs(runs: list, steps: int, **options) -> list:
    return [
        build_network_spec(
            dataset="moons",
            optimizer=opt,
            params={"lr": lr},
            batch_size=batch,
            steps=steps,
            data_seed=0,
            **options,
        )
        for opt, lr, batch in runs
    ]


def bench_batch(repeat: int, steps: int) -> None:
    print(f"\n8 runs of the default 2-16-16-1 network on moons, {steps} steps: together vs alone")
    cases = [
        ("training", {"sharpness_every": 0, "landscape": None}, None),
        ("+ sharpness every step", {"landscape": None}, None),
        ("+ one shared landscape 41 x 41", {"landscape": None}, LandscapeSpec("pca", 41)),
    ]
    n = max(2, repeat // 3)
    for name, options, land in cases:
        alike = compare_specs(ALIKE, steps, **options)
        mixed = compare_specs(MIXED, steps, **options)
        t_one = best_of(lambda s=alike[:1], land=land: train_batch(s, land), n)
        t_alike = best_of(lambda s=alike, land=land: train_batch(s, land), n)
        t_mixed = best_of(lambda s=mixed, land=land: train_batch(s, land), n)
        t_alone = sum(best_of(lambda s=[s], land=land: train_batch(s, land), n) for s in mixed)
        print(f"  {name}")
        row("    1 Adam run", t_one)
        row("    8 Adam runs (8 rates) together", t_alike)
        print(f"    -> 8 together / 1 = {t_alike / t_one:.2f}x (target <= 3x)")
        row("    8 mixed runs (optimizers, batch 1/16/full) together", t_mixed)
        row("    the same 8, one after another", t_alone)
        print(f"    -> one after another / together = {t_alone / t_mixed:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeat, number = (3, 200) if args.quick else (9, 1000)
    bench_step(repeat, number)
    bench_landscape(repeat)
    bench_run(repeat)
    bench_batch(repeat, 200 if args.quick else 500)


if __name__ == "__main__":
    main()
