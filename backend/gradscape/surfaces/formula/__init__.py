"""Surfaces typed as formulas: parsed (never evaluated as code), differentiated exactly."""

from gradscape.surfaces.formula.parse import MAX_CHARS, MAX_DEPTH, MAX_NODES, FormulaError, parse
from gradscape.surfaces.formula.surface import DEFAULT_RANGE, FormulaSurface, formula_surface

__all__ = [
    "DEFAULT_RANGE",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_NODES",
    "FormulaError",
    "FormulaSurface",
    "formula_surface",
    "parse",
]
