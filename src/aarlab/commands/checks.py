"""Checks of command-line options, run first in every command: a bad option is refused in
seconds, before a dataset is prepared, a hub started or a file written.

Each check raises `UserError` (or a registry's own subclass of it) with a message that says
how to fix the option; `aarlab.cli.main` prints it as `error: <message>` and exits 2. Registry
checks import only the registry they need, so that a refusal stays fast.
"""

from __future__ import annotations

from pathlib import Path

from aarlab.errors import UserError


def at_least(option: str, value: float | None, minimum: float) -> None:
    """`value` (when given) is at least `minimum`."""
    if value is not None and value < minimum:
        raise UserError(f"{option} must be at least {minimum:g}; got {value:g}")


def positive(option: str, value: float | None) -> None:
    """`value` (when given) is greater than 0."""
    if value is not None and not value > 0:
        raise UserError(f"{option} must be greater than 0; got {value:g}")


def one_of(option: str, value: str | None, choices: list[str] | tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise UserError(f"{option}: unknown value {value!r}; choose one of: {', '.join(choices)}")


def datasets(*names: str) -> None:
    """Every name is a registered dataset (`DatasetError` names the known ones)."""
    from aarlab.w2s.datasets import get_dataset

    for name in names:
        get_dataset(name)


def backends(*specs: str) -> None:
    """Every spec builds a feature backend: known kind, well-formed options, model installed.
    Cheap: no model is loaded (`BackendError` says how to fix a spec)."""
    from aarlab.w2s.features import get_backend

    for spec in specs:
        get_backend(spec)


def methods(*names: str) -> None:
    """Every name is a registered method (imports the method registry, and with it torch)."""
    from aarlab.w2s.methods import get_method

    for name in names:
        get_method(name)


def sandbox(kind: str | None) -> None:
    from aarlab.sandbox.registry import SANDBOXES

    one_of("--sandbox", kind, sorted(SANDBOXES))


def run_dir(path: Path) -> Path:
    """An existing run directory (the one `aarlab run` printed as `run_dir:`)."""
    if not path.exists():
        raise UserError(f"no run directory at {path}: pass the directory `aarlab run` wrote "
                        "(runs/<timestamp> by default, or its --run-dir)")
    if not path.is_dir():
        raise UserError(f"{path} is a file, not a run directory: pass the directory `aarlab run` "
                        "wrote")
    return path


def readable_dir(option: str, path: Path, hint: str) -> Path:
    """An existing directory that this process can list."""
    if not path.is_dir():
        raise UserError(f"{option}: no directory at {path}; {hint}")
    try:
        next(path.iterdir(), None)
    except OSError as e:
        raise UserError(f"{option}: cannot read {path} ({e.strerror}); fix its permissions") from e
    return path


def readable_file(option: str, path: Path, hint: str) -> Path:
    """An existing file that this process can read."""
    if not path.is_file():
        raise UserError(f"{option}: no file at {path}; {hint}")
    try:
        with path.open("rb") as f:
            f.read(1)
    except OSError as e:
        raise UserError(f"{option}: cannot read {path} ({e.strerror}); fix its permissions") from e
    return path
