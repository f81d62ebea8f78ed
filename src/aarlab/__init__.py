"""aarlab: a lab of automated alignment researchers for weak-to-strong supervision."""

__version__ = "0.1.0"
