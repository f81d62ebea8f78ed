"""Helpers for the escape suite: a fake project on disk (task key, hub database, logs, two workspaces) and a stand-in hub:
what a researcher's sandbox must not reach, and the one thing it must."""

from __future__ import annotations

import os
import shutil
import socketserver
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from aarlab.sandbox import BwrapSandbox, CommandResult, Limits, SandboxSpec

KEY_MARKER = 987654321  # known content of the answer key
SECRET_B = "researcher-b-secret-7f3a"
MiB = 1024 * 1024
TEST_LIMITS = Limits(
    cpu_seconds=20,
    memory_bytes=1024 * MiB,
    max_processes=64,
    file_size_bytes=8 * MiB,
    timeout_s=20,
    output_bytes=64 * 1024,
    workspace_bytes=32 * MiB,
    workspace_files=2000,
    tmp_bytes=16 * MiB,
)


@dataclass
class Lab:
    project: Path
    key: Path
    bundle: Path
    hub_db: Path
    researcher_log: Path
    audit_log: Path
    workspace_a: Path
    workspace_b: Path
    hub_socket: Path


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = self.request.recv(1024)
        self.request.sendall(b"echo:" + data)


def require_bwrap() -> None:
    """Missing bubblewrap fails the suite (CI installs it) unless explicitly allowed."""
    if shutil.which("bwrap") is None:
        if os.environ.get("AARLAB_ALLOW_NO_BWRAP") == "1":
            pytest.skip("bubblewrap missing and AARLAB_ALLOW_NO_BWRAP=1")
        pytest.fail("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")


def spec_for(lab: Lab, **overrides: object) -> SandboxSpec:
    fields: dict[str, object] = {
        "name": "builtin-1",
        "bundle_dir": lab.bundle,
        "workspace": lab.workspace_a,
        "hub_socket": lab.hub_socket,
        "audit_log": lab.audit_log,
        "limits": TEST_LIMITS,
        "sensitive_paths": [lab.project],
    }
    fields.update(overrides)
    return SandboxSpec.model_validate(fields)


# Prints "ERR <errno-name>" for an OSError, "OK" when the operation succeeded.
TRY = """
import errno, os, socket, sys
def attempt(fn):
    try:
        fn()
        print("OK", flush=True)
    except OSError as e:
        print("ERR", errno.errorcode.get(e.errno, e.errno), flush=True)
"""


def py(sb: BwrapSandbox, code: str, timeout: float | None = None) -> CommandResult:
    return sb.run(["python", "-c", TRY + textwrap.dedent(code)], timeout=timeout)


def outcomes(result: CommandResult) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(("OK", "ERR"))]
