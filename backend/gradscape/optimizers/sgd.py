"""Stochastic gradient descent with optional momentum and Nesterov momentum (torch.optim.SGD).

    g <- g + weight_decay * p
    b <- g                                  on the first step
    b <- momentum * b + (1 - dampening) * g  afterwards
    g <- g + momentum * b   (Nesterov)   or   g <- b   (heavy ball)
    p <- p - lr * g

Polyak 1964 (heavy ball); Sutskever et al. 2013 (Nesterov momentum in deep learning).
"""

from typing import NamedTuple

from gradscape.elementwise import is_set, per_run
from gradscape.optimizers.base import (
    MAXIMIZE,
    Hyper,
    HyperParam,
    Optimizer,
    lr_param,
    weight_decay_param,
)


class SGDState(NamedTuple):
    momentum_buffer: object  # None until the first step, like torch


def init(params, hyper: Hyper) -> SGDState:
    return SGDState(None)


def update(params, grad, state: SGDState, step, lr, hyper: Hyper, problem=None):
    if hyper["maximize"]:
        grad = -grad
    if is_set(hyper["weight_decay"]):
        grad = grad + hyper["weight_decay"] * params
    buf = state.momentum_buffer
    momentum = hyper["momentum"]
    if is_set(momentum):
        if buf is None:
            buf = grad
        else:
            buf = buf * momentum + (1 - hyper["dampening"]) * grad
        stepped = grad + momentum * buf if hyper["nesterov"] else buf
        grad = per_run(momentum != 0, stepped, grad)  # in a sweep, momentum 0 steps on grad
    return params + (-lr) * grad, SGDState(buf)


def _params(momentum: float, nesterov: bool) -> tuple[HyperParam, ...]:
    return (
        lr_param(1e-3),
        HyperParam(
            "momentum",
            momentum,
            "Momentum factor: how much of the last step carries over.",
            min=0.0,
            max=1.0,
        ),
        HyperParam(
            "dampening",
            0.0,
            "Scales down the new gradient's share of the momentum buffer.",
            min=0.0,
            max=1.0,
        ),
        weight_decay_param(),
        HyperParam("nesterov", nesterov, "Look ahead: Nesterov momentum.", "bool"),
        MAXIMIZE,
    )


def _check(hyper: Hyper) -> None:
    from gradscape.errors import InvalidValueError

    if hyper["nesterov"] and (hyper["momentum"] <= 0 or hyper["dampening"] != 0):
        raise InvalidValueError(
            "params.nesterov", "Nesterov momentum requires a momentum and zero dampening"
        )


SGD = Optimizer(
    id="sgd",
    name="SGD",
    description="Plain gradient descent: step against the gradient, scaled by the learning rate.",
    params=_params(0.0, False),
    init=init,
    update=update,
    check=_check,
    reference="torch.optim.SGD",
)
MOMENTUM = Optimizer(
    id="momentum",
    name="SGD + momentum",
    description="Heavy ball: a running sum of gradients builds speed along consistent "
    "directions and cancels zig-zags across a ravine.",
    params=_params(0.9, False),
    init=init,
    update=update,
    check=_check,
    reference="torch.optim.SGD(momentum=0.9)",
)
NESTEROV = Optimizer(
    id="nesterov",
    name="Nesterov",
    description="Momentum that corrects with the gradient seen after the momentum step, "
    "so it brakes earlier than the heavy ball.",
    params=_params(0.9, True),
    init=init,
    update=update,
    check=_check,
    reference="torch.optim.SGD(momentum=0.9, nesterov=True)",
)
