"""What every sandbox kind shares: limits, quota, audit channel and the result record.
A kind supplies only how a command becomes an argv (`_argv`) and its environment."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
import weakref
from pathlib import Path

from aarlab.sandbox.audit import AuditChannel, append_log, parse_events
from aarlab.sandbox.limits import PidsCgroup, make_preexec, process_limit_mode
from aarlab.sandbox.process import Outcome, Watch, run_process
from aarlab.sandbox.quota import workspace_usage
from aarlab.sandbox.result import AuditEvent, CommandResult
from aarlab.sandbox.spec import SandboxSpec

log = logging.getLogger(__name__)


def guest_env(
    *,
    path: list[str],
    home: Path,
    site: Path,
    bundle: Path,
    fifo: Path,
    allow: list[Path],
    deny: list[Path],
    hub_socket: Path | None,
) -> dict[str, str]:
    """The whole environment a sandboxed command starts with (nothing inherited)."""
    env = {
        "PATH": ":".join(path),
        "HOME": str(home),
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(site),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AARLAB_BUNDLE": str(bundle),
        "AARLAB_AUDIT_FIFO": str(fifo),
        "AARLAB_AUDIT_ALLOW": ":".join(str(p) for p in allow),
        "AARLAB_AUDIT_DENY": ":".join(str(p) for p in deny),
        # the sandbox's own bundle and workspace win over `deny` (a workspace under the run dir)
        "AARLAB_AUDIT_OWN": ":".join([str(bundle), str(home)]),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "MPLBACKEND": "Agg",
    }
    if hub_socket is not None:
        env["AARLAB_HUB_SOCKET"] = str(hub_socket)
    return env


class SandboxRunner:
    """Base of the concrete sandboxes. Not itself a sandbox: it has no `_argv`."""

    spec: SandboxSpec

    def __init__(self, spec: SandboxSpec) -> None:
        self.spec = spec
        self.state_dir = Path(tempfile.mkdtemp(prefix=f"aarlab-sbx-{spec.name}-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.state_dir, True)
        self.audit = AuditChannel(self.state_dir)
        self.process_limit, self._cgroup_parent = process_limit_mode()
        self._count = 0
        self._lock = threading.Lock()

    # -- to be provided by a kind -------------------------------------------------------
    @property
    def isolated(self) -> bool:
        raise NotImplementedError

    @property
    def warning(self) -> str | None:
        raise NotImplementedError

    def _argv(self, cmd: list[str], guest_env: dict[str, str]) -> list[str]:
        raise NotImplementedError

    def _guest_env(self, extra: dict[str, str]) -> dict[str, str]:
        raise NotImplementedError

    def _host_env(self, guest_env: dict[str, str]) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin"}

    def _cwd(self) -> Path:
        return self.spec.workspace

    # -- shared ---------------------------------------------------------------------------
    def close(self) -> None:
        self.audit.close()
        self._finalizer()

    def __enter__(self) -> SandboxRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self,
        cmd: str | list[str],
        timeout: float | None = None,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        with self._lock:  # one command at a time: the audit channel is per sandbox
            return self._run(cmd, timeout, env, stdin)

    def _run(
        self,
        cmd: str | list[str],
        timeout: float | None,
        env: dict[str, str] | None,
        stdin: str | None,
    ) -> CommandResult:
        limits = self.spec.limits
        self._count += 1
        command_id = f"{self.spec.name}-{self._count}-{uuid.uuid4().hex[:6]}"
        argv = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        before = workspace_usage(self.spec.workspace)
        # No single write may take the workspace over its quota; once over, nothing grows
        # (RLIMIT_FSIZE 0 still lets the researcher delete files to get back under).
        room = max(0, limits.workspace_bytes - before.bytes)
        file_size = min(limits.file_size_bytes, room)
        cgroup = self._new_cgroup(command_id)
        preexec = make_preexec(
            limits, file_size=file_size, cgroup=cgroup, nproc=self.process_limit == "rlimit-nproc"
        )
        watch = Watch(
            self.spec.workspace,
            max(limits.workspace_bytes, before.bytes),
            max(limits.workspace_files, before.files),
            limits.quota_poll_s,
        )
        guest_env = self._guest_env(dict(env or {}))
        outcome = run_process(
            self._argv(argv, guest_env),
            env=self._host_env(guest_env),
            cwd=self._cwd(),
            stdin=stdin,
            timeout=timeout if timeout is not None else limits.timeout_s,
            output_cap=limits.output_bytes,
            preexec=preexec,
            audit_fd=self.audit.read_fd,
            watch=watch,
            on_exit=cgroup.remove if cgroup is not None else (lambda: None),
        )
        return self._record(command_id, outcome)

    def _new_cgroup(self, command_id: str) -> PidsCgroup | None:
        if self._cgroup_parent is None:
            return None
        return PidsCgroup(self._cgroup_parent / command_id, self.spec.limits.max_processes)

    def _record(self, command_id: str, outcome: Outcome) -> CommandResult:
        events = parse_events(outcome.audit, sandbox=self.spec.name, command_id=command_id)
        if outcome.quota_exceeded:
            events.append(
                AuditEvent(
                    sandbox=self.spec.name,
                    command_id=command_id,
                    event="host",
                    detail={"quota_exceeded": str(self.spec.workspace)},
                )
            )
        append_log(self.spec.audit_log, events)
        rc = outcome.returncode
        signal_no = -rc if rc < 0 else (rc - 128 if 128 < rc <= 128 + 64 else None)
        return CommandResult(
            command_id=command_id,
            exit_code=rc,
            stdout=outcome.stdout,
            stderr=outcome.stderr,
            timed_out=outcome.timed_out,
            truncated=outcome.truncated,
            quota_exceeded=outcome.quota_exceeded,
            duration_s=outcome.duration_s,
            killed_by_signal=signal_no,
            audit_events=events,
        )
