"""The sweep's compiled loop: each run stepped to its end with its state in registers (numba).

numpy makes about 40 passes over memory per step of a batch (the update, the surface, the
tests for divergence and convergence); this loop makes none, so it runs near a C loop's speed
(see benchmarks/bench_sweeps.py). The arithmetic is the update rules' own, written again per
coordinate in the same order, so it gives the numpy path's and torch's numbers: the tests
compare it with both, and every formula here with the surface it copies.

It serves the elementwise optimizers on the analytic polynomial surfaces; anything else (and
everything until the loop is compiled) takes the numpy path. Compilation (a few seconds) runs
in a background thread started with the server and is cached on disk, so no request waits.
"""

import math
import threading
from typing import Any

import numpy as np

try:
    import numba
except ImportError:  # numba is optional: the numpy path serves every sweep without it
    numba = None


def _jit(function):
    if numba is None:
        return function
    return numba.njit(cache=True, error_model="numpy", nogil=True)(function)


SURFACES = {
    "quadratic": 0,
    "ravine": 1,
    "booth": 2,
    "rosenbrock": 3,
    "beale": 4,
    "saddle": 5,
    "monkey_saddle": 6,
    "himmelblau": 7,
    "six_hump_camel": 8,
}
SGD, ADAM, RMSPROP, ADAGRAD, NADAM = range(5)
OPTIMIZERS = {
    "sgd": SGD,
    "momentum": SGD,
    "nesterov": SGD,
    "adam": ADAM,
    "adamw": ADAM,
    "rmsprop": RMSPROP,
    "adagrad": ADAGRAD,
    "nadam": NADAM,
}
# Which hyperparameter fills each column of the per-run table, by optimizer kind.
COLUMNS = {
    SGD: ("momentum", "dampening", "weight_decay"),
    ADAM: ("beta1", "beta2", "eps", "weight_decay"),
    RMSPROP: ("alpha", "eps", "weight_decay", "momentum"),
    ADAGRAD: ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    NADAM: ("beta1", "beta2", "eps", "weight_decay", "momentum_decay"),
}
# Boolean switches, shared by every run of a sweep: (maximize, nesterov/amsgrad/centered,
# decoupled weight decay).
SWITCHES = ("maximize", "nesterov", "amsgrad", "centered", "decoupled_weight_decay")

_kernel: Any = None
_lock = threading.Lock()
_failed = False


def supports(surface_id: str, optimizer_id: str) -> bool:
    return surface_id in SURFACES and optimizer_id in OPTIMIZERS


def ready() -> bool:
    return _kernel is not None


def warm_up(block: bool = False) -> threading.Thread | None:
    """Compile (or load from the disk cache) the loop; in a background thread unless ``block``."""
    if block:
        _compile()
        return None
    thread = threading.Thread(target=_compile, name="gradscape-compile", daemon=True)
    thread.start()
    return thread


def _compile() -> None:
    global _kernel, _failed
    with _lock:
        if _kernel is not None or _failed:
            return
        if numba is None:
            _failed = True
            return
        out = _empty_outputs(1)
        hyper = np.array([[0.9, 0.999, 1e-8, 0.0, 0.0]])
        kernel(7, ADAM, np.zeros(5, np.int64), hyper, np.ones((1, 1)), np.zeros(1, np.int64),
               np.zeros((0, 2)), np.zeros(1), np.ones((1, 2)), 2, 1e-6, 1e6, *out)  # fmt: skip
        evaluate(0, np.zeros(1), np.zeros(1))
        _kernel = kernel


def _empty_outputs(m: int) -> tuple[np.ndarray, ...]:
    return (np.empty(m), np.empty((m, 2)), np.empty(m, np.int8), np.empty(m, np.int64))


