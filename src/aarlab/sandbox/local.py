"""The unsafe mode: commands run as plain host processes. NOT a security boundary."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from aarlab.sandbox.audit import GUEST_SITE_DIR
from aarlab.sandbox.runner import SandboxRunner, guest_env
from aarlab.sandbox.spec import SandboxSpec

log = logging.getLogger(__name__)

UNSAFE_WARNING = (
    "UNSAFE: --unsafe-no-sandbox runs researcher code as a plain host process with only "
    "rlimits and a timeout. It is NOT a security boundary: the code can read the answer key, "
    "the hub database and other workspaces, use the network, and signal any process of this "
    "user. Use it only with researchers you trust completely."
)


class UnsafeLocalSandbox(SandboxRunner):
    """Runs commands with `subprocess` in the workspace, with the same rlimits, timeout,
    output cap, workspace quota and audit hook as `BwrapSandbox`, but no isolation at all
    (like smolagents' local executor, this is no sandbox). Paths are host paths:
    `AARLAB_BUNDLE` points at the host bundle directory."""

    def __init__(self, spec: SandboxSpec) -> None:
        super().__init__(spec)
        log.warning("%s (sandbox %s)", UNSAFE_WARNING, spec.name)

    @property
    def isolated(self) -> bool:
        return False

    @property
    def warning(self) -> str:
        return UNSAFE_WARNING

    def _argv(self, cmd: list[str], guest_env: dict[str, str]) -> list[str]:
        return cmd

    def _host_env(self, guest_env: dict[str, str]) -> dict[str, str]:
        return guest_env

    def _guest_env(self, extra: dict[str, str]) -> dict[str, str]:
        spec = self.spec
        allow: list[Path] = [spec.bundle_dir, spec.workspace, Path("/tmp"), GUEST_SITE_DIR]
        env = guest_env(
            path=[str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"],
            home=spec.workspace,
            site=GUEST_SITE_DIR,
            bundle=spec.bundle_dir,
            fifo=self.audit.path,
            allow=[*allow, *spec.python_paths, *spec.ro_binds],
            deny=spec.sensitive_paths,
            hub_socket=spec.hub_socket,
        )
        return {**env, **spec.env, **extra}
