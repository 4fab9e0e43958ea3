"""The whole network's loss, gradient and Hessian-vector product against torch autograd.

The numbers come from tests/fixtures/record_torch_network.py (run once with torch
installed); this test needs only the JSON.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from gradscape.networks.layers import ACTIVATIONS, LOSSES
from gradscape.networks.mlp import MLP

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "torch_network.json"
CASES = json.loads(FIXTURE.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_torch_autograd(case):
    mlp = MLP(tuple(case["sizes"]), ACTIVATIONS[case["activation"]], LOSSES[case["loss"]])
    params = np.array(case["params"])[None]
    x = np.array(case["x"])
    y = np.array(case["y"])
    if case["loss"] != "mse":
        y = y.astype(int)
    value, grad, _ = mlp.value_and_grad(params, x, y)
    assert value[0] == pytest.approx(case["value"], rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(grad[0], case["grad"], rtol=1e-10, atol=1e-13)
    hv = mlp.hvp(params, x, y, np.array(case["v"])[None])
    np.testing.assert_allclose(hv[0], case["hvp"], rtol=1e-9, atol=1e-12)


def test_fixture_covers_every_activation_and_loss():
    assert {c["activation"] for c in CASES} == set(ACTIVATIONS)
    assert {c["loss"] for c in CASES} == set(LOSSES)
