"""The `aarlab` command line. Each command parses arguments and calls a package; no logic here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="aarlab",
    help="A lab of automated alignment researchers for weak-to-strong supervision.",
    no_args_is_help=True,
    add_completion=False,
)

# Commands are registered by the modules below (one per package); keep this list short.
from aarlab import commands  # noqa: E402,F401  (registers prepare, baselines, ...)


def main() -> None:
    app()