def advance(base: Any, cells: Any) -> tuple[np.ndarray, ...]:
    """Every cell to its end: (final_loss, final_point, status, steps_taken) as sweep.py has it."""
    from gradscape.engine.randomness import Randomness

    opt, m = base.optimizer, len(cells.starts)
    kind = OPTIMIZERS[opt.id]
    table = np.empty((m, 5))
    for c, name in enumerate(COLUMNS[kind]):
        table[:, c] = np.asarray(cells.hyper[name], dtype=float).reshape(-1)
    switches = np.array([bool(cells.hyper.get(name, False)) for name in SWITCHES], np.int64)
    if opt.id == "adamw":
        switches[4] = 1
    draws = np.zeros((0, 2))
    if np.any(cells.noise):
        from dataclasses import replace

        random = Randomness([replace(base, noise=1.0)])
        draws = np.ascontiguousarray(random.noise(base.steps)[0]) if base.steps else draws
    out = _empty_outputs(m)
    tol = base.tol if base.tol > 0 else -1.0
    _kernel(
        SURFACES[base.surface.id],
        kind,
        switches,
        table,
        np.ascontiguousarray(cells.tables),
        np.ascontiguousarray(cells.table_of, dtype=np.int64),
        draws,
        np.ascontiguousarray(cells.noise, dtype=float),
        np.ascontiguousarray(cells.starts, dtype=float),
        base.steps,
        tol,
        base.bound,
        *out,
    )
    return out


@_jit
def value_grad(sid, x, y):
    """The surfaces' value_grad, formula by formula (checked against them in the tests)."""
    if sid == 0:  # quadratic
        return 0.5 * (x * x + y * y), 1.0 * x, 1.0 * y
    if sid == 1:  # ravine, kappa = 25
        return 0.5 * (x * x + 25.0 * y * y), 1.0 * x, 25.0 * y
    if sid == 2:  # booth
        a = x + 2.0 * y - 7.0
        b = 2.0 * x + y - 5.0
        return a * a + b * b, 10.0 * x + 8.0 * y - 34.0, 8.0 * x + 10.0 * y - 38.0
    if sid == 3:  # rosenbrock, a = 1, b = 100
        d = 1.0 - x
        r = y - x * x
        br = 100.0 * r
        return d * d + br * r, -2.0 * d - 4.0 * x * br, 2.0 * br
    if sid == 4:  # beale
        y2 = y * y
        a1 = 1.5 - x + x * y
        a2 = 2.25 - x + x * y2
        a3 = 2.625 - x + x * y2 * y
        gx = 2.0 * (a1 * (y - 1.0) + a2 * (y2 - 1.0) + a3 * (y2 * y - 1.0))
        gy = 2.0 * x * (a1 + 2.0 * y * a2 + 3.0 * y2 * a3)
        return a1 * a1 + a2 * a2 + a3 * a3, gx, gy
    if sid == 5:  # saddle
        return x * x - y * y, 2.0 * x, -2.0 * y
    if sid == 6:  # monkey saddle
        return x * (x * x - 3.0 * y * y), 3.0 * (x * x - y * y), -6.0 * x * y
    if sid == 7:  # himmelblau
        a = x * x + y - 11.0
        b = x + y * y - 7.0
        return a * a + b * b, 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b
    # six-hump camel
    x2 = x * x
    y2 = y * y
    f = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2
    return f, 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y


