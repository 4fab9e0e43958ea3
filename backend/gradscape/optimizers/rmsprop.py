"""RMSProp (torch.optim.RMSprop).

    g <- g + weight_decay * p
    v <- alpha * v + (1 - alpha) * g^2
    a <- lerp(a, g, 1 - alpha);  d <- sqrt(v - a^2) + eps    if centered
    d <- sqrt(v) + eps                                        otherwise
    b <- momentum * b + g / d;   p <- p - lr * b              if momentum > 0
    p <- p - lr * g / d                                       otherwise

Hinton, Coursera lecture 6e (2012); Graves 2013 (the centered variant).
"""

from typing import NamedTuple

import numpy as np

from gradscape.elementwise import is_set, lerp, sqrt, zeros_like
from gradscape.optimizers.base import (
    MAXIMIZE,
    Hyper,
    HyperParam,
    Optimizer,
    eps_param,
    lr_param,
    weight_decay_param,
)


class RMSpropState(NamedTuple):
    square_avg: object
    grad_avg: object
    momentum_buffer: object


def init(params, hyper: Hyper) -> RMSpropState:
    zeros = zeros_like(params)
    return RMSpropState(zeros, zeros, zeros)


def update(params, grad, state: RMSpropState, step, lr, hyper: Hyper, problem=None):
    if hyper["maximize"]:
        grad = -grad
    if is_set(hyper["weight_decay"]):
        grad = grad + hyper["weight_decay"] * params
    alpha = hyper["alpha"]
    square_avg = state.square_avg * alpha + (1 - alpha) * grad * grad
    grad_avg = state.grad_avg
    if hyper["centered"]:
        grad_avg = lerp(grad_avg, grad, 1 - alpha)
        avg = sqrt(square_avg + -1 * grad_avg * grad_avg) + hyper["eps"]
    else:
        avg = sqrt(square_avg) + hyper["eps"]
    buf = state.momentum_buffer
    momentum = hyper["momentum"]
    if is_set(momentum):
        buf = buf * momentum + grad / avg
        stepped = params + (-lr) * buf
        if isinstance(momentum, np.ndarray):  # a sweep: runs at momentum 0 take torch's branch
            stepped = np.where(momentum > 0, stepped, params + (-lr) * grad / avg)
        params = stepped
    else:
        params = params + (-lr) * grad / avg
    return params, RMSpropState(square_avg, grad_avg, buf)


RMSPROP = Optimizer(
    id="rmsprop",
    name="RMSProp",
    description="Divides each step by a running root-mean-square of recent gradients, which "
    "forgets the distant past, so the step size does not decay to nothing as in Adagrad.",
    params=(
        lr_param(1e-2),
        HyperParam(
            "alpha",
            0.99,
            "Smoothing constant of the running mean of squared gradients.",
            min=0.0,
            max=1.0,
        ),
        eps_param(1e-8),
        weight_decay_param(),
        HyperParam(
            "momentum", 0.0, "Momentum factor applied to the scaled step.", min=0.0, max=1.0
        ),
        HyperParam(
            "centered",
            False,
            "Centered: divide by the gradient's estimated standard deviation.",
            "bool",
        ),
        MAXIMIZE,
    ),
    init=init,
    update=update,
    reference="torch.optim.RMSprop",
)
