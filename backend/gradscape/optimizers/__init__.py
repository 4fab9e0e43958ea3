"""The optimizer registry: one line per optimizer. The API and the UI read it."""

from gradscape.errors import UnknownIdError
from gradscape.optimizers.adagrad import ADAGRAD
from gradscape.optimizers.adam import ADAM, ADAMW
from gradscape.optimizers.base import HyperParam, Optimizer
from gradscape.optimizers.lbfgs import LBFGS
from gradscape.optimizers.nadam import NADAM
from gradscape.optimizers.newton import NEWTON
from gradscape.optimizers.rmsprop import RMSPROP
from gradscape.optimizers.sgd import MOMENTUM, NESTEROV, SGD

OPTIMIZERS: dict[str, Optimizer] = {
    opt.id: opt
    for opt in (
        SGD,
        MOMENTUM,
        NESTEROV,
        ADAGRAD,
        RMSPROP,
        ADAM,
        ADAMW,
        NADAM,
        NEWTON,
        LBFGS,
    )
}


def get_optimizer(optimizer_id: str) -> Optimizer:
    try:
        return OPTIMIZERS[optimizer_id]
    except (KeyError, TypeError):  # TypeError: an unhashable id
        raise UnknownIdError("optimizer", optimizer_id, list(OPTIMIZERS)) from None


__all__ = ["OPTIMIZERS", "HyperParam", "Optimizer", "get_optimizer"]
