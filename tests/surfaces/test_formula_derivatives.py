"""Exact derivatives of typed formulas: random formulas vs finite differences (hypothesis),
a committed set vs torch autograd (tests/fixtures/record_torch_formulas.py)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradscape.surfaces.formula.surface import FormulaSurface

FIXTURES = Path(__file__).parents[1] / "fixtures" / "torch_formulas.json"

# Smooth pieces only (kinks of abs, min and max are tested on their own below: abs(u)^3 is
# twice differentiable, but its Hessian's central difference errs by O(h) at u = 0), each defined
# for every real argument, so any combination is differentiable everywhere it is finite.
UNARY = [
    "sin({})",
    "cos({})",
    "tan({}/4)",
    "exp({}/3)",
    "log(1 + ({})^2)",
    "log10(2 + sin({}))",
    "sqrt(1 + ({})^2)",
    "tanh({})",
    "sinh({}/2)",
    "cosh({}/2)",
    "atan({})",
    "sigmoid({})",
    "softplus({})",
    "-{}",
    "({})^2",
    "({})^3",
    "({})**4",
    "2^({}/2)",
    "e^({}/4)",
    "(2 + cos({}))^({})",
]
BINARY = ["({}) + ({})", "({}) - ({})", "({})*({})", "({})/(2 + ({})^2)", "(1.5 + sin({}))^({}/3)"]


def formulas():
    leaves = st.sampled_from(["x", "y", "0.5", "2", "1e-1", "pi", "e", "x*y"])

    def extend(inner):
        fill = lambda f, a: f.format(*([a] * f.count("{}")))  # noqa: E731
        unary = st.builds(fill, st.sampled_from(UNARY), inner)
        binary = st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(BINARY), inner, inner)
        return unary | binary

    return st.recursive(leaves, extend, max_leaves=8)


def has_both(text: str) -> bool:
    return "x" in text.replace("exp", "") and "y" in text


coords = st.floats(-1.5, 1.5, allow_nan=False)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same 300 formulas on every run: CI never meets a new one by chance
    suppress_health_check=[HealthCheck.too_slow],
)
@given(formulas(), coords, coords)
def test_random_formulas_match_central_differences(text, x, y):
    try:
        s = FormulaSurface(text)
    except Exception as exc:  # folding may find a constant overflow; nothing else may fail
        assert type(exc).__name__ == "FormulaError", exc
        return
    h = 1e-5
    xs = np.array([x, x + h, x - h, x, x])
    ys = np.array([y, y, y, y + h, y - h])
    f = s.value(xs, ys)
    assume(np.all(np.isfinite(f)) and np.max(np.abs(f)) < 1e6)
    gx, gy = s.grad(xs, ys)
    hxx, hxy, hyy = s.hessian(xs, ys)
    assume(np.all(np.isfinite([gx, gy, hxx, hxy, hyy])))
    # Central differences err by h^2 f'''/6 plus rounding eps |f| / h.
    scale = 1.0 + np.max(np.abs(f)) + np.max(np.abs([gx, gy])) + np.max(np.abs([hxx, hyy, hxy]))
    tol = 1e-6 * scale
    assert abs(gx[0] - (f[1] - f[2]) / (2 * h)) <= tol, text
    assert abs(gy[0] - (f[3] - f[4]) / (2 * h)) <= tol, text
    assert abs(hxx[0] - (gx[1] - gx[2]) / (2 * h)) <= tol, text
    assert abs(hyy[0] - (gy[3] - gy[4]) / (2 * h)) <= tol, text
    assert abs(hxy[0] - (gx[3] - gx[4]) / (2 * h)) <= tol, text
    assert abs(hxy[0] - (gy[1] - gy[2]) / (2 * h)) <= tol, text
    # The scalar engine's float path computes the same numbers as the array path.
    v, fx, fy = s.value_grad(float(x), float(y))
    assert isinstance(v, float) and isinstance(fx, float)
    np.testing.assert_allclose([v, fx, fy], [f[0], gx[0], gy[0]], rtol=1e-13, atol=1e-13)
    fh = s.hessian(float(x), float(y))
    np.testing.assert_allclose(fh, [hxx[0], hxy[0], hyy[0]], rtol=1e-13, atol=1e-13)


CASES = json.loads(FIXTURES.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["expression"] for c in CASES])
def test_formulas_match_torch_autograd(case):
    s = FormulaSurface(case["expression"])
    pts = np.array([r["point"] for r in case["rows"]])
    value = s.value(pts[:, 0], pts[:, 1])
    grad = np.stack(s.grad(pts[:, 0], pts[:, 1]), -1)
    hess = np.stack(s.hessian(pts[:, 0], pts[:, 1]), -1)
    np.testing.assert_allclose(value, [r["value"] for r in case["rows"]], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad, [r["grad"] for r in case["rows"]], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hess, [r["hessian"] for r in case["rows"]], rtol=1e-11, atol=1e-11)
    for r in case["rows"]:  # and on floats, as the scalar engine calls it
        v, gx, gy = s.value_grad(*map(float, r["point"]))
        np.testing.assert_allclose([v, gx, gy], [r["value"], *r["grad"]], rtol=1e-12, atol=1e-12)


def test_fixture_covers_every_function_and_operator():
    from gradscape.surfaces.formula.parse import FUNCTIONS

    text = " ".join(c["expression"] for c in CASES)
    for name in FUNCTIONS:
        assert f"{name}(" in text, name
    for op in ("^", "**", "/", "-", "pi", "e^"):
        assert op in text


def test_kinks_take_torchs_subgradients():
    """abs'(0) = 0; min and max split the gradient evenly at a tie, as torch does."""
    s = FormulaSurface("abs(x) + 10*abs(y)")
    assert s.grad(0.0, 0.0) == (0.0, 0.0)
    assert s.grad(np.zeros(2), np.array([0.0, -1.0]))[1].tolist() == [0.0, -10.0]
    m = FormulaSurface("max(x, y) + min(2*x, 3*y)")
    assert m.grad(1.0, 1.0) == (0.5 + 2.0, 0.5 + 0.0)  # a tie in max only
    assert m.grad(0.0, 0.0) == pytest.approx((0.5 + 1.0, 0.5 + 1.5))
    gx, gy = m.grad(np.array([0.0, 2.0]), np.array([0.0, 1.0]))
    assert gx.tolist() == [1.5, 1.0] and gy.tolist() == [2.0, 3.0]


