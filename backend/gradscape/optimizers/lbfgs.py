"""L-BFGS with a strong-Wolfe line search (torch.optim.LBFGS, one iteration per step).

    s = p_k - p_{k-1},  y = g_k - g_{k-1}            kept (last history_size pairs) if y.s > 1e-10
    d = -H g      two-loop recursion, starting from H_0 = (y.s / y.y) I
    t0 = lr  (first iteration: lr * min(1, 1 / |g|_1))
    t  = strong-Wolfe line search along d from t0    (or t = t0 with line_search_fn "none")
    p <- p + t d

Nocedal 1980 and Liu & Nocedal 1989 (L-BFGS); Nocedal & Wright, Numerical Optimization,
alg. 7.4 (two-loop recursion) and 3.5/3.6 (line search, here ported from torch's
_strong_wolfe). One recorded step is torch's ``LBFGS.step()`` with ``max_iter=1``; the run
stops when the largest gradient entry falls to tolerance_grad or the direction no longer
descends by more than tolerance_change, as torch's does.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from gradscape.optimizers.base import Hyper, HyperParam, Optimizer, Problem, lr_param

Evaluate = Callable[[np.ndarray], tuple[float, np.ndarray]]  # point -> (loss, gradient)


class RunMemory(NamedTuple):
    """One run's curvature pairs and last step (torch's per-parameter state)."""

    n_iter: int = 0
    direction: np.ndarray | None = None  # d of the last iteration
    step: float = 0.0  # t of the last iteration
    dirs: tuple[np.ndarray, ...] = ()  # y pairs, oldest first (torch's old_dirs)
    stps: tuple[np.ndarray, ...] = ()  # s pairs (torch's old_stps)
    ro: tuple[float, ...] = ()  # 1 / (y.s)
    h_diag: float = 1.0
    prev_grad: np.ndarray | None = None


class LBFGSState(NamedTuple):
    memory: list[RunMemory]  # one per run
    halted: np.ndarray  # (runs,) True where torch's stopping rules fired this step


def init(params, hyper: Hyper) -> LBFGSState:
    return LBFGSState([RunMemory() for _ in range(len(params))], np.zeros(len(params), bool))


def two_loop(grad: np.ndarray, mem: RunMemory) -> np.ndarray:
    """-H grad, with H the L-BFGS inverse-Hessian estimate (Nocedal & Wright alg. 7.4)."""
    q = -grad
    al = [0.0] * len(mem.dirs)
    for i in range(len(mem.dirs) - 1, -1, -1):
        al[i] = float(mem.stps[i] @ q) * mem.ro[i]
        q = q - al[i] * mem.dirs[i]
    r = q * mem.h_diag
    for i in range(len(mem.dirs)):
        be_i = float(mem.dirs[i] @ r) * mem.ro[i]
        r = r + (al[i] - be_i) * mem.stps[i]
    return r


def remember(mem: RunMemory, grad: np.ndarray, history_size: int) -> RunMemory:
    """The memory with the newest (s, y) pair added, if it has positive curvature."""
    y = grad - mem.prev_grad
    s = mem.direction * mem.step
    ys = float(y @ s)
    if ys <= 1e-10:  # skipping keeps H positive definite, so d stays a descent direction
        return mem
    return mem._replace(
        dirs=(*mem.dirs, y)[-history_size:],
        stps=(*mem.stps, s)[-history_size:],
        ro=(*mem.ro, 1.0 / ys)[-history_size:],
        h_diag=ys / float(y @ y),
    )


def iterate(
    point: np.ndarray,
    loss: float,
    grad: np.ndarray,
    mem: RunMemory,
    lr: float,
    hyper: Hyper,
    evaluate: Evaluate,
) -> tuple[np.ndarray, RunMemory, bool]:
    """One L-BFGS iteration of one run: (new point, new memory, stopped)."""
    if np.abs(grad).max() <= hyper["tolerance_grad"]:
        return point, mem, True
    if mem.n_iter == 0:
        mem = RunMemory(n_iter=1)
        direction = -grad
        t = min(1.0, 1.0 / float(np.abs(grad).sum())) * lr
    else:
        mem = remember(mem, grad, hyper["history_size"])._replace(n_iter=mem.n_iter + 1)
        direction = two_loop(grad, mem)
        t = lr
    gtd = float(grad @ direction)
    if gtd > -hyper["tolerance_change"]:
        return point, mem, True
    if hyper["line_search_fn"] == "strong_wolfe":
        t = strong_wolfe(
            evaluate,
            point,
            t,
            direction,
            loss,
            grad,
            gtd,
            tolerance_change=hyper["tolerance_change"],
        )
    new_point = point + t * direction
    return new_point, mem._replace(direction=direction, step=t, prev_grad=grad.copy()), False


def update(params, grad, state: LBFGSState, step, lr, hyper: Hyper, problem: Problem):
    losses = problem.value(params)
    lrs = np.broadcast_to(np.asarray(lr, dtype=float).reshape(-1), (len(params),))

    def evaluate(point: np.ndarray) -> tuple[float, np.ndarray]:
        return float(problem.value(point[None])[0]), problem.grad(point[None])[0]

    new_params = np.empty_like(params)
    memory: list[RunMemory] = []
    halted = np.zeros(len(params), dtype=bool)
    for i in range(len(params)):  # each run's line search takes its own trial points
        new_params[i], mem, halted[i] = iterate(
            params[i],
            float(losses[i]),
            grad[i],
            state.memory[i],
            float(lrs[i]),
            hyper,
            evaluate,
        )
        memory.append(mem)
    return new_params, LBFGSState(memory, halted)


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to ``bounds``."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    if x1 == x2:
        return (lo + hi) / 2.0
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if not d2_square >= 0:
        return (lo + hi) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        denom = g2 - g1 + 2 * d2
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / denom) if denom else math.nan
    else:
        denom = g1 - g2 + 2 * d2
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / denom) if denom else math.nan
    if min_pos != min_pos:
        return (lo + hi) / 2.0
    return min(max(min_pos, lo), hi)


def strong_wolfe(
    evaluate: Evaluate,
    x: np.ndarray,
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> float:
    """A step t along d meeting the strong Wolfe conditions (torch's _strong_wolfe).

    Sufficient decrease f(x + t d) <= f + c1 t g.d and curvature |g(x + t d).d| <= c2 |g.d|:
    first bracket an acceptable step, growing t by cubic extrapolation, then zoom in.
    """
    d_norm = float(np.abs(d).max())
    f_new, g_new = evaluate(x + t * d)
    gtd_new = float(g_new @ d)
    t_prev, f_prev, gtd_prev = 0.0, f, gtd
    done = False
    ls_iter = 0
    bracket: list[float] = []
    bracket_f: list[float] = []
    bracket_gtd: list[float] = []
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_gtd = [t_prev, t], [f_prev, f_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_gtd = [t], [f_new], [gtd_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_gtd = [t_prev, t], [f_prev, f_new], [gtd_prev, gtd_new]
            break
        # extrapolate: the minimum lies beyond t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        t_next = cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, gtd_prev, t = t, f_new, gtd_new, t_next
        f_new, g_new = evaluate(x + t * d)
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_gtd = [0.0, t], [f, f_new], [gtd, gtd_new]

    # zoom: shrink the bracket until a point satisfies the strong Wolfe conditions
    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # keep t away from the bracket's ends, or the bracket barely shrinks
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = evaluate(x + t * d)
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_gtd[high] = t, f_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_gtd[high] = bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_gtd[low] = t, f_new, gtd_new
    return bracket[low]


LBFGS = Optimizer(
    id="lbfgs",
    name="L-BFGS",
    description="Builds a picture of the curvature from the last few steps and gradients, "
    "then searches along its quasi-Newton direction for a step that decreases the loss "
    "enough: a handful of iterations where gradient descent needs thousands.",
    params=(
        lr_param(1.0),
        HyperParam(
            "history_size",
            100,
            "How many recent (step, gradient change) pairs the curvature estimate remembers.",
            "int",
            min=1,
            max=1000,
        ),
        HyperParam(
            "line_search_fn",
            "strong_wolfe",
            "strong_wolfe: search along the direction for a step meeting the strong "
            "Wolfe conditions; none: take lr times the direction.",
            "choice",
            choices=("strong_wolfe", "none"),
        ),
        HyperParam(
            "tolerance_grad",
            1e-7,
            "Stop once every gradient entry is this small.",
            min=0.0,
            max=1.0,
            log=True,
        ),
        HyperParam(
            "tolerance_change",
            1e-12,
            "Stop once the direction descends by less than this (torch's default, 1e-9, "
            "stops Rosenbrock 3e-6 short of its minimum).",
            min=0.0,
            max=1.0,
            log=True,
        ),
    ),
    init=init,
    update=update,
    elementwise=False,
    reference="torch.optim.LBFGS(max_iter=1, line_search_fn='strong_wolfe')",
    halt_status="converged",
    halt_reason="L-BFGS's own stopping rule fired: every gradient entry is within "
    "tolerance_grad, or the search direction descends by less than tolerance_change",
)
