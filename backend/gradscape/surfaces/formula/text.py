"""Formula trees back to text: the normalised formula and its gradient, written out.

Chains of + - and * / are walked in a loop rather than by recursion, so a long sum costs no
stack; what recursion is left is bounded by the parser's nesting limit.
"""

from gradscape.surfaces.formula.parse import Node

ADDITIVE, MULTIPLICATIVE, UNARY, POWER, ATOM = 1, 2, 3, 4, 5
SYMBOL = {"add": " + ", "sub": " - ", "mul": "*", "div": "/"}


class TextTooLong(Exception):
    pass


def number_text(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def precedence(node: Node) -> int:
    kind = node.kind
    if kind in ("add", "sub"):
        return ADDITIVE
    if kind in ("mul", "div"):
        return MULTIPLICATIVE
    if kind == "neg" or (kind == "num" and node.value < 0):
        return UNARY
    if kind == "pow":
        return POWER
    return ATOM


def _chain(node: Node) -> tuple[Node, list[tuple[str, Node]]]:
    """a op b op c ... as (a, [(op, b), (op, c), ...]) for a left-leaning chain of one class."""
    level = precedence(node)
    rest: list[tuple[str, Node]] = []
    while node.kind in SYMBOL and precedence(node) == level:
        rest.append((node.kind, node.args[1]))
        node = node.args[0]
    rest.reverse()
    return node, rest


def to_text(node: Node, limit: int = 100_000) -> str:
    """Text that parses back to the same tree, with as few parentheses as that allows."""
    out: list[str] = []
    budget = [limit]

    def emit(s: str) -> None:
        budget[0] -= len(s)
        if budget[0] < 0:
            raise TextTooLong
        out.append(s)

    def wrap(n: Node, parens: bool) -> None:
        if parens:
            emit("(")
            write(n)
            emit(")")
        else:
            write(n)

    def write(n: Node) -> None:
        kind = n.kind
        if kind == "num":
            emit(n.label or number_text(n.value))
        elif kind == "var":
            emit(n.name)
        elif kind in SYMBOL:
            level = precedence(n)
            first, rest = _chain(n)
            wrap(first, precedence(first) < level)
            for op, operand in rest:
                emit(SYMBOL[op])
                wrap(operand, precedence(operand) <= level)
        elif kind == "neg":
            emit("-")
            wrap(n.args[0], precedence(n.args[0]) <= UNARY)
        elif kind == "pow":
            base, exponent = n.args
            wrap(base, precedence(base) <= POWER)
            emit("^")
            wrap(exponent, precedence(exponent) < UNARY)
        elif kind == "call":
            emit(n.name + "(")
            for i, a in enumerate(n.args):
                if i:
                    emit(", ")
                write(a)
            emit(")")
        else:  # "if": a comparison, only in derivative text
            emit("if(")
            write(n.args[0])
            emit(" < ")
            write(n.args[1])
            emit(", ")
            write(n.args[2])
            emit(", ")
            write(n.args[3])
            emit(")")

    write(node)
    return "".join(out)


# --------------------------------------------------------------- symbolic derivative

ZERO = Node("num", value=0.0)
ONE = Node("num", value=1.0)


def _num(v: float) -> Node:
    return Node("num", value=v)


def _is(n: Node, v: float) -> bool:
    return n.kind == "num" and not n.label and n.value == v


def add(a: Node, b: Node) -> Node:
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if b.kind == "neg":
        return sub(a, b.args[0])
    if _plain(b) and b.value < 0:
        return sub(a, _num(-b.value))
    kb = _scaled(b)
    if kb is not None and kb[0] < 0:
        return sub(a, mul(_num(-kb[0]), kb[1]))
    return Node("add", (a, b))


def sub(a: Node, b: Node) -> Node:
    if _is(b, 0):
        return a
    if _is(a, 0):
        return neg(b)
    return Node("sub", (a, b))


def _plain(n: Node) -> bool:
    return n.kind == "num" and not n.label


def _scaled(n: Node) -> tuple[float, Node] | None:
    """k*c as (k, c) when n is a product led by a plain number."""
    if n.kind == "mul" and _plain(n.args[0]):
        return n.args[0].value, n.args[1]
    return None


def neg(a: Node) -> Node:
    if _is(a, 0):
        return a
    if a.kind == "neg":
        return a.args[0]
    if _plain(a):
        return _num(-a.value)
    k = _scaled(a)
    if k is not None:
        return mul(_num(-k[0]), k[1])
    return Node("neg", (a,))


def mul(a: Node, b: Node) -> Node:
    """a*b with numbers folded together and written first: 20*y, not 10*(2*y)."""
    if _is(a, 0) or _is(b, 0):
        return ZERO
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    if _plain(a) and _plain(b):
        return _num(a.value * b.value)
    if a.kind == "neg":
        return neg(mul(a.args[0], b))
    if b.kind == "neg":
        return neg(mul(a, b.args[0]))
    if _plain(b):
        return mul(b, a)
    kb = _scaled(b)
    if kb is not None:
        return (
            mul(_num(kb[0]), mul(a, kb[1])) if not _plain(a) else mul(_num(a.value * kb[0]), kb[1])
        )
    ka = _scaled(a)
    if ka is not None:
        return mul(_num(ka[0]), mul(ka[1], b))
    if _is(a, -1):
        return neg(b)
    return Node("mul", (a, b))


def div(a: Node, b: Node) -> Node:
    if _is(a, 0):
        return ZERO
    if _is(b, 1):
        return a
    if a.kind == "neg":
        return neg(div(a.args[0], b))
    return Node("div", (a, b))


def power(a: Node, c: float) -> Node:
    if c == 1:
        return a
    if c == 0:
        return ONE
    return Node("pow", (a, _num(c) if c >= 0 else Node("neg", (_num(-c),))))


def call(name: str, *args: Node) -> Node:
    return Node("call", args, name=name)


def constant_exponent(n: Node) -> float | None:
    if n.kind == "num":
        return n.value
    if n.kind == "neg" and n.args[0].kind == "num":
        return -n.args[0].value
    return None


def derivative(node: Node, var: str) -> Node:
    """d node / d var as a tree, simplified just enough to read (0s and 1s folded)."""
    memo: dict[int, Node] = {}

    def d(n: Node) -> Node:
        key = id(n)
        hit = memo.get(key)
        if hit is not None:
            return hit
        kind = n.kind
        if kind in ("add", "sub") or kind in ("mul", "div"):
            first, rest = _chain(n)
            acc_value, acc = first, d(first)
            for op, b in rest:
                db = d(b)
                if op == "add":
                    acc = add(acc, db)
                elif op == "sub":
                    acc = sub(acc, db)
                elif op == "mul":
                    acc = add(mul(acc, b), mul(acc_value, db))
                else:
                    acc = sub(div(acc, b), div(mul(acc_value, db), power(b, 2)))
                acc_value = Node(op, (acc_value, b))
            out = acc
        else:
            out = _rule(n, d)
        memo[key] = out
        return out

    def _rule(n: Node, d) -> Node:
        kind = n.kind
        if kind == "num":
            return ZERO
        if kind == "var":
            return ONE if n.name == var else ZERO
        if kind == "neg":
            return neg(d(n.args[0]))
        if kind == "pow":
            a, b = n.args
            c = constant_exponent(b)
            if c is not None:
                return mul(mul(_num(c), power(a, c - 1)), d(a))
            da, db = d(a), d(b)
            inner = add(mul(db, call("log", a)), div(mul(b, da), a))
            return mul(n, inner)
        if kind == "call":
            return _call_rule(n, d)
        raise AssertionError(kind)

    def _call_rule(n: Node, d) -> Node:
        name, args = n.name, n.args
        if name in ("min", "max"):
            a, b = args
            da, db = d(a), d(b)
            first, second = (da, db) if name == "min" else (db, da)
            return Node("if", (a, b, first, second))
        u = args[0]
        du = d(u)
        if _is(du, 0):
            return ZERO
        outer = {
            "sin": lambda: call("cos", u),
            "cos": lambda: neg(call("sin", u)),
            "tan": lambda: add(ONE, power(call("tan", u), 2)),
            "exp": lambda: n,
            "log": lambda: div(ONE, u),
            "log10": lambda: div(ONE, mul(u, call("log", _num(10.0)))),
            "sqrt": lambda: div(ONE, mul(_num(2.0), n)),
            "abs": lambda: call("sign", u),
            "tanh": lambda: sub(ONE, power(n, 2)),
            "sinh": lambda: call("cosh", u),
            "cosh": lambda: call("sinh", u),
            "atan": lambda: div(ONE, add(ONE, power(u, 2))),
            "sigmoid": lambda: mul(n, sub(ONE, n)),
            "softplus": lambda: call("sigmoid", u),
        }[name]()
        if _is(du, 1):
            return outer
        if outer.kind == "div" and _is(outer.args[0], 1):
            return div(du, outer.args[1])
        return mul(outer, du)

    return d(node)


def gradient_text(node: Node, limit: int = 2000) -> tuple[str, str]:
    """(df/dx, df/dy) written out; a very long one is summarised by its length."""
    texts = []
    for var in ("x", "y"):
        try:
            texts.append(to_text(derivative(node, var), limit))
        except TextTooLong:
            texts.append(f"(longer than {limit} characters; not shown)")
    return texts[0], texts[1]


__all__ = ["derivative", "gradient_text", "number_text", "to_text"]
