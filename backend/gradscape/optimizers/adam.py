"""Adam and AdamW (torch.optim.Adam, torch.optim.AdamW).

    g <- g + weight_decay * p                      Adam: L2 penalty inside the gradient
    p <- p * (1 - lr * weight_decay)               AdamW: decoupled, outside the gradient
    m <- lerp(m, g, 1 - beta1)
    v <- beta2 * v + (1 - beta2) * g^2
    v_max <- max(v_max, v)                         if amsgrad
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

Kingma & Ba 2015, "Adam"; Reddi et al. 2018 (AMSGrad); Loshchilov & Hutter 2019 (AdamW).
"""

from typing import NamedTuple

from gradscape.elementwise import is_set, lerp, maximum, sqrt, zeros_like
from gradscape.optimizers.base import (
    MAXIMIZE,
    Hyper,
    HyperParam,
    Optimizer,
    eps_param,
    lr_param,
    weight_decay_param,
)


class AdamState(NamedTuple):
    exp_avg: object
    exp_avg_sq: object
    max_exp_avg_sq: object


def init(params, hyper: Hyper) -> AdamState:
    zeros = zeros_like(params)
    return AdamState(zeros, zeros, zeros)


def scale_by_adam(grad, state: AdamState, step: int, lr, hyper: Hyper):
    """The Adam direction times the learning rate, and the new moments."""
    beta1, beta2 = hyper["beta1"], hyper["beta2"]
    exp_avg = lerp(state.exp_avg, grad, 1 - beta1)
    exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1**step
    bias_correction2_sqrt = sqrt(1 - beta2**step)
    max_exp_avg_sq = state.max_exp_avg_sq
    if hyper["amsgrad"]:
        max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq)
        denom = sqrt(max_exp_avg_sq) / bias_correction2_sqrt + hyper["eps"]
    else:
        denom = sqrt(exp_avg_sq) / bias_correction2_sqrt + hyper["eps"]
    step_size = lr / bias_correction1
    return step_size * exp_avg / denom, AdamState(exp_avg, exp_avg_sq, max_exp_avg_sq)


def adam_update(params, grad, state: AdamState, step, lr, hyper: Hyper, problem=None):
    if hyper["maximize"]:
        grad = -grad
    if is_set(hyper["weight_decay"]):
        grad = grad + hyper["weight_decay"] * params  # coupled L2: the moments see it
    direction, state = scale_by_adam(grad, state, step, lr, hyper)
    return params - direction, state  # == torch's addcdiv(value=-step_size), bit for bit


def adamw_update(params, grad, state: AdamState, step, lr, hyper: Hyper, problem=None):
    if hyper["maximize"]:
        grad = -grad
    params = params * (1 - lr * hyper["weight_decay"])  # decoupled: the moments never see it
    direction, state = scale_by_adam(grad, state, step, lr, hyper)
    return params - direction, state  # == torch's addcdiv(value=-step_size), bit for bit


def adam_params(lr: float, weight_decay: float, decoupled: bool) -> tuple[HyperParam, ...]:
    return (
        lr_param(lr),
        HyperParam(
            "beta1",
            0.9,
            "Decay rate of the running mean of gradients (momentum).",
            min=0.0,
            max=1.0,
        ),
        HyperParam(
            "beta2",
            0.999,
            "Decay rate of the running mean of squared gradients.",
            min=0.0,
            max=1.0,
        ),
        eps_param(1e-8),
        weight_decay_param(weight_decay, decoupled),
        HyperParam(
            "amsgrad",
            False,
            "AMSGrad: divide by the largest second moment seen so far.",
            "bool",
        ),
        MAXIMIZE,
    )


def check_betas(hyper: Hyper) -> None:
    from gradscape.errors import InvalidValueError

    for name in ("beta1", "beta2"):
        if not 0.0 <= hyper[name] < 1.0:
            raise InvalidValueError(f"params.{name}", f"must be in [0, 1), got {hyper[name]:g}")


ADAM = Optimizer(
    id="adam",
    name="Adam",
    description="Momentum plus a per-coordinate step size from the running mean of squared "
    "gradients, with bias correction for the first steps.",
    params=adam_params(1e-3, 0.0, decoupled=False),
    init=init,
    update=adam_update,
    check=check_betas,
    reference="torch.optim.Adam",
)
ADAMW = Optimizer(
    id="adamw",
    name="AdamW",
    description="Adam with decoupled weight decay: the weights shrink directly, instead of an "
    "L2 term being rescaled by Adam's adaptive denominator.",
    params=adam_params(1e-3, 1e-2, decoupled=True),
    init=init,
    update=adamw_update,
    check=check_betas,
    reference="torch.optim.AdamW",
)
