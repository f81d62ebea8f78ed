"""The method guard: while a method runs, the kernel refuses new processes and sockets.

`install()` is called by the experiment runner (`aarlab.w2s.runmethod`) before it imports a
method's code, both in a researcher's `run_method` and in the verifier's re-runs, so a method
meets the same environment in both. It is irrevocable for the process and all its threads:

- `PR_SET_NO_NEW_PRIVS`, then a seccomp-BPF filter (the `seccomp()` syscall with
  `SECCOMP_FILTER_FLAG_TSYNC`, so threads started earlier, e.g. BLAS pools, get it too) that
  fails with EPERM: execve, execveat, fork, vfork, clone without CLONE_THREAD (threads keep
  working), socket, socketpair, connect, bind, listen, accept, accept4 (no network and no hub
  socket), ptrace, process_vm_readv/writev, and io_uring (whose ops could open sockets past
  the filter). clone3 fails with ENOSYS: its flags sit behind a pointer the filter cannot read,
  and glibc then falls back to clone, which the filter can. A syscall of another ABI (i386 or
  x32 on x86_64) kills the process.
- An audit hook (`sys.addaudithook`) that raises `ProcessBlocked` first at the Python
  operations the kernel would refuse (`os.system`, `subprocess`, `os.fork`, `os.exec*`,
  `os.posix_spawn`, creating a socket), so the method fails with a message that says why,
  instead of `os.system` quietly returning -1. The hook is only the message: ctypes or a C
  extension skip it and meet the kernel filter. Inside a sandbox each refusal is also recorded
  on the sandbox's audit channel (`AARLAB_AUDIT_FIFO`, the line format of
  `aarlab.sandbox.result.AuditEvent`) as a `guard.refused` event, so a method that catches the
  error and carries on still leaves evidence for the `forbidden-access` detector.

What a method therefore cannot use: anything that starts a worker process (a torch
`DataLoader` with `num_workers > 0`, joblib/loky `n_jobs` processes, `multiprocessing`), a
compiler called at run time (`torch.compile`), the network. Thread pools are fine.

Standard library only; Linux on x86_64 or aarch64. Where the filter cannot be installed,
`install()` raises `GuardUnavailable` (a fault of the system, never a silent fallback).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import platform
import struct
import sys
import time
from typing import Any

from aarlab.errors import AarlabError, UserError

BLOCKED = ("methods may not start processes or open sockets (os.system, subprocess, "
           "multiprocessing, network and the hub socket are blocked while a method runs)")


class GuardUnavailable(AarlabError):
    """The kernel guard cannot be installed here (a fault of the system)."""


class ProcessBlocked(UserError, PermissionError):
    """A method tried to start a process or open a socket under the guard."""

    def __init__(self, what: str) -> None:
        super().__init__(errno.EPERM, f"{BLOCKED}: {what}")


# --- the filter ---------------------------------------------------------------------------
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_CLONE_THREAD = 0x00010000
_X32_SYSCALL_BIT = 0x40000000
# classic BPF opcodes
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian)
_OFF_NR, _OFF_ARCH, _OFF_ARG0_LO = 0, 4, 16

_DENIED = ("execve", "execveat", "fork", "vfork", "socket", "socketpair", "connect", "bind",
           "listen", "accept", "accept4", "ptrace", "process_vm_readv", "process_vm_writev",
           "io_uring_setup", "io_uring_enter", "io_uring_register")


class _Arch:
    def __init__(self, audit: int, seccomp: int, numbers: dict[str, int], x32: bool) -> None:
        self.audit, self.seccomp, self.numbers, self.x32 = audit, seccomp, numbers, x32


_ARCHES = {
    "x86_64": _Arch(0xC000003E, 317, x32=True, numbers={
        "execve": 59, "execveat": 322, "fork": 57, "vfork": 58, "clone": 56, "clone3": 435,
        "socket": 41, "socketpair": 53, "connect": 42, "bind": 49, "listen": 50, "accept": 43,
        "accept4": 288, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}),
    "aarch64": _Arch(0xC00000B7, 277, x32=False, numbers={  # no fork/vfork: glibc uses clone
        "execve": 221, "execveat": 281, "clone": 220, "clone3": 435, "socket": 198,
        "socketpair": 199, "bind": 200, "listen": 201, "accept": 202, "connect": 203,
        "accept4": 242, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}),
}


def _ins(code: int, k: int, jt: int = 0, jf: int = 0) -> tuple[int, int, int, int]:
    return (code, jt, jf, k)


def program(arch: _Arch) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jt, jf, k) instructions."""
    deny = _RET_ERRNO | errno.EPERM
    nums = arch.numbers
    denied = [nums[n] for n in _DENIED if n in nums]
    prog = [_ins(_LD_W_ABS, _OFF_ARCH), _ins(_JEQ_K, arch.audit, jt=1), _ins(_RET_K, _RET_KILL_PROCESS),
            _ins(_LD_W_ABS, _OFF_NR)]
    if arch.x32:  # x32 syscalls report the x86_64 arch with this bit set in nr
        prog += [_ins(_JGE_K, _X32_SYSCALL_BIT, jf=1), _ins(_RET_K, _RET_KILL_PROCESS)]
    # clone: a thread (CLONE_THREAD in flags, arg0) is allowed, anything else is a new process
    prog += [_ins(_JEQ_K, nums["clone"], jf=4), _ins(_LD_W_ABS, _OFF_ARG0_LO),
             _ins(_JSET_K, _CLONE_THREAD, jf=1), _ins(_RET_K, _RET_ALLOW), _ins(_RET_K, deny)]
    prog += [_ins(_JEQ_K, nums["clone3"], jf=1), _ins(_RET_K, _RET_ERRNO | errno.ENOSYS)]
    for i, nr in enumerate(denied):  # on a match jump to the shared deny after the list
        prog.append(_ins(_JEQ_K, nr, jt=len(denied) - i))
    prog += [_ins(_RET_K, _RET_ALLOW), _ins(_RET_K, deny)]
    return prog


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _install_filter() -> None:
    machine = platform.machine()
    arch = _ARCHES.get(machine)
    if not sys.platform.startswith("linux") or arch is None:
        raise GuardUnavailable(f"the method guard needs Linux on {' or '.join(_ARCHES)}, "
                               f"not {sys.platform}/{machine}")
    prog = program(arch)
    raw = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *i) for i in prog))
    fprog = _SockFprog(len(prog), ctypes.addressof(raw))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        e = ctypes.get_errno()
        raise GuardUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(e)}")
    rc = libc.syscall(ctypes.c_long(arch.seccomp), ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
                      ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog))
    if rc != 0:
        why = os.strerror(ctypes.get_errno()) if rc < 0 else f"thread {rc} could not be synchronised"
        raise GuardUnavailable(f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {why}; the kernel "
                               "needs CONFIG_SECCOMP_FILTER")


