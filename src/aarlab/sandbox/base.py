"""The sandbox contract: one `run` method, a registry by name, and a loud failure mode."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aarlab.errors import UserError
from aarlab.sandbox.result import CommandResult
from aarlab.sandbox.spec import SandboxSpec


class SandboxUnavailable(UserError, RuntimeError):
    """The requested isolation cannot be provided here; the message says how to install it (or
    to pass `--unsafe-no-sandbox`). Never caught to fall back silently."""


@runtime_checkable
class Sandbox(Protocol):
    """Runs commands for one researcher. `run` never raises for a failing command (that is
    the researcher's error, returned in the result); it raises for a broken sandbox."""

    spec: SandboxSpec

    @property
    def isolated(self) -> bool: ...

    @property
    def warning(self) -> str | None: ...

    def run(
        self,
        cmd: str | list[str],
        timeout: float | None = None,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> CommandResult: ...

    def close(self) -> None: ...

