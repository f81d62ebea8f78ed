"""CLI commands, one module each; importing this package registers them on `aarlab.cli.app`."""

import importlib

for _name in ("w2s", "hub", "run", "verify"):
    try:
        importlib.import_module(f"aarlab.commands.{_name}")
    except ModuleNotFoundError as e:  # a command module not written yet
        if e.name != f"aarlab.commands.{_name}":
            raise
