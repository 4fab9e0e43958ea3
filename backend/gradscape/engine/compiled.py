"""The sweep's compiled loop (numba): thousands of runs stepped in registers, SIMD across runs.

numpy makes about 40 passes over memory per step of a batch (the update, the surface, the
tests for divergence and convergence). This loop takes a chunk of runs that fits in the L1
cache and, step by step, advances every run of the chunk in one pass that the compiler
vectorises; finished runs stay in the chunk, masked, until all are done. One kernel is compiled
per (surface, optimizer kind, switches), so every branch on them is resolved at compile time.

The arithmetic is the update rules' own, written again per coordinate in the same order, so it
gives the numpy path's and torch's numbers: the tests compare it with both, and each surface
formula here with the surface it copies. It serves the elementwise optimizers on the analytic
polynomial surfaces; anything else takes the numpy path, and so does any sweep whose kernel is
not compiled yet: it is then compiled in a background thread (and cached on disk), so no
request waits for the compiler. The server compiles the common kernels when it starts.
"""

import math
import queue
import threading
from collections.abc import Callable
from dataclasses import replace
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


def _inline(function):
    """A helper inlined into its caller by numba, so constant arguments prune its branches."""
    if numba is None:
        return function
    return numba.njit(inline="always", error_model="numpy")(function)


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


RUNNING, COMPLETED, CONVERGED, DIVERGED = range(4)  # sweep.py's status codes
CHUNK = 256  # runs advanced together: their state (16 arrays) stays in the L1 cache

# (surface, optimizer kind, maximize, variant, decoupled weight decay, noisy)
Key = tuple[int, int, bool, bool, bool, bool]
# Compiled when the server starts: the Maps page's presets and the benchmark.
COMMON = [
    (SURFACES[s], OPTIMIZERS[o], False, o == "nesterov", o == "adamw", False)
    for s, o in [
        ("himmelblau", "adam"),
        ("himmelblau", "sgd"),
        ("ravine", "momentum"),
        ("rosenbrock", "sgd"),
        ("rosenbrock", "adam"),
        ("quadratic", "sgd"),
    ]
]

_kernels: dict[Key, Callable] = {}
_queued: set[Key] = set()
_jobs: "queue.Queue[Key]" = queue.Queue()
_worker: threading.Thread | None = None
_lock = threading.Lock()


def available() -> bool:
    return numba is not None


def supports(surface_id: str, optimizer_id: str) -> bool:
    return numba is not None and surface_id in SURFACES and optimizer_id in OPTIMIZERS


def ready(key: Key | None = None) -> bool:
    """Is this kernel compiled (without a key: is any)?"""
    return bool(_kernels) if key is None else key in _kernels


def key_for(base: Any, cells: Any) -> Key:
    hyper, opt_id = cells.hyper, base.optimizer.id
    kind = OPTIMIZERS[opt_id]
    variant = {SGD: "nesterov", ADAM: "amsgrad", RMSPROP: "centered"}.get(kind)
    return (
        SURFACES[base.surface.id],
        kind,
        bool(hyper.get("maximize", False)),
        bool(hyper.get(variant, False)) if variant else False,
        opt_id == "adamw" or bool(hyper.get("decoupled_weight_decay", False)),
        bool(np.any(cells.noise)),
    )


def compile_now(key: Key) -> Callable:
    """Compile (or load from the disk cache) one kernel and run it once on one cell."""
    with _lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kernel = _make_kernel(*key)
            hyper = np.array([[0.9], [0.999], [1e-8], [0.0], [0.0]])
            coef = coefficient_tables(ADAM, hyper.T.copy(), 2)
            one = np.zeros(1, np.int64)
            out = _empty_outputs(1)
            draws = np.zeros((2 if key[5] else 0, 2))
            kernel(hyper, coef, one, np.ones((1, 1)), one, draws, np.zeros(1), np.ones((1, 2)),
                   2, 1e-6, 1e6, *out)  # fmt: skip
            _kernels[key] = kernel
        return kernel


def request(key: Key) -> None:
    """Have this kernel compiled in the background (the numpy path serves until then)."""
    if numba is None or key in _kernels or key in _queued:
        return
    global _worker
    _queued.add(key)
    _jobs.put(key)
    if _worker is None or not _worker.is_alive():
        _worker = threading.Thread(target=_work, name="gradscape-compile", daemon=True)
        _worker.start()


