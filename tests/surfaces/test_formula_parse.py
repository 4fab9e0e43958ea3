"""The formula language: grammar, precedence, normalised text, errors that teach, limits."""

import math

import numpy as np
import pytest

from gradscape.surfaces.formula import MAX_CHARS, MAX_DEPTH, MAX_NODES, FormulaError, parse
from gradscape.surfaces.formula.parse import VALID_NAMES
from gradscape.surfaces.formula.surface import FormulaSurface
from gradscape.surfaces.formula.text import to_text


def f(text: str, x: float = 0.7, y: float = -1.3) -> float:
    return FormulaSurface(text).value(x, y)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-x^2", -(0.7**2)),  # power binds tighter than unary minus
        ("-2^2", -4.0),
        ("2^3^2", 512.0),  # right-associative
        ("2**3**2", 512.0),
        ("2^-1", 0.5),
        ("x - y - 1", 0.7 + 1.3 - 1),  # left-associative
        ("x / y / 2", 0.7 / -1.3 / 2),
        ("1e-3 + 2.5E2 + .5", 0.001 + 250 + 0.5),
        ("  x\t*\ny  ", 0.7 * -1.3),
        ("pi + e", math.pi + math.e),
        ("max(x, y) - min(x, y)", 2.0),
        ("sigmoid(0) + softplus(0)", 0.5 + math.log(2)),
        ("log10(100) + log(e) + sqrt(16) + abs(y)", 2 + 1 + 4 + 1.3),
        ("+x", 0.7),
        ("atan(1)*4", math.pi),
    ],
)
def test_values_follow_the_grammar(text, expected):
    assert f(text) == pytest.approx(expected, rel=1e-15, abs=1e-15)


@pytest.mark.parametrize(
    "text",
    [
        "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        "-x^2 + (-x)^2 - -y",
        "x - (y - 1) + (x + y)*(x - y)/(x/(y*2))",
        "2^3^2 + (2^3)^2 + 2^-x + x^(y + 1)",
        "max(sin(x), cos(y)^2) * exp(-x*y) / (1 + tanh(x)^2)",
        "pi*e + 1e-3*x + 0.1",
    ],
)
def test_normalised_text_parses_back_to_the_same_formula(text):
    once = to_text(parse(text))
    assert to_text(parse(once)) == once
    for x, y in [(0.3, 0.4), (1.7, -0.9)]:
        assert FormulaSurface(once).value(x, y) == FormulaSurface(text).value(x, y)


def test_normalised_text_is_tidy():
    assert to_text(parse("x**2+10 *  y ^2")) == "x^2 + 10*y^2"
    assert to_text(parse("((x))")) == "x"
    assert to_text(parse("-(x^2)")) == "-x^2"
    assert to_text(parse("(-x)^2")) == "(-x)^2"


def error(text: str) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        FormulaSurface(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "words", "position"),
    [
        ("x^2 + y)", "unexpected ')' at position 7", 7),
        ("2x", "write 2*x", 1),
        ("2(x + 1)", "write 2*(...)", 1),
        ("x y", "missing operator between 'x' and 'y' at position 2", 2),
        ("(x + 1)(y)", "write (...)*(...)", 7),
        ("x(1)", "x at position 0 is not a function", 1),
        ("sin x", "needs its argument in parentheses", 0),
        ("x + ", "ends too early at position 4", 4),
        ("", "empty", 0),
        ("(x + y", "'(' at position 0 is never closed", 0),
        ("x + * y", "unexpected '*' at position 4", 4),
        ("foo(x)", "unknown name 'foo' at position 0", 0),
        ("Sin(x)", "names are lower case: sin", 0),
        ("ln(x)", "the natural logarithm is log", 0),
        ("max(x)", "max at position 0 takes 2 arguments, got 1", 0),
        ("sin(x, y)", "takes one argument, got 2", 0),
        ("x − y", "type '-' instead", 2),
        ("x × y", "type '*' instead", 2),
        ("x²", "type '^2' instead", 1),
        ("x = 1", "unexpected character '=' at position 2", 2),
        ("1e999*x", "too large", 0),
        ("log(0)", "log(0) at position 0 has no finite value: log of zero", 0),
        ("x + sqrt(-1)", "square root of a negative number", 4),
    ],
)
def test_errors_name_the_problem_and_the_position(text, words, position):
    err = error(text)
    assert words in err.message, err.message
    assert err.position == position
    assert err.ctx == {"position": position}
    assert err.field == "expression"


def test_unknown_names_list_the_valid_ones():
    msg = error("banana + x").message
    assert "valid names: " in msg
    listed = msg.split("valid names: ")[1].split(", ")
    assert listed == list(VALID_NAMES)
    assert {"x", "y", "pi", "e", "sin", "softplus", "min", "max"} <= set(listed)


