"""Learning-rate schedules against torch.optim.lr_scheduler and textbook formulas."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from gradscape.errors import InvalidValueError, UnknownIdError
from gradscape.schedules import SCHEDULES, make_schedule

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "torch_optim.json").read_text())


@pytest.mark.parametrize("case", FIXTURE["schedules"], ids=lambda c: c["torch"])
def test_matches_torch_lr_scheduler(case: dict):
    """torch's lr before each optimizer step k, k = 0 .. total_steps - 1."""
    schedule = make_schedule(case["schedule"], case["lr"], case["total_steps"])
    np.testing.assert_allclose(
        schedule(np.arange(case["total_steps"])), case["lrs"], rtol=1e-12, atol=1e-15
    )


def test_fixture_has_the_three_torch_schedulers():
    names = " ".join(c["torch"] for c in FIXTURE["schedules"])
    for torch_name in ("StepLR", "ExponentialLR", "CosineAnnealingLR"):
        assert torch_name in names


LR, TOTAL = 0.3, 50
K = np.arange(TOTAL)


def textbook(name: str, k: int, **o) -> float:
    """The formulas as one would write them on a whiteboard, one step at a time."""
    if name == "constant":
        return LR
    if name == "step":
        return LR * o["gamma"] ** math.floor(k / o["step_size"])
    if name == "exponential":
        return LR * o["gamma"] ** k
    if name == "linear":
        return LR + (o["min_lr"] - LR) * k / (TOTAL - 1)
    if name == "cosine":
        return o["min_lr"] + (LR - o["min_lr"]) * 0.5 * (1 + math.cos(math.pi * k / (TOTAL - 1)))
    raise ValueError(name)


CASES = [
    ("constant", {}),
    ("step", {"step_size": 7, "gamma": 0.5}),
    ("exponential", {"gamma": 0.9}),
    ("linear", {"min_lr": 0.01}),
    ("cosine", {"min_lr": 0.01}),
    ("cosine", {"min_lr": 0.0}),
]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_matches_the_textbook_formula(name: str, options: dict):
    schedule = make_schedule({"name": name, **options}, LR, TOTAL)
    expected = [textbook(name, k, **options) for k in K]
    np.testing.assert_allclose(schedule(K), expected, rtol=1e-12, atol=1e-15)
    # a single int step gives the same value as the array
    assert float(schedule(7)) == pytest.approx(expected[7], rel=1e-12)


def test_decays_start_at_lr_and_end_at_min_lr():
    for name in ("linear", "cosine"):
        lrs = make_schedule({"name": name, "min_lr": 0.02}, LR, TOTAL)(K)
        assert lrs[0] == pytest.approx(LR) and lrs[-1] == pytest.approx(0.02)
        assert np.all(np.diff(lrs) <= 0)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_warmup_ramps_linearly_then_runs_the_schedule_over_the_rest(name: str):
    warmup = 10
    options = {"warmup_steps": warmup}
    if name == "step":
        options |= {"step_size": 5, "gamma": 0.5}
    plain = make_schedule(
        {"name": name, **{k: v for k, v in options.items() if k != "warmup_steps"}},
        LR,
        TOTAL - warmup,
    )
    lrs = make_schedule({"name": name, **options}, LR, TOTAL)(K)
    # k = 0 .. 9: lr / 10, 2 lr / 10, ..., lr
    np.testing.assert_allclose(lrs[:warmup], LR * np.arange(1, warmup + 1) / warmup, rtol=1e-15)
    # then the schedule from its own step 0, over the steps that remain
    np.testing.assert_allclose(lrs[warmup:], plain(np.arange(TOTAL - warmup)), rtol=1e-15)
    assert lrs[warmup] == pytest.approx(LR)


def test_warmup_with_cosine_is_the_transformer_recipe():
    lrs = make_schedule({"name": "cosine", "warmup_steps": 5, "min_lr": 0.0}, 1.0, 25)(
        np.arange(25)
    )
    assert lrs.argmax() in (4, 5) and lrs.max() == pytest.approx(1.0)
    assert lrs[0] == pytest.approx(0.2) and lrs[-1] == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"name": "cosine", "min_lr": 0.5}, "schedule.min_lr"),  # above lr
        ({"name": "cosine", "min_lr": -0.1}, "schedule.min_lr"),
        ({"name": "step", "step_size": 0}, "schedule.step_size"),
        ({"name": "step", "step_size": 2.5}, "schedule.step_size"),
        ({"name": "step", "gamma": 1.5}, "schedule.gamma"),
        ({"name": "exponential", "gamma": math.nan}, "schedule.gamma"),
        ({"name": "exponential", "gamma": "0.9"}, "schedule.gamma"),
        ({"name": "constant", "warmup_steps": -1}, "schedule.warmup_steps"),
        ({"name": "linear", "warmup_steps": math.inf}, "schedule.warmup_steps"),
        ({"name": "constant", "gamma": 0.5}, "schedule.gamma"),  # not an option of constant
    ],
)
def test_bad_options_name_the_field(spec: dict, field: str):
    with pytest.raises(InvalidValueError) as err:
        make_schedule(spec, LR, TOTAL)
    assert err.value.field == field


def test_unknown_schedule_names_the_field_and_the_choices():
    with pytest.raises(UnknownIdError) as err:
        make_schedule({"name": "cosine_restarts"}, LR, TOTAL)
    assert err.value.field == "schedule.name"
    assert set(err.value.valid) == set(SCHEDULES)


def test_no_schedule_means_constant():
    np.testing.assert_array_equal(make_schedule(None, LR, TOTAL)(K), np.full(TOTAL, LR))
