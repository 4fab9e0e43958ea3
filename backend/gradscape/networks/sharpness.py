"""Sharpness: the largest eigenvalue of the training loss's Hessian, by power iteration, and
the stability threshold it is compared with.

Each iteration is one exact Hessian-vector product (``MLP.hvp``, the R-operator), never the
P x P Hessian. Gradient descent with step size lr is unstable along a direction whose
curvature exceeds 2 / lr; Cohen et al. 2021 ("Gradient descent on neural networks typically
occurs at the edge of stability") show full-batch GD drives sharpness up to that bound.
Heavy-ball momentum beta moves the bound to (2 + 2 beta) / lr. Adaptive methods step along
P^-1 g, so what they keep below their bound is the *preconditioned* sharpness
lambda_max(P^-1 H); for Adam that bound is (2 + 2 beta1) / ((1 - beta1) lr), 38 / lr at
beta1 = 0.9 (Cohen et al. 2022, "Adaptive gradient methods at the edge of stability").
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Array = np.ndarray
Hvp = Callable[[Array, Array], Array]  # (v of the runs ``rows``, rows) -> H v


@dataclass(frozen=True)
class Stability:
    """What the sharpness of a run means: which matrix, and the bound ``coefficient / lr``."""

    kind: Literal["hessian", "preconditioned"]
    coefficient: float | None  # None: no simple bound applies
    label: str
    note: str
    weight_decay: float = 0.0  # L2 in the gradient adds wd * I to the Hessian the rule sees

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "coefficient": self.coefficient,
            "label": self.label,
            "note": self.note,
        }


def _g(value: float) -> str:
    return f"{value:.4g}"


def stability_rule(optimizer_id: str, hyper: Mapping[str, Any]) -> Stability:
    """The sharpness a run's update rule is stable under, and the bound on it."""
    wd = float(hyper.get("weight_decay", 0.0))
    if optimizer_id in ("sgd", "momentum", "nesterov"):
        beta, damp = float(hyper["momentum"]), float(hyper["dampening"])
        if beta == 0:
            return Stability(
                "hessian", 2.0, "2/lr", "Gradient descent is stable while sharpness < 2/lr.", wd
            )
        if hyper["nesterov"]:
            c = (2 + 2 * beta) / (1 + 2 * beta)
            return Stability(
                "hessian",
                c,
                f"{_g(c)}/lr",
                f"Nesterov momentum {_g(beta)}: stable while sharpness < (2 + 2β)/((1 + 2β) lr).",
                wd,
            )
        c = (2 + 2 * beta) / (1 - damp)
        return Stability(
            "hessian",
            c,
            f"{_g(c)}/lr",
            f"Heavy-ball momentum {_g(beta)}: "
            "stable while sharpness < (2 + 2β)/((1 − dampening) lr).",
            wd,
        )
    if optimizer_id in ("adam", "adamw"):
        b1 = float(hyper["beta1"])
        c = (2 + 2 * b1) / (1 - b1)
        coupled = wd if optimizer_id == "adam" else 0.0
        return Stability(
            "preconditioned",
            c,
            f"{_g(c)}/lr",
            "Adam: 2/lr does not apply. "
            "Shown is the preconditioned sharpness λmax(P⁻¹H) against its own "
            "bound (2 + 2β₁)/((1 − β₁) lr) (Cohen et al. 2022).",
            coupled,
        )
    if optimizer_id == "rmsprop":
        beta = float(hyper["momentum"])
        c = 2 + 2 * beta
        return Stability(
            "preconditioned",
            c,
            f"{_g(c)}/lr",
            "RMSProp: shown is the "
            "preconditioned sharpness λmax(P⁻¹H), stable below "
            "(2 + 2·momentum)/lr.",
            wd,
        )
    if optimizer_id == "adagrad":
        return Stability(
            "preconditioned",
            2.0,
            "2/lr",
            "Adagrad: shown is the preconditioned "
            "sharpness λmax(P⁻¹H), stable below 2/lr (lr after its decay).",
            wd,
        )
    return Stability(
        "hessian",
        None,
        "",
        f"{optimizer_id}: its momentum schedule has no "
        "simple stability bound; 2/lr does not apply. Shown is the Hessian's "
        "sharpness.",
        0.0,
    )


def preconditioner(
    optimizer_id: str, hyper: Mapping[str, Any], state: Any, step: int
) -> Array | None:
    """The diagonal P (runs, P) with which the rule's next step is lr P^-1 (momentum of g),
    from its state after ``step`` steps; None for rules without one."""
    if step < 1:
        return None
    if optimizer_id in ("adam", "adamw"):
        b1, b2 = hyper["beta1"], hyper["beta2"]
        v = state.max_exp_avg_sq if hyper["amsgrad"] else state.exp_avg_sq
        return (1 - b1**step) * (np.sqrt(v / (1 - b2**step)) + hyper["eps"])
    if optimizer_id == "rmsprop":
        v = state.square_avg
        if hyper["centered"]:
            v = v - state.grad_avg * state.grad_avg
        return np.sqrt(v) + hyper["eps"]
    if optimizer_id == "adagrad":
        return (np.sqrt(state.sum) + hyper["eps"]) * (1 + step * hyper["lr_decay"])
    return None


def _power_iteration(
    hvp: Hvp, v: Array, shift: Array, iters: int, rtol: float
) -> tuple[Array, Array]:
    """Dominant eigenvalue (runs,) of H - shift I and its unit eigenvector (runs, P).

    Each run stops on its own (converged, or its product stopped being finite) and is left
    out of later products, so a run's answer does not depend on which others share the
    batch, and a batch costs what its slowest run needs, not more.
    """
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    value = np.zeros(len(v))
    rows = np.arange(len(v))  # the runs still iterating
    for _ in range(iters):
        hv = hvp(v[rows], rows) - shift[rows, None] * v[rows]
        new = np.einsum("ij,ij->i", v[rows], hv)  # Rayleigh quotient
        norm = np.linalg.norm(hv, axis=1)
        ok = np.isfinite(norm) & (norm != 0)
        converged = np.abs(new - value[rows]) <= rtol * np.abs(new)
        v[rows[ok]] = hv[ok] / norm[ok, None]
        value[rows] = new
        rows = rows[ok & ~converged]
        if not len(rows):
            break
    return value, v


def top_eigenvalue(hvp: Hvp, v0: Array, iters: int = 20, rtol: float = 1e-4) -> tuple[Array, Array]:
    """The largest (most positive) Hessian eigenvalue per run, and its eigenvector.

    ``hvp(v, rows)`` gives H v for the runs ``rows`` (v is (len(rows), P)). Power iteration
    finds the eigenvalue of largest magnitude. Where that one is negative, a second pass on
    H - lambda I (all of whose eigenvalues are then >= 0) finds the top one. Warm-start
    ``v0`` from the previous eigenvector to converge in a few iterations.
    """
    value, v = _power_iteration(hvp, v0.copy(), np.zeros(len(v0)), iters, rtol)
    negative = np.flatnonzero(value < 0)
    if len(negative):

        def shifted_hvp(u: Array, rows: Array) -> Array:  # only the runs that need it
            return hvp(u, negative[rows])

        shifted, v_shifted = _power_iteration(
            shifted_hvp, v0[negative].copy(), value[negative], iters, rtol
        )
        value[negative] = shifted + value[negative]
        v[negative] = v_shifted
    return value, v