def test_length_limit():
    ok = "x" + " " * (MAX_CHARS - 3) + "+y"
    assert len(ok) == MAX_CHARS
    assert FormulaSurface(ok).value(1.0, 2.0) == 3.0
    err = error(ok + " ")
    assert f"has {MAX_CHARS + 1} characters; at most {MAX_CHARS}" in err.message


def test_node_limit():
    # 150 x's and 149 +'s: 299 nodes; one more term is 301.
    FormulaSurface("+".join(["x"] * 150))
    err = error("+".join(["x"] * 151))
    assert f"more than {MAX_NODES}" in err.message
    assert err.position == 300  # the 151st x, the 301st node


def test_depth_limit_counts_parentheses_calls_powers_and_signs():
    FormulaSurface("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    for deep in (
        "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "sin(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "x" + "^x" * (MAX_DEPTH + 1),
        "-" * (MAX_DEPTH + 1) + "x",
    ):
        assert "nests too deeply" in error(deep).message
    err = error("(" * 249 + "x" + ")" * 249)  # within 500 characters: depth stops it
    assert err.position == MAX_DEPTH


HOSTILE = [
    "__import__('os').system('ls')",
    "import os",
    "lambda: 0",
    "x.__class__",
    "().__class__.__bases__[0]",
    "exec('1')",
    "eval('x')",
    "open('/etc/passwd').read()",
    "x if y else 1",
    "[x for x in range(10)]",
    "x; y",
    "{x}",
    "x @ y",
    "__builtins__",
    "(" * 10_000 + "x" + ")" * 10_000,
    "9^9^9^9",
    "x" * 1_000_000,
    "ѕin(x)",  # Cyrillic s
    "х + у",  # Cyrillic x and y
    "ｘ^2",  # fullwidth x
    "x\u200b+y",  # zero-width space
    "x\x00",
    "1" * 400,  # a number too large to be finite
    "exp(exp(exp(exp(10))))",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_with_a_formula_error(text):
    err = error(text)
    assert err.message and err.field == "expression"


def test_nothing_is_evaluated_as_code():
    """The modules that read formulas never call an evaluator of source text."""
    import re
    from pathlib import Path

    import gradscape.surfaces.formula as pkg

    calls = re.compile(r"(?<![\w.])(eval|exec|compile|__import__)\(|sympify|parse_expr|numexpr")
    files = list(Path(pkg.__file__).parent.glob("*.py"))
    assert len(files) >= 4
    for path in files:
        assert not calls.search(path.read_text()), path.name


def test_constant_formulas_and_subexpressions_are_folded_and_shared():
    s = FormulaSurface("(x*y + 1)^2 + sin(x*y + 1) + 2*pi")
    ops = [i.op for i in s.tape.instrs]
    assert ops.count("mul") == 1  # x*y computed once
    assert ops.count("add") == 3  # x*y + 1 once, then the two sums
    assert s.value(0.0, 0.0) == pytest.approx(1 + math.sin(1) + 2 * math.pi, rel=1e-15)
    flat = FormulaSurface("2*pi")
    assert len(flat.tape) == 1
    grid = flat.grid(np.linspace(0, 1, 3), np.linspace(0, 1, 4))
    assert grid.shape == (4, 3) and np.all(grid == 2 * math.pi)


def test_gradient_text_is_the_derivative_written_out():
    from gradscape.surfaces.formula.text import gradient_text

    assert gradient_text(parse("x^2 + 10*y^2")) == ("2*x", "20*y")
    assert gradient_text(parse("x^3 - 3*x + y^2")) == ("3*x^2 - 3", "2*y")
    assert gradient_text(parse("sin(x*y)")) == ("cos(x*y)*y", "cos(x*y)*x")
    # The text is a formula itself: it evaluates to the exact gradient.
    text = "exp(-x*y)/(1 + x^2) + log(2 + x^2)*sqrt(1 + y^2)"
    s = FormulaSurface(text)
    gx_text, gy_text = s.gradient_text
    for x, y in [(0.3, -0.7), (1.2, 0.4)]:
        gx, gy = s.grad(x, y)
        assert FormulaSurface(gx_text).value(x, y) == pytest.approx(gx, rel=1e-13)
        assert FormulaSurface(gy_text).value(x, y) == pytest.approx(gy, rel=1e-13)
    assert gradient_text(parse("x - 2*sin(y)"))[1] == "-2*cos(y)"
    assert gradient_text(parse("x^2 - 2*x*cos(y)"))[0] == "2*x - 2*cos(y)"
    long = "sin(" * 35 + "x*y" + ")" * 35  # each chain-rule factor repeats the inner terms
    gx_text, _ = FormulaSurface(long).gradient_text
    assert gx_text.startswith("(longer than 2000 characters")
