"""The isolating sandbox: one bubblewrap container per command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from aarlab.sandbox.audit import GUEST_SITE_DIR
from aarlab.sandbox.base import SandboxUnavailable
from aarlab.sandbox.runner import SandboxRunner, guest_env
from aarlab.sandbox.spec import (
    AUDIT_FIFO_MOUNT,
    BUNDLE_MOUNT,
    GUEST_SITE_MOUNT,
    HUB_SOCKET_MOUNT,
    WORKSPACE_MOUNT,
    SandboxSpec,
)

SANDBOX_UID = 1000
INSTALL_HINT = (
    "install bubblewrap (`apt-get install bubblewrap`), or pass --unsafe-no-sandbox to run "
    "researchers with NO isolation at all"
)
_SYSTEM_TREES = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
_ETC_FILES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime",
    "nsswitch.conf", "mime.types", "ssl/certs",
)  # fmt: skip


class BwrapSandbox(SandboxRunner):
    """Bubblewrap isolation: every namespace unshared (no network at all; the hub's Unix
    socket is bound in), an empty read-only root with system trees, Python and the bundle
    bound read-only, the workspace read-write, a private size-capped /tmp, a
    non-root uid without capabilities, and kernel limits from `spec.limits`."""

    def __init__(self, spec: SandboxSpec) -> None:
        super().__init__(spec)
        try:
            self._write_etc()
            self._check_usable()
        except BaseException:
            self.close()
            raise

    @property
    def isolated(self) -> bool:
        return True

    @property
    def warning(self) -> str | None:
        return None

    def _check_usable(self) -> None:
        bwrap = self.spec.bwrap_path
        if not (bwrap.is_file() and os.access(bwrap, os.X_OK)):
            raise SandboxUnavailable(f"bubblewrap not found at {bwrap}: {INSTALL_HINT}")
        if self.process_limit == "none":
            raise SandboxUnavailable(
                "running as root without a writable pids cgroup: the kernel does not apply "
                "RLIMIT_NPROC to root, so the process limit cannot be enforced; run as an "
                "unprivileged user or give aarlab a pids cgroup (/sys/fs/cgroup/pids or a "
                "cgroup v2 tree with the pids controller)"
            )
        probe = subprocess.run(
            self._argv(["true"], {}), capture_output=True, text=True, timeout=30, check=False
        )
        if probe.returncode != 0:
            raise SandboxUnavailable(
                f"bubblewrap at {bwrap} cannot start a sandbox here "
                f"(exit {probe.returncode}: {probe.stderr.strip()[:500]}); user namespaces may "
                f"be disabled (sysctl kernel.unprivileged_userns_clone / "
                f"kernel.apparmor_restrict_unprivileged_userns). Or {INSTALL_HINT}"
            )

    def _cwd(self) -> Path:
        return self.state_dir  # bwrap's own cwd on the host; the guest's is --chdir

    def _guest_env(self, extra: dict[str, str]) -> dict[str, str]:
        spec = self.spec
        venv_bins = [f"{p}/bin" for p in spec.python_paths if (p / "bin" / "python3").exists()]
        allow = [BUNDLE_MOUNT, WORKSPACE_MOUNT, Path("/tmp"), GUEST_SITE_MOUNT]
        env = guest_env(
            path=[*venv_bins, "/usr/local/bin", "/usr/bin", "/bin"],
            home=WORKSPACE_MOUNT,
            site=GUEST_SITE_MOUNT,
            bundle=BUNDLE_MOUNT,
            fifo=AUDIT_FIFO_MOUNT,
            allow=[*allow, *spec.python_paths, *spec.ro_binds],
            deny=spec.sensitive_paths,
            hub_socket=HUB_SOCKET_MOUNT if spec.hub_socket is not None else None,
        )
        return {**env, **spec.env, **extra}

    def _argv(self, cmd: list[str], guest_env: dict[str, str]) -> list[str]:
        spec = self.spec
        args = [str(spec.bwrap_path), "--unshare-all", "--unshare-user", "--disable-userns"]
        args += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--cap-drop", "ALL"]
        args += ["--die-with-parent", "--new-session", "--hostname", "aarlab"]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--size", str(spec.limits.tmp_bytes), "--tmpfs", "/tmp"]
        for tree in _SYSTEM_TREES:
            path = Path(tree)
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), tree]
            elif path.is_dir():
                args += ["--ro-bind", tree, tree]
        args += self._etc_args()
        bound = [*spec.python_paths, *spec.ro_binds]
        for p in bound:
            args += ["--ro-bind", str(p), str(p)]
        trees = [Path(t).resolve() for t in _SYSTEM_TREES] + [p.resolve() for p in bound]
        for p in spec.hidden_paths:
            if any(t == p or t in p.parents for t in trees):
                args += ["--tmpfs", str(p)]  # elsewhere it does not exist inside anyway
        args += ["--ro-bind", str(GUEST_SITE_DIR / "sitecustomize.py")]
        args += [str(GUEST_SITE_MOUNT / "sitecustomize.py")]
        args += ["--ro-bind", str(spec.bundle_dir), str(BUNDLE_MOUNT)]
        args += ["--bind", str(spec.workspace), str(WORKSPACE_MOUNT)]
        # A FIFO and a socket stay writable/connectable on a read-only bind.
        args += ["--ro-bind", str(self.audit.path), str(AUDIT_FIFO_MOUNT)]
        if spec.hub_socket is not None:
            args += ["--ro-bind", str(spec.hub_socket), str(HUB_SOCKET_MOUNT)]
        args += ["--remount-ro", "/", "--chdir", str(WORKSPACE_MOUNT), "--clearenv"]
        for key, value in guest_env.items():
            args += ["--setenv", key, value]
        return [*args, "--", *cmd]

    def _write_etc(self) -> None:
        (self.state_dir / "passwd").write_text(
            f"root:x:0:0:root:/root:/bin/sh\n"
            f"researcher:x:{SANDBOX_UID}:{SANDBOX_UID}::{WORKSPACE_MOUNT}:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        )
        (self.state_dir / "group").write_text(
            f"root:x:0:\nresearcher:x:{SANDBOX_UID}:\nnogroup:x:65534:\n"
        )

    def _etc_args(self) -> list[str]:
        args = ["--dir", "/etc"]
        for name in ("passwd", "group"):
            args += ["--ro-bind", str(self.state_dir / name), f"/etc/{name}"]
        for name in _ETC_FILES:
            if Path("/etc", name).exists():
                args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        return args