@_jit
def lerp(start, end, weight):
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@_jit
def coordinate(kind, sw, h, p, g, s1, s2, s3, step, lr, mu, mu_next, mu_product):
    """One coordinate's step: (new p, new state), as the rule in optimizers/ writes it."""
    if sw[0]:
        g = -g
    if kind == SGD:
        momentum, dampening, wd = h[0], h[1], h[2]
        if wd != 0:
            g = g + wd * p
        if momentum != 0:
            if step == 1:
                s1 = g
            else:
                s1 = s1 * momentum + (1 - dampening) * g
            g = g + momentum * s1 if sw[1] else s1
        return p + (-lr) * g, s1, s2, s3
    if kind == ADAM:
        beta1, beta2, eps, wd = h[0], h[1], h[2], h[3]
        if sw[4]:
            p = p * (1 - lr * wd)
        elif wd != 0:
            g = g + wd * p
        s1 = lerp(s1, g, 1 - beta1)
        s2 = s2 * beta2 + (1 - beta2) * g * g
        bias_correction1 = 1 - math.pow(beta1, float(step))
        bias_correction2_sqrt = math.sqrt(1 - math.pow(beta2, float(step)))
        if sw[2]:
            if s3 != s3 or s2 != s2:
                s3 = math.nan
            elif s2 > s3:
                s3 = s2
            denom = math.sqrt(s3) / bias_correction2_sqrt + eps
        else:
            denom = math.sqrt(s2) / bias_correction2_sqrt + eps
        step_size = lr / bias_correction1
        return p - step_size * s1 / denom, s1, s2, s3
    if kind == RMSPROP:
        alpha, eps, wd, momentum = h[0], h[1], h[2], h[3]
        if wd != 0:
            g = g + wd * p
        s1 = s1 * alpha + (1 - alpha) * g * g
        if sw[3]:
            s2 = lerp(s2, g, 1 - alpha)
            avg = math.sqrt(s1 + -1 * s2 * s2) + eps
        else:
            avg = math.sqrt(s1) + eps
        if momentum > 0:
            s3 = s3 * momentum + g / avg
            return p + (-lr) * s3, s1, s2, s3
        return p + (-lr) * g / avg, s1, s2, s3
    if kind == ADAGRAD:
        lr_decay, wd, eps = h[0], h[1], h[3]
        if wd != 0:
            g = g + wd * p
        clr = lr / (1 + (step - 1) * lr_decay)
        s1 = s1 + 1 * g * g
        std = math.sqrt(s1) + eps
        return p + (-clr) * g / std, s1, s2, s3
    # NAdam
    beta1, beta2, eps, wd = h[0], h[1], h[2], h[3]
    if wd != 0:
        if sw[4]:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
    bias_correction2 = 1 - math.pow(beta2, float(step))
    s1 = lerp(s1, g, 1 - beta1)
    s2 = s2 * beta2 + (1 - beta2) * g * g
    denom = math.sqrt(s2 / bias_correction2) + eps
    mu_product_next = mu_product * mu_next
    p = p + (-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
    p = p + ((-lr * mu_next) / (1.0 - mu_product_next)) * s1 / denom
    return p, s1, s2, s3


@_jit
def kernel(sid, kind, sw, hyper, tables, table_of, draws, noise, starts, steps, tol, bound,
           out_loss, out_point, out_status, out_taken):  # fmt: skip
    width = tables.shape[1]
    noisy = draws.shape[0] > 0
    for r in range(starts.shape[0]):
        h = hyper[r]
        x, y = starts[r, 0], starts[r, 1]
        loss, gx, gy = value_grad(sid, x, y)
        gnorm = math.sqrt(gx * gx + gy * gy)
        out_taken[r] = 0
        if not (math.isfinite(loss) and math.isfinite(gnorm)):
            out_loss[r], out_point[r, 0], out_point[r, 1] = math.nan, math.nan, math.nan
            out_status[r] = 3
            continue
        out_loss[r], out_point[r, 0], out_point[r, 1] = loss, x, y
        if gnorm <= tol:
            out_status[r] = 2
            continue
        if steps == 0:
            out_status[r] = 1
            continue
        init = h[2] if kind == ADAGRAD else 0.0
        ax, bx, cx, ay, by, cy = init, 0.0, 0.0, init, 0.0, 0.0
        mu_product = 1.0
        lr_row = tables[table_of[r]]
        status = 1
        t = 0
        for k in range(steps):
            lr = lr_row[k if k < width else width - 1]
            t = k + 1
            if noisy:
                gx = gx + draws[k, 0] * noise[r]
                gy = gy + draws[k, 1] * noise[r]
            mu = mu_next = 0.0
            if kind == NADAM:
                mu = h[0] * (1.0 - 0.5 * math.pow(0.96, t * h[4]))
                mu_next = h[0] * (1.0 - 0.5 * math.pow(0.96, (t + 1) * h[4]))
                mu_product = mu_product * mu
            nx, ax, bx, cx = coordinate(kind, sw, h, x, gx, ax, bx, cx, t, lr, mu, mu_next,
                                        mu_product)  # fmt: skip
            ny, ay, by, cy = coordinate(kind, sw, h, y, gy, ay, by, cy, t, lr, mu, mu_next,
                                        mu_product)  # fmt: skip
            nloss, ngx, ngy = value_grad(sid, nx, ny)
            ngnorm = math.sqrt(ngx * ngx + ngy * ngy)
            if not (abs(nx) <= bound and abs(ny) <= bound and math.isfinite(nloss)
                    and math.isfinite(ngnorm)):  # fmt: skip
                status = 3
                t -= 1
                break
            x, y, loss, gx, gy = nx, ny, nloss, ngx, ngy
            if ngnorm <= tol:
                status = 2
                break
        out_loss[r], out_point[r, 0], out_point[r, 1] = loss, x, y
        out_status[r] = status
        out_taken[r] = t


@_jit
def evaluate(sid, xs, ys):
    """Loss and gradient of surface ``sid`` at many points: the compiled formulas, for tests."""
    out = np.empty((xs.shape[0], 3))
    for i in range(xs.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = value_grad(sid, xs[i], ys[i])
    return out
