"""NAdam: Adam with Nesterov momentum (torch.optim.NAdam).

    g <- g + weight_decay * p          (or p <- p * (1 - lr * weight_decay) if decoupled)
    mu_t <- beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)),  mu_prod <- mu_prod * mu_t
    m <- lerp(m, g, 1 - beta1);  v <- beta2 * v + (1 - beta2) * g^2
    d <- sqrt(v / (1 - beta2^t)) + eps
    p <- p - lr * (1 - mu_t) / (1 - mu_prod) * g / d
           - lr * mu_{t+1} / (1 - mu_prod * mu_{t+1}) * m / d

Dozat 2016, "Incorporating Nesterov Momentum into Adam".
"""

from typing import NamedTuple

from gradscape.elementwise import is_set, lerp, sqrt, zeros_like
from gradscape.optimizers.adam import adam_params, check_betas
from gradscape.optimizers.base import Hyper, HyperParam, Optimizer


class NAdamState(NamedTuple):
    exp_avg: object
    exp_avg_sq: object
    mu_product: float


def init(params, hyper: Hyper) -> NAdamState:
    zeros = zeros_like(params)
    return NAdamState(zeros, zeros, 1.0)


def update(params, grad, state: NAdamState, step, lr, hyper: Hyper, problem=None):
    if hyper["maximize"]:
        grad = -grad
    beta1, beta2 = hyper["beta1"], hyper["beta2"]
    if is_set(hyper["weight_decay"]):
        if hyper["decoupled_weight_decay"]:
            params = params * (1 - lr * hyper["weight_decay"])
        else:
            grad = grad + hyper["weight_decay"] * params
    bias_correction2 = 1 - beta2**step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * hyper["momentum_decay"])))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * hyper["momentum_decay"])))
    mu_product = state.mu_product * mu
    exp_avg = lerp(state.exp_avg, grad, 1 - beta1)
    exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
    denom = sqrt(exp_avg_sq / bias_correction2) + hyper["eps"]
    mu_product_next = mu_product * mu_next
    params = params + (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
    params = params + ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom
    return params, NAdamState(exp_avg, exp_avg_sq, mu_product)


NADAM = Optimizer(
    id="nadam",
    name="NAdam",
    description="Adam whose momentum looks one step ahead, as Nesterov momentum does for SGD.",
    params=(
        *adam_params(2e-3, 0.0, decoupled=False)[:5],
        HyperParam(
            "momentum_decay",
            4e-3,
            "How fast the momentum schedule mu_t warms up.",
            min=0.0,
            max=1.0,
        ),
        HyperParam(
            "decoupled_weight_decay",
            False,
            "Apply weight decay to the weights directly, as AdamW does.",
            "bool",
        ),
        adam_params(2e-3, 0.0, decoupled=False)[6],
    ),
    init=init,
    update=update,
    check=check_betas,
    reference="torch.optim.NAdam",
)