def test_cost_grows_linearly_with_formula_size():
    """Forward mode on the tape: instructions equal distinct subexpressions, no blow-up."""
    nested = "x"
    for _ in range(30):
        nested = f"sin({nested})*y"  # symbolic differentiation would double at each level
    s = FormulaSurface(nested)
    assert len(s.tape) == 62  # x, y, then a sin and a mul per level
    x = np.linspace(-1, 1, 7)
    gx, _ = s.grad(x, x)
    h = 1e-6
    fd = (s.value(x + h, x) - s.value(x - h, x)) / (2 * h)
    np.testing.assert_allclose(gx, fd, atol=1e-8)


@pytest.mark.parametrize(
    ("text", "point", "words"),
    [
        ("log(x - 3)", (1.0, 0.0), "log of a negative number (-2) in log(x - 3) at (x, y) = (1, 0"),
        ("log(x)", (0.0, 0.0), "log of zero in log(x)"),
        ("x/y", (1.0, 0.0), "division by zero in x/y"),
        ("sqrt(x + y)", (-1.0, 0.5), "square root of a negative number (-0.5)"),
        ("sqrt(x) + y", (0.0, 1.0), "square root at 0, where its slope is infinite"),
        ("exp(x^2)", (30.0, 0.0), "overflow: a value beyond the largest float"),
        ("x^0.5 + y", (-4.0, 0.0), "a negative number (-4) to the fractional power 0.5"),
        ("x^y", (-2.0, 0.5), "a negative number (-2) to a variable power"),
    ],
)
def test_undefined_points_are_explained(text, point, words):
    s = FormulaSurface(text)
    v, gx, gy = s.value_grad(*point)
    assert not all(math.isfinite(t) for t in (v, gx, gy))
    assert words in s.undefined_at(*point)
    assert s.undefined_at(0.5, 0.25) is None or not math.isfinite(s.value(0.5, 0.25))


def test_grids_carry_nan_where_undefined_and_the_api_turns_it_into_null():
    s = FormulaSurface("log(x) + 1/y")
    z = s.grid(np.array([-1.0, 1.0]), np.array([0.0, 2.0]))
    assert np.isnan(z[1, 0]) and np.isinf(z[0, 1]) and z[1, 1] == 0.5
