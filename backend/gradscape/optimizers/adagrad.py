"""Adagrad (torch.optim.Adagrad).

    g <- g + weight_decay * p
    clr <- lr / (1 + (t - 1) * lr_decay)
    s <- s + g^2
    p <- p - clr * g / (sqrt(s) + eps)

Duchi, Hazan & Singer 2011. The sum s only grows, so the effective step only shrinks:
on a long valley Adagrad slows to a stall that RMSProp and Adam avoid.
"""

from typing import NamedTuple

from gradscape.elementwise import full_like, is_set, sqrt
from gradscape.optimizers.base import (
    MAXIMIZE,
    Hyper,
    HyperParam,
    Optimizer,
    eps_param,
    lr_param,
    weight_decay_param,
)


class AdagradState(NamedTuple):
    sum: object


def init(params, hyper: Hyper) -> AdagradState:
    return AdagradState(full_like(params, hyper["initial_accumulator_value"]))


def update(params, grad, state: AdagradState, step, lr, hyper: Hyper, problem=None):
    if hyper["maximize"]:
        grad = -grad
    if is_set(hyper["weight_decay"]):
        grad = grad + hyper["weight_decay"] * params
    clr = lr / (1 + (step - 1) * hyper["lr_decay"])
    total = state.sum + 1 * grad * grad
    std = sqrt(total) + hyper["eps"]
    return params + (-clr) * grad / std, AdagradState(total)


ADAGRAD = Optimizer(
    id="adagrad",
    name="Adagrad",
    description="Divides each coordinate's step by the root of its summed squared gradients: "
    "steep directions slow down, and every step shrinks over time.",
    params=(
        lr_param(1e-2),
        HyperParam(
            "lr_decay", 0.0, "Learning-rate decay: lr / (1 + (t - 1) * lr_decay).", min=0.0, max=1.0
        ),
        weight_decay_param(),
        HyperParam(
            "initial_accumulator_value",
            0.0,
            "Starting value of the sum of squared gradients.",
            min=0.0,
            max=1e3,
        ),
        eps_param(1e-10),
        MAXIMIZE,
    ),
    init=init,
    update=update,
    reference="torch.optim.Adagrad",
)
