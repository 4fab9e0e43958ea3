"""The formula language: a tokenizer and a precedence-climbing parser into a small node tree.

Nothing here evaluates text: the input is scanned character by character into tokens and
parsed into `Node`s; only the tree is ever evaluated (tape.py). Limits are checked before
anything can grow with the input: the length first, then the nesting depth while parsing
(so 10,000 nested parentheses fail at the 41st, without deep recursion), then the node count.

Grammar (``^`` and ``**`` are the same operator)::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary)*
    unary   := ('-' | '+') unary | power
    power   := atom (('^' | '**') unary)?          right-associative; -x^2 = -(x^2)
    atom    := number | 'x' | 'y' | 'pi' | 'e' | name '(' expr (',' expr)* ')' | '(' expr ')'
"""

import math
from dataclasses import dataclass, field

from gradscape.errors import InvalidValueError

MAX_CHARS = 500
MAX_NODES = 300
MAX_DEPTH = 40

VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS = {  # name -> number of arguments
    "sin": 1,
    "cos": 1,
    "tan": 1,
    "exp": 1,
    "log": 1,
    "log10": 1,
    "sqrt": 1,
    "abs": 1,
    "tanh": 1,
    "sinh": 1,
    "cosh": 1,
    "atan": 1,
    "sigmoid": 1,
    "softplus": 1,
    "min": 2,
    "max": 2,
}
VALID_NAMES = (*VARIABLES, *CONSTANTS, *FUNCTIONS)

# Characters people paste from papers and word processors, and what to type instead.
LOOKALIKES = {
    "−": "-",
    "–": "-",
    "—": "-",
    "×": "*",
    "·": "*",
    "⋅": "*",
    "∗": "*",
    "÷": "/",
    "²": "^2",
    "³": "^3",
    "π": "pi",
    "（": "(",
    "）": ")",
}


class FormulaError(InvalidValueError):
    """A formula that cannot be accepted; ``position`` is the 0-based index of the culprit."""

    def __init__(self, message: str, position: int | None = None, field: str = "expression"):
        self.position = position
        ctx = None if position is None else {"position": position}
        super().__init__(field, message, ctx)

    def at(self, field: str) -> "FormulaError":
        """The same error reported under another field name (where the formula arrived)."""
        return FormulaError(self.message, self.position, field)


# ------------------------------------------------------------------------------ tree


@dataclass(frozen=True, eq=False)
class Node:
    """One node of a parsed formula.

    kind: "num" (value), "var" (name x or y), "neg" (args[0]), "add" "sub" "mul" "div" "pow"
    (args[0], args[1]), or "call" (name, args). ``pos`` is where the node starts in the text;
    ``label`` keeps how a constant was written (pi, e) for printing.
    """

    kind: str
    args: tuple["Node", ...] = ()
    name: str = ""
    value: float = 0.0
    pos: int = 0
    label: str = field(default="")


# ---------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "(", ")", ",", "end"
    text: str
    pos: int
    value: float = 0.0


OPERATORS = ("**", "+", "-", "*", "/", "^")


def _describe(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'" if ch.isascii() else f"'{ch}' (U+{ord(ch):04X})"
    return f"U+{ord(ch):04X}"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch.isascii() and (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit())):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isascii() and text[k].isdigit():
                    while k < n and text[k].isascii() and text[k].isdigit():
                        k += 1
                    j = k
            number = text[i:j]
            value = float(number)  # digits, '.', 'e' and a sign only: a float literal
            if not math.isfinite(value):
                raise FormulaError(f"number {number} at position {i} is too large", i)
            tokens.append(Token("num", number, i, value))
            i = j
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        elif text.startswith("**", i):
            tokens.append(Token("op", "**", i))
            i += 2
        elif ch in "+-*/^":
            tokens.append(Token("op", ch, i))
            i += 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        else:
            hint = LOOKALIKES.get(ch)
            if hint is not None:
                msg = f"character {_describe(ch)} at position {i}: type '{hint}' instead"
            elif not ch.isascii():
                msg = (
                    f"character {_describe(ch)} at position {i} is not allowed: formulas use "
                    "plain ASCII letters, digits and + - * / ^ ( ) ,"
                )
            else:
                msg = f"unexpected character {_describe(ch)} at position {i}"
            raise FormulaError(msg, i)
    tokens.append(Token("end", "", n))
    return tokens


# ---------------------------------------------------------------------------- parser


