"""Domain errors. Domain code raises these; only the API layer turns them into HTTP answers."""


def short(value: object, limit: int = 40) -> str:
    """At most ``limit`` characters of ``value``, to quote user input in a message."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GradscapeError(Exception):
    """Base class for every error Gradscape raises on bad input."""


class UnknownIdError(GradscapeError):
    """A surface, optimizer, schedule or dataset id that is not in its registry."""

    def __init__(self, field: str, value: str, valid: list[str]) -> None:
        self.field = field
        self.value = value
        self.valid = valid
        super().__init__(f"unknown {field} {short(value)!r}; valid ids: {', '.join(valid)}")


class InvalidValueError(GradscapeError):
    """A value that is out of range, of the wrong kind, or not allowed here."""

    def __init__(self, field: str, message: str, ctx: dict | None = None) -> None:
        self.field = field
        self.message = message
        self.ctx = ctx  # machine-readable detail for clients, e.g. {"position": 7}
        super().__init__(f"{field}: {message}")
