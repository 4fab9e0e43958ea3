"""Formula surfaces: parse time, cost linear in size, typed vs built-in Beale, the finder.

Run with `.venv/bin/python benchmarks/bench_formula.py` (also part of `make bench`). Best of
several repeats in one process; the ratios are what to read on a shared, noisy machine.
"""

import numpy as np
from harness import best_of

from gradscape.engine import build_spec, run_one
from gradscape.surfaces import get_surface
from gradscape.surfaces.formula import FormulaSurface
from gradscape.surfaces.stationary_finder import find_stationary_points

BEALE = "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"


def sum_of_terms(n: int) -> str:
    # Small arguments: numpy's sin takes a slower path for large ones, which would blur the
    # cost per instruction this measures.
    return " + ".join(f"sin(0.{k % 7 + 1}*x - y)*exp(-0.{k % 5 + 1}*y^2)" for k in range(n))


def nested(depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = f"sin({text} - y)"  # no long products: they would reach subnormal floats
    return text


def longest_accepted() -> str:
    """About 500 characters and 300 nodes: the most a formula may be."""
    text = "x*y"
    k = 1
    while True:
        more = f"{text} + sin({k}*x)*cos(y)"
        if len(more) > 480:
            return text
        text, k = more, k + 1


def main() -> None:
    print("Formula surfaces (float64; best of 5 repeats)\n")

    print("Parse and prepare (tokenize, parse, fold, build the tape); target < 50 ms")
    worst = longest_accepted()
    deep = "(" * 40 + "x" + ")" * 40
    for name, text in (("Beale", BEALE), (f"{len(worst)} characters", worst), ("depth 40", deep)):
        t = best_of(lambda text=text: FormulaSurface(text))
        print(f"  {name:<44} {ms(t)}")

    pts = np.random.default_rng(0).uniform(-2, 2, (2, 10_000))
    print(
        "\nValue, gradient and Hessian at 10,000 points: cost per tape instruction (flat = linear)"
    )
    for label, texts in (
        ("sum of n terms", [sum_of_terms(n) for n in (2, 4, 8, 14)]),
        ("nesting depth n", [nested(n) for n in (5, 10, 20, 40)]),
    ):
        for text in texts:
            s = FormulaSurface(text)
            t = best_of(lambda s=s: s.hessian(*pts))
            n = len(s.tape)
            print(f"  {label:<20} {n:4d} instructions {ms(t)} {t / n * 1e6:8.1f} us/instruction")

    print("\nTyped Beale vs the built-in (hand-written derivatives)")
    built = get_surface("beale")
    typed = FormulaSurface(BEALE, *built.info.domain)
    xs = np.linspace(-4.5, 4.5, 500)
    rows = []
    for name, fn_typed, fn_built in (
        ("500 x 500 grid", lambda: typed.grid(xs, xs), lambda: built.grid(xs, xs)),
        (
            "value_grad, 10,000 points",
            lambda: typed.value_grad(*pts),
            lambda: built.value_grad(*pts),
        ),
        ("hessian, 10,000 points", lambda: typed.hessian(*pts), lambda: built.hessian(*pts)),
        (
            "value_grad, one point (floats)",
            lambda: typed.value_grad(1.0, 1.5),
            lambda: built.value_grad(1.0, 1.5),
        ),
    ):
        a, b = best_of(fn_typed), best_of(fn_built)
        rows.append((name, a, b))
        print(f"  {name:<34} typed {ms(a)}  built-in {ms(b)}  ratio {a / b:6.1f}x")
    for surface, label in ((typed, "typed"), (built, "built-in")):
        spec = build_spec(surface, "adam", {"lr": 0.05}, None, (1.0, 1.5), 10_000, tol=0.0)
        t = best_of(lambda spec=spec: run_one(spec), 3)
        print(f"  Adam, 10,000 steps, scalar path ({label:<8})     {ms(t)} {t * 1e2:8.2f} us/step")

    print("\nStationary-point finder (Newton from a 41 x 41 grid of starts); target < 200 ms")
    for name, text, domain in (
        ("Beale", BEALE, ((-4.5, 4.5), (-4.5, 4.5))),
        ("Himmelblau", HIMMELBLAU, ((-5, 5), (-5, 5))),
        ("monkey saddle, tilted", "x^3 - 3*x*y^2 + 0.5*x", ((-2, 2), (-2, 2))),
        ("narrow curved valley", "20*(y - sin(2*x))^2 + 0.1*x^2", ((-3, 3), (-2, 2))),
        (f"{len(worst)} characters", worst, ((-3, 3), (-3, 3))),
    ):
        s = FormulaSurface(text, *domain)
        t = best_of(lambda s=s: find_stationary_points(s, (s.x_range, s.y_range)), 3)
        n = len(find_stationary_points(s, (s.x_range, s.y_range)))
        print(f"  {name:<44} {ms(t)}  ({n} points)")


if __name__ == "__main__":
    main()