def _work() -> None:
    while True:
        try:
            key = _jobs.get(timeout=1.0)
        except queue.Empty:
            return
        try:
            compile_now(key)
        finally:
            _queued.discard(key)


def warm_up(block: bool = False, keys: list[Key] | None = None) -> None:
    """Compile the common kernels: in a background thread, or now if ``block``."""
    for key in COMMON if keys is None else keys:
        if block:
            compile_now(key)
        else:
            request(key)


# Per-step coefficients are tabled once per distinct hyperparameter row (pow is the costliest
# operation in a step), unless the tables would be too big: then each run computes its own.
MAX_COEFFICIENTS = 4_000_000


def _coefficients(kind: int, table: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    none = np.zeros((0, 1, 3)), np.zeros(len(table), np.int64)
    if kind not in (ADAM, NADAM):
        return none
    if (table == table[0]).all():
        unique, index = table[:1], np.zeros(len(table), np.int64)
    else:
        unique, index = np.unique(table, axis=0, return_inverse=True)
    if len(unique) * (steps + 1) > MAX_COEFFICIENTS:
        return none
    return coefficient_tables(kind, unique, steps), index.reshape(-1).astype(np.int64)


def _empty_outputs(m: int) -> tuple[np.ndarray, ...]:
    return (np.empty(m), np.empty((m, 2)), np.empty(m, np.int8), np.empty(m, np.int64))


def advance(base: Any, cells: Any) -> tuple[np.ndarray, ...] | None:
    """Every cell to its end: (final_loss, final_point, status, steps_taken) as sweep.py has it.

    None if this sweep's kernel is not compiled yet (it is then queued for compilation).
    """
    from gradscape.engine.randomness import Randomness

    key = key_for(base, cells)
    kernel = _kernels.get(key)
    if kernel is None:
        request(key)
        return None
    m, kind = len(cells.starts), key[1]
    table = np.zeros((m, 5))
    for c, name in enumerate(COLUMNS[kind]):
        table[:, c] = np.asarray(cells.hyper[name], dtype=float).reshape(-1)
    draws = np.zeros((0, 2))
    if key[5] and base.steps:
        draws = np.ascontiguousarray(Randomness([replace(base, noise=1.0)]).noise(base.steps)[0])
    coef, coef_of = _coefficients(kind, table, base.steps)
    out = _empty_outputs(m)
    kernel(
        np.ascontiguousarray(table.T),
        coef,
        coef_of,
        np.ascontiguousarray(cells.tables, dtype=float),
        np.ascontiguousarray(cells.table_of, dtype=np.int64),
        draws,
        np.ascontiguousarray(cells.noise, dtype=float),
        np.ascontiguousarray(cells.starts, dtype=float),
        base.steps,
        base.tol if base.tol > 0 else -1.0,
        base.bound,
        *out,
    )
    return out


@_inline
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


@_inline
def lerp(start, end, weight):
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


@_inline
def step_coefficients(kind, h, step):
    """What a step shares across coordinates: Adam's bias corrections, NAdam's mu's."""
    if kind == ADAM:
        return 1 - math.pow(h[0], float(step)), math.sqrt(1 - math.pow(h[1], float(step))), 0.0
    if kind == NADAM:
        mu = h[0] * (1.0 - 0.5 * math.pow(0.96, step * h[4]))
        mu_next = h[0] * (1.0 - 0.5 * math.pow(0.96, (step + 1) * h[4]))
        return 1 - math.pow(h[1], float(step)), mu, mu_next
    return 0.0, 0.0, 0.0


@_jit
def coefficient_tables(kind, hyper, steps):
    """step_coefficients for steps 1 .. steps of each distinct hyperparameter row."""
    out = np.zeros((hyper.shape[0], steps + 1, 3))
    for u in range(hyper.shape[0]):
        for t in range(1, steps + 1):
            out[u, t, 0], out[u, t, 1], out[u, t, 2] = step_coefficients(kind, hyper[u], t)
    return out


@_inline
def coordinate(kind, maximize, variant, decoupled, h0, h1, h2, h3, p, g, s1, s2, s3, step, lr,
               c0, c1, c2, mu_product):  # fmt: skip
    """One coordinate's step: (new p, new state), as the rule in optimizers/ writes it."""
    if maximize:
        g = -g
    if kind == SGD:
        momentum, dampening, wd = h0, h1, h2
        if wd != 0:
            g = g + wd * p
        if momentum != 0:
            if step == 1:
                s1 = g
            else:
                s1 = s1 * momentum + (1 - dampening) * g
            g = g + momentum * s1 if variant else s1
        return p + (-lr) * g, s1, s2, s3
    if kind == ADAM:
        beta1, beta2, eps, wd = h0, h1, h2, h3
        if decoupled:
            p = p * (1 - lr * wd)
        elif wd != 0:
            g = g + wd * p
        s1 = lerp(s1, g, 1 - beta1)
        s2 = s2 * beta2 + (1 - beta2) * g * g
        bias_correction1, bias_correction2_sqrt = c0, c1
        if variant:
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
        alpha, eps, wd, momentum = h0, h1, h2, h3
        if wd != 0:
            g = g + wd * p
        s1 = s1 * alpha + (1 - alpha) * g * g
        if variant:
            s2 = lerp(s2, g, 1 - alpha)
            avg = math.sqrt(s1 + -1 * s2 * s2) + eps
        else:
            avg = math.sqrt(s1) + eps
        if momentum > 0:
            s3 = s3 * momentum + g / avg
            return p + (-lr) * s3, s1, s2, s3
        return p + (-lr) * g / avg, s1, s2, s3
    if kind == ADAGRAD:
        lr_decay, wd, eps = h0, h1, h3
        if wd != 0:
            g = g + wd * p
        clr = lr / (1 + (step - 1) * lr_decay)
        s1 = s1 + 1 * g * g
        std = math.sqrt(s1) + eps
        return p + (-clr) * g / std, s1, s2, s3
    # NAdam
    beta1, beta2, eps, wd = h0, h1, h2, h3
    if wd != 0:
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
    bias_correction2, mu, mu_next = c0, c1, c2
    s1 = lerp(s1, g, 1 - beta1)
    s2 = s2 * beta2 + (1 - beta2) * g * g
    denom = math.sqrt(s2 / bias_correction2) + eps
    mu_product_next = mu_product * mu_next
    p = p + (-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
    p = p + ((-lr * mu_next) / (1.0 - mu_product_next)) * s1 / denom
    return p, s1, s2, s3


def _make_kernel(sid: int, kind: int, maximize: bool, variant: bool, decoupled: bool, noisy: bool):
    """The sweep loop with its surface, optimizer and switches fixed (numba folds them away)."""

    @_jit
    def kernel(hyper, coef, coef_of, tables, table_of, draws, noise, starts, steps, tol, bound,
               out_loss, out_point, out_status, out_taken):  # fmt: skip
        m, width, n_tables = starts.shape[0], tables.shape[1], tables.shape[0]
        tabled, n_coef = coef.shape[0] > 0, coef.shape[0]
        b = CHUNK
        x, y, gx, gy, loss = np.empty(b), np.empty(b), np.empty(b), np.empty(b), np.empty(b)
        ax, bx, cx, ay, by, cy = (np.empty(b), np.empty(b), np.empty(b), np.empty(b),
                                  np.empty(b), np.empty(b))  # fmt: skip
        h0, h1, h2, h3, h4 = np.empty(b), np.empty(b), np.empty(b), np.empty(b), np.empty(b)
        lr, c0, c1, c2 = np.empty(b), np.zeros(b), np.zeros(b), np.zeros(b)
        mu_product, nz = np.empty(b), np.empty(b)
        status, taken = np.empty(b, np.int8), np.empty(b, np.int64)
        uses_s2 = kind in (ADAM, NADAM) or (kind == RMSPROP and variant)
        uses_s3 = (kind == ADAM and variant) or kind == RMSPROP
        for start in range(0, m, b):
            n = min(b, m - start)
            live = 0
            for i in range(n):
                r = start + i
                xi, yi = starts[r, 0], starts[r, 1]
                li, g1, g2 = value_grad(sid, xi, yi)
                gn = math.sqrt(g1 * g1 + g2 * g2)
                x[i], y[i], loss[i], gx[i], gy[i] = xi, yi, li, g1, g2
                h0[i], h1[i], h2[i], h3[i], h4[i] = (hyper[0, r], hyper[1, r], hyper[2, r],
                                                     hyper[3, r], hyper[4, r])  # fmt: skip
                init = h2[i] if kind == ADAGRAD else 0.0
                ax[i], bx[i], cx[i], ay[i], by[i], cy[i] = init, 0.0, 0.0, init, 0.0, 0.0
                mu_product[i], nz[i], taken[i] = 1.0, noise[r], 0
                if not (math.isfinite(li) and math.isfinite(gn)):
                    status[i] = DIVERGED
                    loss[i], x[i], y[i] = math.nan, math.nan, math.nan
                elif gn <= tol:
                    status[i] = CONVERGED
                elif steps == 0:
                    status[i] = COMPLETED
                else:
                    status[i] = RUNNING
                    live += 1
            k = 0
            while live > 0 and k < steps:
                t = k + 1
                col = k if k < width else width - 1
                for i in range(n):
                    lr[i] = tables[0 if n_tables == 1 else table_of[start + i], col]
                if kind in (ADAM, NADAM):
                    for i in range(n):
                        if tabled:
                            u = 0 if n_coef == 1 else coef_of[start + i]
                            c0[i], c1[i], c2[i] = coef[u, t, 0], coef[u, t, 1], coef[u, t, 2]
                        else:
                            c0[i], c1[i], c2[i] = step_coefficients(kind, hyper[:, start + i], t)
                d0 = draws[k, 0] if noisy else 0.0
                d1 = draws[k, 1] if noisy else 0.0
                live = 0
                for i in range(n):  # the loop the compiler vectorises
                    g1, g2 = gx[i], gy[i]
                    if noisy:
                        g1 = g1 + d0 * nz[i]
                        g2 = g2 + d1 * nz[i]
                    mp = mu_product[i] * c1[i] if kind == NADAM else mu_product[i]
                    nx, nax, nbx, ncx = coordinate(
                        kind, maximize, variant, decoupled, h0[i], h1[i], h2[i], h3[i],
                        x[i], g1, ax[i], bx[i], cx[i], t, lr[i], c0[i], c1[i], c2[i], mp,
                    )  # fmt: skip
                    ny, nay, nby, ncy = coordinate(
                        kind, maximize, variant, decoupled, h0[i], h1[i], h2[i], h3[i],
                        y[i], g2, ay[i], by[i], cy[i], t, lr[i], c0[i], c1[i], c2[i], mp,
                    )  # fmt: skip
                    nl, ngx, ngy = value_grad(sid, nx, ny)
                    gn = math.sqrt(ngx * ngx + ngy * ngy)
                    ok = (abs(nx) <= bound) & (abs(ny) <= bound) & (abs(nl) < math.inf)
                    ok = ok & (gn < math.inf)
                    # Masked writes, only of the state this optimizer uses: every array written
                    # here costs the vectoriser a runtime overlap check.
                    was = status[i] == RUNNING
                    go = was & ok
                    x[i] = nx if go else x[i]
                    y[i] = ny if go else y[i]
                    gx[i] = ngx if go else gx[i]
                    gy[i] = ngy if go else gy[i]
                    ax[i] = nax if go else ax[i]
                    ay[i] = nay if go else ay[i]
                    if uses_s2:
                        bx[i] = nbx if go else bx[i]
                        by[i] = nby if go else by[i]
                    if uses_s3:
                        cx[i] = ncx if go else cx[i]
                        cy[i] = ncy if go else cy[i]
                    if kind == NADAM:
                        mu_product[i] = mp if go else mu_product[i]
                    taken[i] = t if go else taken[i]
                    done = go & (gn <= tol)
                    status[i] = CONVERGED if done else (DIVERGED if was & (not ok) else status[i])
                    live += go & (not done)
                k += 1
            for i in range(n):
                r = start + i
                if taken[i] > 0:  # the loss at the last good point (taken 0: at the start)
                    loss[i] = value_grad(sid, x[i], y[i])[0]
                out_loss[r], out_point[r, 0], out_point[r, 1] = loss[i], x[i], y[i]
                out_status[r] = COMPLETED if status[i] == RUNNING else status[i]
                out_taken[r] = taken[i]

    return kernel


@_jit
def evaluate(sid, xs, ys):
    """Loss and gradient of surface ``sid`` at many points: the compiled formulas, for tests."""
    out = np.empty((xs.shape[0], 3))
    for i in range(xs.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = value_grad(sid, xs[i], ys[i])
    return out
