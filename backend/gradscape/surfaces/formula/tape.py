"""A formula tree compiled to a tape, evaluated with exact first and second derivatives.

Forward mode, second order: every instruction turns its arguments' jets
(v, dv/dx, dv/dy, d2v/dx2, d2v/dxdy, d2v/dy2) into its own jet once, so value, gradient and
Hessian cost a fixed multiple of the tape's length; no symbolic expression ever grows.
Equal subtrees share one instruction (hash-consing), constant subtrees are folded when the
tape is built, and a derivative known to be zero is carried as None and never computed.

The same tape runs on Python floats (the scalar engine: `math`, no numpy overhead) and on
numpy arrays of any shape (grids, batches of runs).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradscape.surfaces.formula.parse import FormulaError, Node
from gradscape.surfaces.formula.text import TextTooLong, to_text

LN10 = math.log(10.0)
Jet = tuple  # (v,) or (v, gx, gy) or (v, gx, gy, hxx, hxy, hyy); None = exactly zero


@dataclass(frozen=True, slots=True)
class Instr:
    op: str  # "x", "y", "const", "neg", "add", "sub", "mul", "div", "powc", "pow", a function
    args: tuple[int, ...]
    const: float  # the value of "const", the exponent of "powc"
    node: Node  # where the instruction came from, for messages


# ------------------------------------------------------------------ math namespaces


def _sign(u: float) -> float:
    return 1.0 if u > 0 else (-1.0 if u < 0 else 0.0)


def _sigmoid_float(u: float) -> float:
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    e = math.exp(u)
    return e / (1.0 + e)


def _sigmoid_array(u):
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class FloatMath:
    """Python floats; math raises on domain errors and overflow, and the caller turns that
    into NaN, as the scalar engine does."""

    is_float = True
    sin, cos, tan, exp, log, log10 = math.sin, math.cos, math.tan, math.exp, math.log, math.log10
    sqrt, tanh, sinh, cosh, atan, pow = (
        math.sqrt,
        math.tanh,
        math.sinh,
        math.cosh,
        math.atan,
        math.pow,
    )
    abs = staticmethod(abs)
    sign = staticmethod(_sign)
    sigmoid = staticmethod(_sigmoid_float)

    @staticmethod
    def softplus(u: float) -> float:
        return max(u, 0.0) + math.log1p(math.exp(-abs(u)))

    @staticmethod
    def minimum(a: float, b: float) -> float:
        return math.nan if a != a or b != b else (a if a <= b else b)

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return math.nan if a != a or b != b else (a if a >= b else b)


class ArrayMath:
    """numpy arrays (and numpy scalars); errors become NaN or Inf under np.errstate."""

    is_float = False
    sin, cos, tan, exp, log, log10 = np.sin, np.cos, np.tan, np.exp, np.log, np.log10
    sqrt, tanh, sinh, cosh, atan, pow = np.sqrt, np.tanh, np.sinh, np.cosh, np.arctan, np.power
    abs, sign, minimum, maximum = np.abs, np.sign, np.minimum, np.maximum
    sigmoid = staticmethod(_sigmoid_array)

    @staticmethod
    def softplus(u):
        return np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u)))


# ------------------------------------------------------------- jet arithmetic helpers


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _sub(a, b):
    if b is None:
        return a
    if a is None:
        return -b
    return a - b


def _mul(a, b):
    return None if a is None or b is None else a * b


def _neg(a):
    return None if a is None else -a


def _div(a, b):
    return None if a is None else a / b


def _chain(order: int, u: Jet, v, d1: Callable[[], Any], d2: Callable[[Any], Any]) -> Jet:
    """f(u) from f(u0) = v, f'(u0) = d1() and f''(u0) = d2(f')."""
    if order == 0:
        return (v,)
    f1 = d1()
    ux, uy = u[1], u[2]
    gx = _mul(f1, ux)
    gy = _mul(f1, uy)
    if order == 1:
        return (v, gx, gy)
    f2 = d2(f1)
    return (
        v,
        gx,
        gy,
        _add(_mul(f2, _mul(ux, ux)), _mul(f1, u[3])),
        _add(_mul(f2, _mul(ux, uy)), _mul(f1, u[4])),
        _add(_mul(f2, _mul(uy, uy)), _mul(f1, u[5])),
    )


# ------------------------------------------------------------------ instructions


def _op_neg(M, order, a, c):
    return tuple(_neg(t) for t in a)


def _op_add(M, order, a, b, c):
    return tuple(_add(p, q) for p, q in zip(a, b, strict=True))


def _op_sub(M, order, a, b, c):
    return tuple(_sub(p, q) for p, q in zip(a, b, strict=True))


def _op_mul(M, order, a, b, c):
    a0, b0 = a[0], b[0]
    v = a0 * b0
    if order == 0:
        return (v,)
    ax, ay, bx, by = a[1], a[2], b[1], b[2]
    gx = _add(_mul(ax, b0), _mul(a0, bx))
    gy = _add(_mul(ay, b0), _mul(a0, by))
    if order == 1:
        return (v, gx, gy)
    cross_xx = _mul(ax, bx)
    cross_yy = _mul(ay, by)
    hxx = _add(_add(_mul(a[3], b0), None if cross_xx is None else 2.0 * cross_xx), _mul(a0, b[3]))
    hxy = _add(_add(_mul(a[4], b0), _add(_mul(ax, by), _mul(ay, bx))), _mul(a0, b[4]))
    hyy = _add(_add(_mul(a[5], b0), None if cross_yy is None else 2.0 * cross_yy), _mul(a0, b[5]))
    return (v, gx, gy, hxx, hxy, hyy)


def _op_div(M, order, a, b, c):
    b0 = b[0]
    q = a[0] / b0
    if order == 0:
        return (q,)
    bx, by = b[1], b[2]
    qx = _div(_sub(a[1], _mul(q, bx)), b0)
    qy = _div(_sub(a[2], _mul(q, by)), b0)
    if order == 1:
        return (q, qx, qy)
    two_qx_bx = _mul(qx, bx)
    two_qy_by = _mul(qy, by)
    hxx = _div(_sub(_sub(a[3], None if two_qx_bx is None else 2.0 * two_qx_bx), _mul(q, b[3])), b0)
    hxy = _div(_sub(_sub(a[4], _add(_mul(qx, by), _mul(qy, bx))), _mul(q, b[4])), b0)
    hyy = _div(_sub(_sub(a[5], None if two_qy_by is None else 2.0 * two_qy_by), _mul(q, b[5])), b0)
    return (q, qx, qy, hxx, hxy, hyy)


def _op_powc(M, order, a, c):
    u = a[0]
    if c == 2.0:
        return _chain(order, a, u * u, lambda: 2.0 * u, lambda f1: 2.0)
    if c == 3.0:
        u2 = u * u
        return _chain(order, a, u2 * u, lambda: 3.0 * u2, lambda f1: 6.0 * u)
    if c == 1.0:
        return a
    return _chain(
        order,
        a,
        M.pow(u, c),
        lambda: c * M.pow(u, c - 1.0),
        lambda f1: c * (c - 1.0) * M.pow(u, c - 2.0),
    )


def _op_pow(M, order, a, b, c):
    """a^b = exp(b log a), with the value computed as the power itself."""
    v = M.pow(a[0], b[0])
    if order == 0:
        return (v,)
    log_a = _op_log(M, order, a, 0.0)
    w = _op_mul(M, order, b, log_a, 0.0)
    return _chain(order, w, v, lambda: v, lambda f1: v)


def _op_exp(M, order, a, c):
    v = M.exp(a[0])
    return _chain(order, a, v, lambda: v, lambda f1: v)


def _op_log(M, order, a, c):
    u = a[0]
    return _chain(order, a, M.log(u), lambda: 1.0 / u, lambda f1: -f1 * f1)


def _op_log10(M, order, a, c):
    u = a[0]
    return _chain(order, a, M.log10(u), lambda: 1.0 / (u * LN10), lambda f1: -f1 / u)


def _op_sqrt(M, order, a, c):
    u = a[0]
    s = M.sqrt(u)
    return _chain(order, a, s, lambda: 0.5 / s, lambda f1: -0.5 * f1 / u)


def _op_abs(M, order, a, c):
    u = a[0]
    return _chain(order, a, M.abs(u), lambda: M.sign(u), lambda f1: None)


def _op_sin(M, order, a, c):
    u = a[0]
    v = M.sin(u)
    return _chain(order, a, v, lambda: M.cos(u), lambda f1: -v)


def _op_cos(M, order, a, c):
    u = a[0]
    v = M.cos(u)
    return _chain(order, a, v, lambda: -M.sin(u), lambda f1: -v)


def _op_tan(M, order, a, c):
    t = M.tan(a[0])
    return _chain(order, a, t, lambda: 1.0 + t * t, lambda f1: 2.0 * t * f1)


def _op_tanh(M, order, a, c):
    t = M.tanh(a[0])
    return _chain(order, a, t, lambda: 1.0 - t * t, lambda f1: -2.0 * t * f1)


def _op_sinh(M, order, a, c):
    u = a[0]
    v = M.sinh(u)
    return _chain(order, a, v, lambda: M.cosh(u), lambda f1: v)


def _op_cosh(M, order, a, c):
    u = a[0]
    v = M.cosh(u)
    return _chain(order, a, v, lambda: M.sinh(u), lambda f1: v)


def _op_atan(M, order, a, c):
    u = a[0]
    return _chain(order, a, M.atan(u), lambda: 1.0 / (1.0 + u * u), lambda f1: -2.0 * u * f1 * f1)


def _op_sigmoid(M, order, a, c):
    s = M.sigmoid(a[0])
    return _chain(order, a, s, lambda: s * (1.0 - s), lambda f1: f1 * (1.0 - 2.0 * s))


def _op_softplus(M, order, a, c):
    u = a[0]
    return _chain(order, a, M.softplus(u), lambda: M.sigmoid(u), lambda f1: f1 * (1.0 - f1))


def _pick(M, first, tie, p, q):
    """p where `first`, q where neither, their mean at ties (torch's minimum/maximum)."""
    if p is None and q is None:
        return None
    p = 0.0 if p is None else p
    q = 0.0 if q is None else q
    if M.is_float:
        return p if first else (0.5 * (p + q) if tie else q)
    return np.where(first, p, np.where(tie, 0.5 * (p + q), q))


def _minmax(M, order, a, b, pick_a):
    tie = a[0] == b[0]
    v = M.minimum(a[0], b[0]) if pick_a is _lt else M.maximum(a[0], b[0])
    first = pick_a(a[0], b[0])
    return (v, *(_pick(M, first, tie, p, q) for p, q in zip(a[1:], b[1:], strict=True)))


def _lt(p, q):
    return p < q


def _gt(p, q):
    return p > q


def _op_min(M, order, a, b, c):
    return _minmax(M, order, a, b, _lt)


def _op_max(M, order, a, b, c):
    return _minmax(M, order, a, b, _gt)


OPS: dict[str, Callable[..., Jet]] = {
    "neg": _op_neg,
    "add": _op_add,
    "sub": _op_sub,
    "mul": _op_mul,
    "div": _op_div,
    "powc": _op_powc,
    "pow": _op_pow,
    "exp": _op_exp,
    "log": _op_log,
    "log10": _op_log10,
    "sqrt": _op_sqrt,
    "abs": _op_abs,
    "sin": _op_sin,
    "cos": _op_cos,
    "tan": _op_tan,
    "tanh": _op_tanh,
    "sinh": _op_sinh,
    "cosh": _op_cosh,
    "atan": _op_atan,
    "sigmoid": _op_sigmoid,
    "softplus": _op_softplus,
    "min": _op_min,
    "max": _op_max,
}


def _first_order(f0: Callable, f1: Callable) -> Callable[[float], tuple[float, float]]:
    return lambda u: (f0(u), f1(u))


def _tan1(u: float) -> tuple[float, float]:
    t = math.tan(u)
    return t, 1.0 + t * t


def _tanh1(u: float) -> tuple[float, float]:
    t = math.tanh(u)
    return t, 1.0 - t * t


def _exp1(u: float) -> tuple[float, float]:
    e = math.exp(u)
    return e, e


def _sqrt1(u: float) -> tuple[float, float]:
    s = math.sqrt(u)
    return s, 0.5 / s


def _sigmoid1(u: float) -> tuple[float, float]:
    s = _sigmoid_float(u)
    return s, s * (1.0 - s)


# Scalar first-order rules, (f(u), f'(u)), for Tape._value_grad_float; the same formulas as
# the _op_* functions above.
FIRST_ORDER: dict[str, Callable[[float], tuple[float, float]]] = {
    "exp": _exp1,
    "log": _first_order(math.log, lambda u: 1.0 / u),
    "log10": _first_order(math.log10, lambda u: 1.0 / (u * LN10)),
    "sqrt": _sqrt1,
    "abs": _first_order(abs, _sign),
    "sin": _first_order(math.sin, math.cos),
    "cos": _first_order(math.cos, lambda u: -math.sin(u)),
    "tan": _tan1,
    "tanh": _tanh1,
    "sinh": _first_order(math.sinh, math.cosh),
    "cosh": _first_order(math.cosh, math.sinh),
    "atan": _first_order(math.atan, lambda u: 1.0 / (1.0 + u * u)),
    "sigmoid": _sigmoid1,
    "softplus": _first_order(FloatMath.softplus, _sigmoid_float),
}


# ------------------------------------------------------------------------- tape


def snippet(node: Node, limit: int = 60) -> str:
    try:
        return to_text(node, limit)
    except TextTooLong:
        return to_text_prefix(node, limit)


def to_text_prefix(node: Node, limit: int) -> str:
    try:
        return to_text(node, 4 * limit)[:limit] + "…"
    except TextTooLong:
        return node.kind + "(…)"


def reason(instr: Instr, args: list[float], value: float) -> str:
    """Why an instruction gave a non-finite value or slope, in words."""
    op, c = instr.op, instr.const
    a = args[0] if args else math.nan
    b = args[1] if len(args) > 1 else math.nan
    if op in ("log", "log10") and a <= 0:
        return "log of zero" if a == 0 else f"log of a negative number ({a:.6g})"
    if op == "sqrt" and a < 0:
        return f"square root of a negative number ({a:.6g})"
    if op == "sqrt" and a == 0:
        return "square root at 0, where its slope is infinite"
    if op == "div" and b == 0:
        return "division by zero"
    if op == "powc" and a < 0 and c != int(c):
        return f"a negative number ({a:.6g}) to the fractional power {c:g}"
    if op == "powc" and a == 0 and c < 0:
        return "division by zero (zero to a negative power)"
    if op == "powc" and a == 0:
        return f"zero to the power {c:g}, where the slope is infinite"
    if op == "pow" and a < 0:
        return f"a negative number ({a:.6g}) to a variable power"
    if op == "pow" and a == 0:
        return "zero to a variable power, where log(0) makes the slope undefined"
    if not math.isfinite(value):
        return "overflow: a value beyond the largest float (about 1.8e308)"
    return "overflow: an infinite slope"


class Tape:
    """A formula as a list of instructions in evaluation order; the last one is the root."""

    def __init__(self, root: Node) -> None:
        self.instrs: list[Instr] = []
        self.consts: dict[int, float] = {}
        self._index: dict[tuple, int] = {}
        self._prune(self._compile(root))

    def _prune(self, root: int) -> None:
        """Drop instructions only folded constants used; renumber the rest."""
        used = [False] * len(self.instrs)
        used[root] = True
        for i in range(root, -1, -1):
            if used[i]:
                for a in self.instrs[i].args:
                    used[a] = True
        new_index: dict[int, int] = {}
        kept: list[Instr] = []
        for i, instr in enumerate(self.instrs):
            if used[i]:
                new_index[i] = len(kept)
                args = tuple(new_index[a] for a in instr.args)
                kept.append(Instr(instr.op, args, instr.const, instr.node))
        self.instrs = kept
        self.root = new_index[root]
        # After the instruction that reads a slot last, its jet is dropped: the live arrays
        # stay as few as the formula is wide, not as many as it is long.
        self._frees: list[tuple[int, ...]] = [() for _ in kept]
        last: dict[int, int] = {}
        for i, instr in enumerate(kept):
            for a in instr.args:
                last[a] = i
        for slot, i in last.items():
            if slot != self.root:
                self._frees[i] += (slot,)
        self._plan = [
            (i.op, i.args[0] if i.args else -1, i.args[1] if len(i.args) > 1 else -1, i.const)
            for i in kept
        ]
        self.consts = {}
        self._index = {}

    def __len__(self) -> int:
        return len(self.instrs)

    # --- building

    def _emit(self, op: str, args: tuple[int, ...], const: float, node: Node) -> int:
        key = (op, args, const)
        slot = self._index.get(key)
        if slot is None:
            slot = self._index[key] = len(self.instrs)
            self.instrs.append(Instr(op, args, const, node))
            if op == "const":
                self.consts[slot] = const
        return slot

    def _fold(self, op: str, args: tuple[int, ...], const: float, node: Node) -> int:
        """Emit, or evaluate now when every argument is a constant."""
        if not all(a in self.consts for a in args):
            return self._emit(op, args, const, node)
        values = [self.consts[a] for a in args]
        instr = Instr(op, args, const, node)
        try:
            value = OPS[op](FloatMath, 0, *((v,) for v in values), const)[0]
        except (ArithmeticError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            why = reason(instr, values, value)
            raise FormulaError(
                f"{snippet(node)} at position {node.pos} has no finite value: {why}", node.pos
            )
        return self._emit("const", (), float(value), node)

    def _compile(self, root: Node) -> int:
        slot_of: dict[int, int] = {}
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if id(node) in slot_of:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args)
                continue
            args = tuple(slot_of[id(a)] for a in node.args)
            slot_of[id(node)] = self._instr(node, args)
        return slot_of[id(root)]

    def _instr(self, node: Node, args: tuple[int, ...]) -> int:
        kind = node.kind
        if kind == "num":
            return self._emit("const", (), float(node.value), node)
        if kind == "var":
            return self._emit(node.name, (), 0.0, node)
        if kind == "pow":
            base, exponent = args
            if exponent in self.consts:
                return self._fold("powc", (base,), self.consts[exponent], node)
            if self.consts.get(base) == math.e:  # e^u is exp(u), exactly
                return self._fold("exp", (exponent,), 0.0, node)
            return self._fold("pow", args, 0.0, node)
        op = node.name if kind == "call" else kind
        return self._fold(op, args, 0.0, node)

    # --- evaluating

    def run(self, M, x, y, order: int, check: Callable | None = None) -> Jet:
        jets: list[Jet] = []
        zeros = (None,) * (2 if order == 1 else (5 if order == 2 else 0))
        # With arrays, constants are numpy scalars too: 1/0 is then Inf, never an exception.
        number = float if M.is_float else np.float64
        one = number(1.0)
        x_jet = (x, one, None, None, None, None)[: 1 + len(zeros)]
        y_jet = (y, None, one, None, None, None)[: 1 + len(zeros)]
        for instr, frees in zip(self.instrs, self._frees, strict=True):
            op = instr.op
            if op == "const":
                jet = (number(instr.const), *zeros)
            elif op == "x":
                jet = x_jet
            elif op == "y":
                jet = y_jet
            else:
                jet = OPS[op](M, order, *(jets[a] for a in instr.args), instr.const)
                if check is not None:
                    check(instr, [jets[a] for a in instr.args], jet)
            jets.append(jet)
            for a in frees:
                jets[a] = None
        return jets[self.root]

    def evaluate(self, x, y, order: int) -> tuple:
        """Value (order 0), gradient (1) or Hessian too (2), shaped like x and y."""
        n = (1, 3, 6)[order]
        if isinstance(x, float) and isinstance(y, float):
            try:
                if order == 1:
                    return self._value_grad_float(float(x), float(y))
                jet = self.run(FloatMath, float(x), float(y), order)
            except (ArithmeticError, ValueError):
                return (math.nan,) * n
            return tuple(0.0 if t is None else float(t) for t in jet)
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        shape = np.broadcast_shapes(x.shape, y.shape)
        with np.errstate(all="ignore"):
            jet = self.run(ArrayMath, x, y, order)
        return tuple(_shaped(t, shape) for t in jet)

    def _value_grad_float(self, x: float, y: float) -> tuple[float, float, float]:
        """Value and gradient of one point on Python floats: the scalar engine's hot path.

        The same first-order rules as the jets above, unrolled over three plain lists (zeros
        instead of None, one loop, no call per instruction for arithmetic): about four times
        faster for a lone run. Checked against the array path (tests/surfaces).
        """
        n = len(self.instrs)
        v = [0.0] * n
        gx = [0.0] * n
        gy = [0.0] * n
        for i, (op, a, b, c) in enumerate(self._plan):
            if op == "mul":
                av, bv = v[a], v[b]
                v[i] = av * bv
                gx[i] = gx[a] * bv + av * gx[b]
                gy[i] = gy[a] * bv + av * gy[b]
            elif op == "add":
                v[i] = v[a] + v[b]
                gx[i] = gx[a] + gx[b]
                gy[i] = gy[a] + gy[b]
            elif op == "sub":
                v[i] = v[a] - v[b]
                gx[i] = gx[a] - gx[b]
                gy[i] = gy[a] - gy[b]
            elif op == "powc":
                u = v[a]
                if c == 2.0:
                    v[i], d = u * u, 2.0 * u
                elif c == 3.0:
                    u2 = u * u
                    v[i], d = u2 * u, 3.0 * u2
                else:
                    v[i], d = math.pow(u, c), c * math.pow(u, c - 1.0)
                gx[i] = d * gx[a]
                gy[i] = d * gy[a]
            elif op == "const":
                v[i] = c
            elif op == "x":
                v[i], gx[i] = x, 1.0
            elif op == "y":
                v[i], gy[i] = y, 1.0
            elif op == "div":
                bv = v[b]
                q = v[a] / bv
                v[i] = q
                gx[i] = (gx[a] - q * gx[b]) / bv
                gy[i] = (gy[a] - q * gy[b]) / bv
            elif op == "neg":
                v[i], gx[i], gy[i] = -v[a], -gx[a], -gy[a]
            elif op in ("min", "max"):
                av, bv = v[a], v[b]
                if av != av or bv != bv:
                    v[i] = gx[i] = gy[i] = math.nan
                    continue
                first = av < bv if op == "min" else av > bv
                if first or av == bv:
                    v[i] = av
                else:
                    v[i] = bv
                if av == bv:
                    gx[i] = 0.5 * (gx[a] + gx[b])
                    gy[i] = 0.5 * (gy[a] + gy[b])
                else:
                    k = a if first else b
                    gx[i], gy[i] = gx[k], gy[k]
            elif op == "pow":
                av, bv = v[a], v[b]
                p = math.pow(av, bv)
                la = math.log(av)
                v[i] = p
                gx[i] = p * (gx[b] * la + bv * (gx[a] / av))
                gy[i] = p * (gy[b] * la + bv * (gy[a] / av))
            else:
                value, d = FIRST_ORDER[op](v[a])
                v[i] = value
                gx[i] = d * gx[a]
                gy[i] = d * gy[a]
        r = self.root
        return v[r], gx[r], gy[r]

    def explain(self, x: float, y: float) -> str | None:
        """Where value or gradient first stop being finite at (x, y), in words; else None."""
        found: list[str] = []

        def check(instr: Instr, args: list[Jet], jet: Jet) -> None:
            if found or all(np.all(np.isfinite(t)) for t in jet if t is not None):
                return
            if not all(np.all(np.isfinite(t)) for a in args for t in a if t is not None):
                return
            values = [float(a[0][0]) if np.ndim(a[0]) else float(a[0]) for a in args]
            v = jet[0]
            value = float(v[0]) if np.ndim(v) else float(v)
            found.append(f"{reason(instr, values, value)} in {snippet(instr.node)}")

        with np.errstate(all="ignore"):
            self.run(ArrayMath, np.array([float(x)]), np.array([float(y)]), 1, check)
        if not found:
            return None
        return f"{found[0]} at (x, y) = ({x:.6g}, {y:.6g})"


def _shaped(t, shape) -> np.ndarray:
    if t is None:
        return np.zeros(shape)
    if isinstance(t, np.ndarray) and t.shape == shape:
        return t
    return np.array(np.broadcast_to(np.asarray(t, dtype=float), shape))
