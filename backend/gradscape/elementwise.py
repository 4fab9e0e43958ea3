"""Math that works alike on Python floats and numpy arrays.

Update rules and surfaces are written once with these, so the same rule serves the
scalar engine (one run, no per-step numpy overhead) and the vectorised engine (many runs).
Python floats take the `math` branch; anything else goes to numpy.
"""

import math

import numpy as np


def sqrt(x):
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def exp(x):
    if isinstance(x, float):
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf
    return np.exp(x)


def log(x):
    if isinstance(x, float):
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    return np.log(x)


def cos(x):
    return math.cos(x) if isinstance(x, float) else np.cos(x)


def sin(x):
    return math.sin(x) if isinstance(x, float) else np.sin(x)


def maximum(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if a != a or b != b:  # torch.maximum propagates NaN
            return math.nan
        return a if a >= b else b
    return np.maximum(a, b)


def lerp(start, end, weight):
    """torch.lerp's formula (aten Lerp.h), including its switch at weight 0.5.

    ``weight`` is a float, or a per-run array (runs, 1) when a sweep varies it.
    """
    if isinstance(weight, np.ndarray):
        return np.where(
            weight < 0.5, start + weight * (end - start), end - (end - start) * (1.0 - weight)
        )
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def full_like(x, value: float):
    return float(value) if isinstance(x, float) else np.full_like(x, value, dtype=float)


def zeros_like(x):
    return full_like(x, 0.0)


def is_set(value) -> bool:
    """A numeric hyperparameter that is on (nonzero) for at least one run.

    Sweeps pass hyperparameters that vary as per-run arrays; a rule then takes the branch if
    any run needs it and keeps runs at 0 exact with :func:`per_run`.
    """
    return bool(np.any(value != 0)) if isinstance(value, np.ndarray) else value != 0


def per_run(on, value, otherwise):
    """``value`` where ``on`` holds, ``otherwise`` elsewhere; for a plain bool, just one of them."""
    if isinstance(on, np.ndarray):
        return np.where(on, value, otherwise)
    return value if on else otherwise
