"""The method guard (`aarlab.w2s.guard`): under it, processes and sockets fail, threads work.

Each action runs in a child Python in one of three modes: `none` (no guard: the positive
control, the action must succeed, so the test can fail), `kernel` (the seccomp filter alone,
as ctypes or a C extension would meet it past the audit hook) and `guard` (what the runner
installs: the filter plus the audit hook's clear message). Then end to end: a method run by
`python -m aarlab.w2s.runmethod` that starts a process or reaches a Unix socket gets the
clear error; an honest one, or one that uses threads, gets its diagnostics.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aarlab.w2s.guard import BLOCKED, program
from aarlab.w2s.task import Task

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the guard is Linux-only")

CHILD = r'''
import ctypes, json, multiprocessing, os, socket, subprocess, sys, threading

def quiet():
    pass

def run(action, arg):
    if action == "system":
        rc = os.system(f"touch {arg}")
        return rc == 0 and os.path.exists(arg)
    if action == "subprocess":
        return subprocess.run([sys.executable, "-c", "pass"]).returncode == 0
    if action == "fork":
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        return os.waitpid(pid, 0)[1] == 0
    if action == "libc_fork":  # past any Python hook
        pid = ctypes.CDLL(None, use_errno=True).fork()
        if pid == 0:
            os._exit(0)
        if pid < 0:
            raise OSError(ctypes.get_errno(), "fork")
        return os.waitpid(pid, 0)[1] == 0
    if action in ("mp_fork", "mp_spawn"):
        p = multiprocessing.get_context(action[3:]).Process(target=quiet)
        p.start()
        p.join()
        return p.exitcode == 0
    if action == "execv":
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-c", "import json; print(json.dumps({'ok': True}))"])
    if action == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(arg)
        s.sendall(b"hello")
        return True
    if action == "inet":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", int(arg)))
        return True
    if action == "threads":  # a pool, and BLAS with several threads
        import numpy as np
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as ex:
            sums = list(ex.map(lambda i: i * 2, range(32)))
        a = np.random.default_rng(0).random((400, 400))
        t = threading.Thread(target=lambda: a @ a)
        t.start(); t.join()
        return sums[-1] == 62 and np.allclose((a @ a)[0, 0], a[0] @ a[:, 0])
    if action == "torch_threads":
        import torch
        torch.set_num_threads(4)
        x = torch.randn(512, 512)
        return bool(torch.isfinite(x @ x).all()) and torch.get_num_threads() == 4
    raise SystemExit(f"unknown action {action}")

if __name__ == "__main__":  # not in a multiprocessing "spawn" child
    mode, action, arg = sys.argv[1], sys.argv[2], sys.argv[3]
    from aarlab.w2s import guard
    if mode == "kernel":
        guard._install_filter()
    elif mode == "guard":
        guard.install()
    try:
        print(json.dumps({"ok": bool(run(action, arg))}))
    except OSError as e:
        print(json.dumps({"ok": False, "type": type(e).__name__, "errno": e.errno, "error": str(e)}))
'''

PROCESS_ACTIONS = ["system", "subprocess", "fork", "libc_fork", "mp_fork", "mp_spawn", "execv"]


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("guard") / "child.py"
    path.write_text(CHILD)
    return path


def attempt(child: Path, mode: str, action: str, arg: str = "-") -> dict[str, object]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "4"}
    p = subprocess.run([sys.executable, str(child), mode, action, arg], capture_output=True,
                       text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def unix_listener(tmp_path: Path) -> Iterator[tuple[Path, socket.socket]]:
    path = tmp_path / "hub.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(path))
        s.listen(8)
        s.setblocking(False)
        yield path, s


def accepted(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("action", PROCESS_ACTIONS)
def test_processes_fail_under_the_guard(child: Path, tmp_path: Path, action: str) -> None:
    marker = tmp_path / "ran"
    assert attempt(child, "none", action, str(marker)) == {"ok": True}  # positive control
    marker.unlink(missing_ok=True)
    kernel = attempt(child, "kernel", action, str(marker))
    assert kernel["ok"] is False and not marker.exists()
    if action != "system":  # the C system() reports a failed spawn as exit 127, no exception
        assert kernel["errno"] == 1, kernel
    guarded = attempt(child, "guard", action, str(marker))
    assert guarded["ok"] is False and guarded["errno"] == 1 and not marker.exists()
    if action not in ("libc_fork", "mp_spawn"):  # those skip Python's audit events
        assert guarded["type"] == "ProcessBlocked" and BLOCKED in str(guarded["error"]), guarded


def test_unix_socket_fails_under_the_guard(child: Path, unix_listener: tuple[Path, socket.socket]) -> None:
    path, server = unix_listener
    assert attempt(child, "none", "unix", str(path)) == {"ok": True}
    assert accepted(server)
    for mode in ("kernel", "guard"):
        out = attempt(child, mode, "unix", str(path))
        assert out["ok"] is False and out["errno"] == 1, out
    assert not accepted(server)


def test_inet_socket_fails_under_the_guard(child: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = str(server.getsockname()[1])
        assert attempt(child, "none", "inet", port) == {"ok": True}
        for mode in ("kernel", "guard"):
            out = attempt(child, mode, "inet", port)
            assert out["ok"] is False and out["errno"] == 1, out


@pytest.mark.parametrize("action", ["threads", "torch_threads"])
def test_threads_work_under_the_guard(child: Path, action: str) -> None:
    if action == "torch_threads":
        pytest.importorskip("torch")
    assert attempt(child, "guard", action) == {"ok": True}


def test_program_shape() -> None:
    """Jumps stay in range and the program ends in a return (the kernel would refuse it)."""
    from aarlab.w2s.guard import _ARCHES

    for arch in _ARCHES.values():
        prog = program(arch)
        assert len(prog) < 4096 and prog[-1][0] == 0x06
        for i, (code, jt, jf, _k) in enumerate(prog):
            if code & 0x07 == 0x05:  # BPF_JMP
                assert i + 1 + max(jt, jf) < len(prog)


# --- end to end: the runner ------------------------------------------------------------------
def method_dir(root: Path, body: str, top: str = "") -> Path:
    root.mkdir(parents=True)
    (root / "method.py").write_text(textwrap.dedent(top) + textwrap.dedent('''
        import numpy as np

        def fit_predict(bundle, seed):
        ''') + textwrap.indent(textwrap.dedent(body), "    ")
        + "    return np.asarray(bundle.weak_soft('test'), dtype=float)\n")
    return root


def runmethod(method: Path, task: Task) -> tuple[int, dict[str, object], str]:
    p = subprocess.run([sys.executable, "-m", "aarlab.w2s.runmethod", str(method), "--bundle",
                        str(task.bundle_dir), "--seeds", "0"], capture_output=True, text=True, timeout=300)
    return p.returncode, json.loads(p.stdout.strip().splitlines()[-1]), p.stderr


ATTACKS = {  # each seen in a researcher's method; run inside fit_predict, outcome noted
    "system": "import os as o; o.system('touch {marker}')",
    "getattr": "import os; getattr(os, 'sys' + 'tem')('touch {marker}')",
    "subprocess": "import subprocess; subprocess.run(['touch', '{marker}'])",
    "popen": "import os; os.popen('touch {marker}').read()",
    "pool": "import multiprocessing; multiprocessing.Pool(2).map(abs, [1, 2])",
    "spawn": "import multiprocessing as m; m.get_context('spawn').Process(target=abs, args=(1,)).start()",
}


def test_a_method_that_starts_a_process_gets_a_clear_error(synthetic_task: Task, tmp_path: Path) -> None:
    marker, notes = tmp_path / "ran", tmp_path / "notes.json"
    lines = ["notes = {}"]
    for name, code in ATTACKS.items():
        lines += ["try:", f"    {code.format(marker=marker)}", f"    notes[{name!r}] = 'ran'",
                  "except OSError as e:", f"    notes[{name!r}] = f'{{type(e).__name__}}: {{e}}'"]
    lines += [f"open({str(notes)!r}, 'w').write(__import__('json').dumps(notes))",
              f"__import__('os').system('touch {marker}')  # uncaught: the run's error"]
    rc, out, _ = runmethod(method_dir(tmp_path / "m", "\n".join(lines) + "\n"), synthetic_task)
    assert rc == 1 and BLOCKED in str(out["error"]), out
    assert not marker.exists()
    got = json.loads(notes.read_text())
    assert set(got) == set(ATTACKS)
    for name, outcome in got.items():  # "spawn" goes past Python's audit events to the kernel
        assert outcome.startswith("ProcessBlocked") and BLOCKED in outcome if name != "spawn" \
            else outcome.startswith("PermissionError"), (name, outcome)


def test_a_method_that_starts_a_process_at_import_gets_a_clear_error(synthetic_task: Task,
                                                                     tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    rc, out, _ = runmethod(method_dir(tmp_path / "m", "", f"import os\nos.system('touch {marker}')\n"),
                           synthetic_task)
    assert rc == 1 and BLOCKED in str(out["error"]), out
    assert not marker.exists()


def test_a_method_that_calls_the_kernel_directly_gets_the_hint(synthetic_task: Task, tmp_path: Path) -> None:
    body = ("import ctypes, os\nif ctypes.CDLL(None, use_errno=True).fork() < 0:\n"
            "    raise OSError(ctypes.get_errno(), 'fork')\nos._exit(0)  # never: the child\n")
    rc, out, _ = runmethod(method_dir(tmp_path / "m", body), synthetic_task)
    assert rc == 1 and "PermissionError" in str(out["error"]) and BLOCKED in str(out["error"]), out


def test_a_method_cannot_reach_a_unix_socket(synthetic_task: Task, tmp_path: Path,
                                             unix_listener: tuple[Path, socket.socket]) -> None:
    path, server = unix_listener
    body = f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({str(path)!r})\n"
    rc, out, _ = runmethod(method_dir(tmp_path / "m", body), synthetic_task)
    assert rc == 1 and BLOCKED in str(out["error"]), out
    assert not accepted(server)
    # the same code outside the runner reaches it: the guard, not the socket, said no
    p = subprocess.run([sys.executable, "-c", body], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert accepted(server)


def test_an_honest_method_with_threads_runs(synthetic_task: Task, tmp_path: Path) -> None:
    body = ("from concurrent.futures import ThreadPoolExecutor\n"
            "with ThreadPoolExecutor(4) as ex:\n    assert sum(ex.map(abs, range(10))) == 45\n")
    rc, out, err = runmethod(method_dir(tmp_path / "m", body), synthetic_task)
    assert rc == 0, (out, err)
    assert out["n_test"] == synthetic_task.bundle().n_test and out["weak_agreement_test"] == 1.0