def _token_text(tok: Token) -> str:
    return "end of formula" if tok.kind == "end" else f"'{tok.text}'"


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.nodes = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _node(self, *args, **kwargs) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            pos = self.tokens[max(self.i - 1, 0)].pos
            raise FormulaError(
                f"the formula is too long: more than {MAX_NODES} numbers, names and operators "
                f"(limit reached at position {pos})",
                pos,
            )
        return Node(*args, **kwargs)

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(
                f"the formula nests too deeply at position {pos}: at most {MAX_DEPTH} levels of "
                "parentheses, function calls, powers and signs",
                pos,
            )

    def _leave(self) -> None:
        self.depth -= 1

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise FormulaError("the formula is empty: type an expression in x and y", 0)
        node = self.expr()
        if self.tok.kind != "end":
            self._unexpected()
        return node

    def _unexpected(self) -> None:
        tok = self.tok
        prev = self.tokens[self.i - 1] if self.i > 0 else None
        starts_operand = tok.kind in ("num", "name", "(")
        if prev is not None and prev.kind in ("num", "name", ")") and starts_operand:
            left = "(...)" if prev.kind == ")" else prev.text
            right = "(...)" if tok.kind == "(" else tok.text
            raise FormulaError(
                f"missing operator between '{prev.text}' and '{tok.text}' at position {tok.pos}: "
                f"write {left}*{right} (multiplication is never implied)",
                tok.pos,
            )
        if tok.kind == ")":
            raise FormulaError(f"unexpected ')' at position {tok.pos}: no '(' is open", tok.pos)
        raise FormulaError(f"unexpected {_token_text(tok)} at position {tok.pos}", tok.pos)

    def expr(self) -> Node:
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self._next()
            right = self.term()
            node = self._node("add" if op.text == "+" else "sub", (node, right), pos=node.pos)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self._next()
            right = self.unary()
            node = self._node("mul" if op.text == "*" else "div", (node, right), pos=node.pos)
        return node

    def unary(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text in "+-":
            self._next()
            self._enter(tok.pos)
            operand = self.unary()
            self._leave()
            if tok.text == "+":
                return operand
            return self._node("neg", (operand,), pos=tok.pos)
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("^", "**"):
            self._next()
            self._enter(tok.pos)
            exponent = self.unary()  # right-associative, and 2^-x is allowed
            self._leave()
            return self._node("pow", (base, exponent), pos=base.pos)
        return base

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self._next()
            return self._node("num", value=tok.value, pos=tok.pos)
        if tok.kind == "(":
            self._next()
            self._enter(tok.pos)
            node = self.expr()
            self._leave()
            self._expect_close(tok)
            return node
        if tok.kind == "name":
            return self._name()
        if tok.kind == "end":
            prev = self.tokens[self.i - 1] if self.i > 0 else None
            after = f" after {_token_text(prev)}" if prev is not None else ""
            raise FormulaError(
                f"the formula ends too early at position {tok.pos}: a number, x, y or '(' "
                f"should follow{after}",
                tok.pos,
            )
        raise FormulaError(
            f"unexpected {_token_text(tok)} at position {tok.pos}: a number, x, y, a function "
            "or '(' should come here",
            tok.pos,
        )

    def _expect_close(self, opening: Token) -> None:
        if self.tok.kind == ")":
            self._next()
            return
        if self.tok.kind == "end":
            raise FormulaError(
                f"the '(' at position {opening.pos} is never closed: add ')'", opening.pos
            )
        self._unexpected()

    def _name(self) -> Node:
        tok = self._next()
        name = tok.text
        follows_call = self.tok.kind == "("
        if name in FUNCTIONS:
            if not follows_call:
                raise FormulaError(
                    f"function {name} at position {tok.pos} needs its argument in parentheses: "
                    f"{name}(...)",
                    tok.pos,
                )
            return self._call(tok)
        if name in VARIABLES or name in CONSTANTS:
            if follows_call:
                raise FormulaError(
                    f"{name} at position {tok.pos} is not a function: write {name}*(...) to "
                    "multiply",
                    self.tok.pos,
                )
            if name in VARIABLES:
                return self._node("var", name=name, pos=tok.pos)
            return self._node("num", value=CONSTANTS[name], pos=tok.pos, label=name)
        lowered = name.lower()
        if lowered in FUNCTIONS or lowered in VARIABLES or lowered in CONSTANTS:
            hint = f" (names are lower case: {lowered})"
        elif name in ("ln",):
            hint = " (the natural logarithm is log)"
        elif name in ("pow",):
            hint = " (write a^b for powers)"
        else:
            hint = ""
        raise FormulaError(
            f"unknown name '{name}' at position {tok.pos}{hint}; valid names: "
            + ", ".join(VALID_NAMES),
            tok.pos,
        )

    def _call(self, name_tok: Token) -> Node:
        opening = self._next()
        self._enter(opening.pos)
        args = [self.expr()]
        while self.tok.kind == ",":
            self._next()
            args.append(self.expr())
        self._leave()
        self._expect_close(opening)
        arity = FUNCTIONS[name_tok.text]
        if len(args) != arity:
            want = "one argument" if arity == 1 else f"{arity} arguments"
            raise FormulaError(
                f"{name_tok.text} at position {name_tok.pos} takes {want}, got {len(args)}",
                name_tok.pos,
            )
        return self._node("call", tuple(args), name=name_tok.text, pos=name_tok.pos)


def parse(text: str) -> Node:
    """The formula's tree, or a FormulaError naming the problem and its position."""
    if not isinstance(text, str):
        raise FormulaError("must be a string such as 'x^2 + 10*y^2'")
    if len(text) > MAX_CHARS:
        raise FormulaError(
            f"the formula has {len(text)} characters; at most {MAX_CHARS} are allowed", MAX_CHARS
        )
    return Parser(text).parse()
