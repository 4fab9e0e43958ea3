"""Gradscape: see how optimizers move on loss surfaces and small networks."""

__version__ = "0.1.0"
