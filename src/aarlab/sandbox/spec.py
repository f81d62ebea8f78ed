"""What a sandbox is given: paths to bind and limits to apply (a typed, logged record)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from aarlab.sandbox.data_sources import label_source_paths
from aarlab.settings import get_settings

SPEC_SCHEMA_VERSION = 1
MiB = 1024 * 1024
GiB = 1024 * MiB

# Fixed paths inside the sandbox (the bwrap mode; the unsafe mode uses host paths).
BUNDLE_MOUNT = Path("/bundle")
WORKSPACE_MOUNT = Path("/workspace")
HUB_SOCKET_MOUNT = Path("/run/hub.sock")
AUDIT_FIFO_MOUNT = Path("/run/aarlab/audit.fifo")
GUEST_SITE_MOUNT = Path("/opt/aarlab/site")


class Limits(BaseModel):
    """Resource limits for every command. Each is enforced by the kernel except
    `workspace_bytes`/`workspace_files` (a host-side watcher, see `quota.py`)."""

    cpu_seconds: int = Field(default=900, gt=0, description="RLIMIT_CPU, per process")
    memory_bytes: int = Field(default=6 * GiB, gt=0, description="RLIMIT_AS, per process")
    max_processes: int = Field(default=256, gt=2, description="tasks (threads count) per command")
    file_size_bytes: int = Field(default=1 * GiB, ge=0, description="RLIMIT_FSIZE")
    open_files: int = Field(default=1024, gt=16, description="RLIMIT_NOFILE")
    timeout_s: float = Field(default=900.0, gt=0, description="wall clock per command")
    output_bytes: int = Field(default=256 * 1024, gt=0, description="cap per stream")
    workspace_bytes: int = Field(default=4 * GiB, gt=0, description="workspace disk quota")
    workspace_files: int = Field(default=200_000, gt=0, description="workspace inode quota")
    tmp_bytes: int = Field(default=256 * MiB, gt=0, description="size of the private /tmp tmpfs")
    quota_poll_s: float = Field(default=0.05, gt=0, description="workspace watcher period")


def _default_bwrap() -> Path:
    configured = get_settings().bwrap  # a bubblewrap elsewhere (or, in tests, a missing one)
    if configured:
        return configured
    found = shutil.which("bwrap")
    return Path(found) if found else Path("/usr/bin/bwrap")


def default_python_paths() -> list[Path]:
    """The trees the running interpreter needs: its installation, its venv and, for an
    editable install, the `src/` directory holding `aarlab` (never the project root)."""
    paths = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    pkg_parent = Path(__file__).resolve().parents[2]  # .../src for an editable install
    if pkg_parent.name == "src":
        paths.append(pkg_parent)
    unique: list[Path] = []
    for p in paths:
        if p not in unique:
            unique.append(p)
    return unique


def _contains(parent: Path, child: Path) -> bool:
    return child == parent or parent in child.parents


class SandboxSpec(BaseModel):
    """Everything needed to rebuild a sandbox. Host paths are bound at the same path
    inside, except the bundle (`/bundle`), workspace (`/workspace`) and hub socket
    (`/run/hub.sock`)."""

    schema_version: int = SPEC_SCHEMA_VERSION
    name: str = Field(default="sandbox", description="researcher name, shown in records")
    bundle_dir: Path
    workspace: Path
    hub_socket: Path | None = None
    ro_binds: list[Path] = Field(default_factory=list, description="extra read-only trees")
    hidden_paths: list[Path] = Field(
        default_factory=label_source_paths,
        description="paths inside bound trees covered by an empty tmpfs; by default the "
        "installed datasets that carry labels",
    )
    python_paths: list[Path] = Field(default_factory=default_python_paths)
    sensitive_paths: list[Path] = Field(
        default_factory=list,
        description="host paths (e.g. the project root) whose every access attempt is audited, "
        "even where they look like an allowed tree from inside",
    )
    audit_log: Path | None = Field(default=None, description="host JSONL log of audit events")
    limits: Limits = Field(default_factory=Limits)
    env: dict[str, str] = Field(default_factory=dict, description="extra environment")
    bwrap_path: Path = Field(default_factory=_default_bwrap)

    @model_validator(mode="after")
    def _check_paths(self) -> SandboxSpec:
        self.bundle_dir = self.bundle_dir.resolve()
        self.workspace = self.workspace.resolve()
        if not self.bundle_dir.is_dir():
            raise ValueError(f"bundle_dir {self.bundle_dir} is not a directory")
        if not self.workspace.is_dir():
            raise ValueError(f"workspace {self.workspace} is not a directory")
        if self.hub_socket is not None and not self.hub_socket.exists():
            raise ValueError(f"hub_socket {self.hub_socket} does not exist")
        private = [self.workspace, self.bundle_dir]
        private += [p for p in (self.audit_log, self.hub_socket) if p is not None]
        for bound in [*self.python_paths, *self.ro_binds]:
            for p in private:
                if _contains(bound.resolve(), p.resolve()):
                    # Binding e.g. the project root would expose task keys, runs and
                    # every other workspace: bind only the trees the code needs.
                    raise ValueError(f"read-only bind {bound} would expose {p}")
        return self
