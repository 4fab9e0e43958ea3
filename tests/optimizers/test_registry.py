"""Every registered optimizer: metadata, torch's defaults, validation, and both engine paths."""

import math

import numpy as np
import pytest

from gradscape.engine import build_spec, run_batch
from gradscape.errors import InvalidValueError
from gradscape.optimizers import OPTIMIZERS, HyperParam, Optimizer

# torch.optim's documented defaults (torch 2.13), written out as the independent reference.
# Gradscape's presets set what torch leaves to the caller; those entries say so.
TORCH_DEFAULTS: dict[str, dict[str, object]] = {
    "sgd": {
        "lr": 1e-3,
        "momentum": 0.0,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
        "maximize": False,
    },
    "momentum": {
        "lr": 1e-3,
        "momentum": 0.9,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
        "maximize": False,
    },  # preset: momentum=0.9
    "nesterov": {
        "lr": 1e-3,
        "momentum": 0.9,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": True,
        "maximize": False,
    },  # preset: momentum=0.9, nesterov
    "adagrad": {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
        "maximize": False,
    },
    "rmsprop": {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
        "maximize": False,
    },
    "adam": {
        "lr": 1e-3,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
        "maximize": False,
    },
    "adamw": {
        "lr": 1e-3,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
        "maximize": False,
    },
    "nadam": {
        "lr": 2e-3,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 4e-3,
        "decoupled_weight_decay": False,
        "maximize": False,
    },
    # torch's line_search_fn defaults to None (fixed steps of lr); Gradscape searches, since
    # L-BFGS without a line search is not the method the UI means to show. torch's
    # tolerance_change is 1e-9, which halts Rosenbrock 2.7e-6 short of (1, 1); ours is 1e-12.
    "lbfgs": {
        "lr": 1.0,
        "history_size": 100,
        "line_search_fn": "strong_wolfe",
        "tolerance_grad": 1e-7,
        "tolerance_change": 1e-12,
    },
    # not in torch.optim: plain Newton
    "newton": {"lr": 1.0, "damping": 0.0},
}

OPTS = list(OPTIMIZERS.values())
IDS = list(OPTIMIZERS)


def all_params() -> list[tuple[Optimizer, HyperParam]]:
    return [(opt, p) for opt in OPTS for p in opt.params]


def param_id(pair) -> str:
    return f"{pair[0].id}.{pair[1].name}" if isinstance(pair, tuple) else str(pair)


def test_the_reference_table_covers_the_registry():
    assert set(TORCH_DEFAULTS) == set(OPTIMIZERS)


@pytest.mark.parametrize("opt", OPTS, ids=IDS)
def test_metadata_and_defaults(opt: Optimizer):
    assert opt.name and opt.description and opt.reference
    assert opt.params[0].name == "lr"
    assert len({p.name for p in opt.params}) == len(opt.params)
    for p in opt.params:
        assert p.help, p.name
        assert p.type in ("float", "int", "bool", "choice")
        if p.type in ("float", "int"):
            assert p.min is not None and p.max is not None and p.min < p.max
            assert p.min <= p.default <= p.max, p.name
            if p.min_exclusive:
                assert p.default > p.min
        if p.type == "choice":
            assert p.default in p.choices
        if p.type == "bool":
            assert isinstance(p.default, bool)
    assert opt.defaults == TORCH_DEFAULTS[opt.id]
    assert opt.resolve({}) == TORCH_DEFAULTS[opt.id]


@pytest.mark.parametrize("opt", OPTS, ids=IDS)
def test_unknown_hyperparameter_is_refused_by_name(opt: Optimizer):
    with pytest.raises(InvalidValueError) as err:
        opt.resolve({"lrr": 0.1})
    assert err.value.field == "params.lrr"
    assert "lr" in err.value.message  # lists the valid names


def bad_values(p: HyperParam) -> list[object]:
    if p.type == "bool":
        return [1, "yes", None]
    if p.type == "choice":
        return ["nope", None, 1]
    values: list[object] = [math.nan, math.inf, -math.inf, "0.1", None, True]
    values += [p.min - 1.0, p.max * 2 + 1.0]
    if p.type == "int":
        values.append(p.default + 0.5)
    return values


@pytest.mark.parametrize("pair", all_params(), ids=param_id)
def test_bad_values_name_the_field(pair):
    opt, p = pair
    for value in bad_values(p):
        with pytest.raises(InvalidValueError) as err:
            opt.resolve({p.name: value})
        assert err.value.field == f"params.{p.name}", value


@pytest.mark.parametrize("pair", all_params(), ids=param_id)
def test_edge_values_are_accepted(pair):
    opt, p = pair
    if p.type not in ("float", "int") or opt.check is not None:
        return  # cross-parameter rules (nesterov, betas < 1) are tested below
    for value in (p.min + (1 if p.min_exclusive else 0), p.max):
        assert opt.resolve({p.name: value})[p.name] == value


def test_cross_parameter_rules_name_the_field():
    with pytest.raises(InvalidValueError) as err:
        OPTIMIZERS["nesterov"].resolve({"dampening": 0.5})
    assert err.value.field == "params.nesterov"
    with pytest.raises(InvalidValueError) as err:
        OPTIMIZERS["nesterov"].resolve({"momentum": 0.0})
    assert err.value.field == "params.nesterov"
    for opt_id in ("adam", "adamw", "nadam"):
        with pytest.raises(InvalidValueError) as err:
            OPTIMIZERS[opt_id].resolve({"beta2": 1.0})
        assert err.value.field == "params.beta2"


ELEMENTWISE = [opt for opt in OPTS if opt.elementwise]


def test_second_order_rules_are_vector_only():
    assert {opt.id for opt in OPTS if not opt.elementwise} == {"newton", "lbfgs"}


@pytest.mark.parametrize("opt", ELEMENTWISE, ids=[o.id for o in ELEMENTWISE])
@pytest.mark.parametrize(
    ("surface", "options"),
    [("rosenbrock", {}), ("ravine", {"weight_decay": 0.05, "maximize": True})],
)
def test_scalar_and_vector_paths_agree_bit_for_bit(opt: Optimizer, surface: str, options):
    params = {"lr": 1e-3, **{k: v for k, v in options.items() if k in opt.defaults}}
    spec = build_spec(
        surface,
        opt.id,
        params=params,
        start=(-1.2, 1.0),
        steps=60,
        tol=0.0,
        schedule={"name": "cosine", "warmup_steps": 5},
    )
    scalar = run_batch([spec], scalar=True)[0]
    vector = run_batch([spec], scalar=False)[0]
    assert scalar.status == vector.status == "completed"
    assert len(scalar.points) == 61
    np.testing.assert_array_equal(scalar.points, vector.points)
    np.testing.assert_array_equal(scalar.lr, vector.lr)
    assert not np.array_equal(scalar.points[0], scalar.points[-1])
