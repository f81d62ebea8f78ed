"""aarlab audit hook, loaded by every Python process inside a sandbox (via PYTHONPATH).

It records attempts that matter to oversight (opening paths outside the allowed trees,
sockets other than the hub's, running bundle files, loading native code through ctypes) as
JSON lines on a FIFO whose reader is the host, so a record cannot be rewritten afterwards.
It is a record, not the guard: `python -I`, a non-Python program or ctypes bypass it. The
mounts, namespaces and limits are the guard.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Any

_MAX_LINE = 3800  # below PIPE_BUF (4096): each record is written atomically
_ALWAYS_OK = (
    "/dev/null", "/dev/urandom", "/dev/random", "/dev/zero", "/dev/shm", "/dev/tty",
    "/proc/self", "/proc/thread-self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat",
    "/proc/sys/kernel/random/boot_id", "/sys/devices/system/cpu", "/sys/fs/cgroup",
    "/etc/localtime", "/etc/ld.so.cache", "/usr/share/zoneinfo", "/usr/lib/locale",
    "/usr/share/locale",
)  # fmt: skip


def _env_paths(name: str) -> list[str]:
    return [os.path.normpath(p) for p in os.environ.get(name, "").split(os.pathsep) if p]


def _roots() -> tuple[str, ...]:
    prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix]
    return tuple(
        os.path.normpath(p) for p in [*_env_paths("AARLAB_AUDIT_ALLOW"), *prefixes, *_ALWAYS_OK]
    )


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def _install() -> None:
    fifo = os.environ.get("AARLAB_AUDIT_FIFO")
    if not fifo:
        return
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        os.set_blocking(fd, True)
    except OSError:
        return
    roots = _roots()
    deny = tuple(_env_paths("AARLAB_AUDIT_DENY"))
    own = tuple(_env_paths("AARLAB_AUDIT_OWN"))
    hub = os.environ.get("AARLAB_HUB_SOCKET", "")
    bundle = os.environ.get("AARLAB_BUNDLE", "/bundle")
    proc_own = f"/proc/{os.getpid()}"

    def emit(event: str, detail: dict[str, Any]) -> None:
        record = {"event": event, "detail": detail, "pid": os.getpid(), "time": time.time()}
        line = json.dumps(record, default=repr)
        if len(line) > _MAX_LINE:
            record["detail"] = {k: str(v)[:200] for k, v in detail.items()}
            line = json.dumps(record, default=repr)
        with contextlib.suppress(OSError):
            os.write(fd, (line + "\n").encode())

    def as_text(value: object) -> str:
        if isinstance(value, bytes):
            return value.decode(errors="replace")
        return str(value)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        try:
            if event == "open":
                path = args[0]
                if isinstance(path, int):
                    return
                full = os.path.normpath(os.path.join(os.getcwd(), as_text(path)))
                allowed = _under(full, roots) or _under(full, (proc_own,))
                if (_under(full, deny) and not _under(full, own)) or not allowed:
                    emit("open", {"path": full, "mode": as_text(args[1])})
            elif event in ("socket.connect", "socket.bind"):
                address = args[1]
                if isinstance(address, str | bytes) and as_text(address) == hub:
                    return
                emit(event, {"address": repr(address)})
            elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn"):
                words = " ".join(as_text(a) for a in args[:2])
                if bundle and bundle in words:
                    emit("exec", {"via": event, "args": words[:1000]})
            elif event == "ctypes.dlopen" and args[0] is not None:  # None: the program itself
                name = as_text(args[0])
                if not _under(os.path.normpath(name), roots):
                    emit("ctypes", {"library": name})
        except Exception:  # an audit hook must never break the researcher's code
            pass

    sys.addaudithook(hook)
    argv = [as_text(a) for a in getattr(sys, "orig_argv", [])]
    if bundle and any(a.startswith(bundle + "/") for a in argv):  # e.g. `python /bundle/x.py`
        emit("exec", {"via": "argv", "args": " ".join(argv)[:1000]})


_install()
