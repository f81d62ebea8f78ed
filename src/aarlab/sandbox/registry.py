"""Sandbox kinds by name, as the CLI and the records spell them."""

from __future__ import annotations

from aarlab.sandbox.base import Sandbox
from aarlab.sandbox.bwrap import BwrapSandbox
from aarlab.sandbox.local import UnsafeLocalSandbox
from aarlab.sandbox.runner import SandboxRunner
from aarlab.sandbox.spec import SandboxSpec

SANDBOXES: dict[str, type[SandboxRunner]] = {"bwrap": BwrapSandbox, "none": UnsafeLocalSandbox}


def make_sandbox(kind: str, spec: SandboxSpec) -> Sandbox:
    """Build a sandbox by name; raises SandboxUnavailable rather than downgrading."""
    try:
        cls = SANDBOXES[kind]
    except KeyError:
        raise ValueError(f"unknown sandbox kind {kind!r}; known: {sorted(SANDBOXES)}") from None
    sandbox: Sandbox = cls(spec)
    return sandbox
