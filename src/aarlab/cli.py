"""The `aarlab` command line. Each command parses arguments and calls a package; no logic here.

`main` is the console entry point: a `UserError` (bad option, unknown name, missing file) is
printed as `error: <message>` on stderr with exit code 2 and no traceback; typer's own usage
errors keep their exit 2; any other exception is a fault and propagates with its traceback.
"""

from __future__ import annotations

import sys

import typer

from aarlab.errors import UserError

app = typer.Typer(
    name="aarlab",
    help="A lab of automated alignment researchers for weak-to-strong supervision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # a fault prints Python's own traceback (greppable in logs)
)

# Commands are registered by the modules below (one per package); keep this list short.
from aarlab import commands  # noqa: E402,F401  (registers prepare, baselines, ...)

USER_ERROR_EXIT = 2


def main(args: list[str] | None = None) -> None:
    try:
        app(args=args, prog_name="aarlab")
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(USER_ERROR_EXIT) from None