# --- the message --------------------------------------------------------------------------
_AUDITED = {"os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn",
            "subprocess.Popen", "pty.spawn", "socket.__new__", "socket.connect", "socket.bind"}
_state: dict[str, Any] = {"installed": False, "fifo": None}


def _open_audit() -> int | None:
    fifo = os.environ.get("AARLAB_AUDIT_FIFO")
    if not fifo:
        return None
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # no reader: ENXIO, skip
    except OSError:
        return None
    os.set_blocking(fd, True)
    return fd


def _record(what: str) -> None:
    fd = _state["fifo"]
    if fd is None:
        return
    line = json.dumps({"event": "guard.refused", "detail": {"operation": what[:300]},
                       "pid": os.getpid(), "time": time.time()})  # < PIPE_BUF: one atomic write
    with contextlib.suppress(OSError):
        os.write(fd, (line + "\n").encode())


def _describe(event: str, args: tuple[Any, ...]) -> str:
    if event.startswith("socket."):  # args[0] is the socket, half made for __new__
        shown = args[1:] if event == "socket.__new__" else args[1:2]
    else:
        shown = args[:2]
    try:
        return f"{event} {' '.join(map(repr, shown))}"[:300]
    except Exception:  # a repr that fails must not hide the refusal
        return event


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event in _AUDITED:
        what = _describe(event, args)
        _record(what)
        raise ProcessBlocked(what)


def install() -> None:
    """Install the guard for this process and every thread (irrevocable; idempotent)."""
    if _state["installed"]:
        return
    _state["fifo"] = _open_audit()
    _install_filter()
    sys.addaudithook(_hook)
    _state["installed"] = True


def installed() -> bool:
    return _state["installed"]


__all__ = ["BLOCKED", "GuardUnavailable", "ProcessBlocked", "install", "installed"]
