"""`aarlab run` end to end as a user runs it: the CLI in a subprocess, real bwrap sandboxes, a
real hub subprocess, built-in researchers on a small slice of the real tweets data.

The resume test SIGKILLs the orchestrator mid-run, under a CPU hog: its hub, researchers and
their sandboxed commands must all be gone within seconds, and `--resume` must continue the same
run with every acknowledged write kept.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aarlab.lifeline import STOP_GRACE_S
from aarlab.oversight.hubdb import HubDbSource

pytestmark = pytest.mark.slow

MAX_ITEMS = 800


def aarlab(*args: str, env: dict[str, str], **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "aarlab", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("aarlab-home")


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return os.environ | {"AARLAB_HOME": str(home), "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}


def summary(output: str) -> dict[str, str]:
    out = {}
    for line in output.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key and " " not in key:
            out.setdefault(key, value.strip())
    return out


def wait_for(cond: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def state(run_dir: Path) -> dict:  # type: ignore[type-arg]
    try:
        return json.loads((run_dir / "state.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def notebook_lines(run_dir: Path) -> dict[str, list[str]]:
    return {p.parent.name: p.read_text().splitlines() for p in sorted(run_dir.glob("researchers/*/notebook.jsonl"))}


def proc_stats() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every live process (zombies left out)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            out[int(stat.parent.name)] = (int(fields[1]), fields[19])
    return out


def descendants(root: int) -> dict[int, str]:
    """pid -> start time of every process below `root`."""
    stats = proc_stats()
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, start) in stats.items():
            if ppid == parent and pid not in found:
                found[pid] = start
                todo.append(pid)
    return found


def survivors(tree: dict[int, str], marker: str) -> list[str]:
    """Processes of `tree` still running, and any other whose command line names `marker`."""
    stats = proc_stats()
    left = [pid for pid, start in tree.items() if pid in stats and stats[pid][1] == start]
    for pid in stats:
        if pid != os.getpid() and pid not in left and marker in cmdline(pid):
            left.append(pid)
    return [f"{pid}: {cmdline(pid)[:200]}" for pid in left]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_refuses_without_bubblewrap(env: dict[str, str], tmp_path: Path) -> None:
    run_dir = tmp_path / "refused"
    proc = aarlab("run", "--max-items", str(MAX_ITEMS), "--minutes", "1", "--no-live", "--run-dir",
                  str(run_dir), env=env | {"AARLAB_BWRAP": str(tmp_path / "no-such-bwrap")})
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2, out
    flat = " ".join(out.split())  # the console wraps a long message (a long tmp path) anywhere
    assert "bubblewrap not found" in flat and "apt-get install bubblewrap" in flat
    assert "--unsafe-no-sandbox" in flat
    assert not (run_dir / "config.json").exists()  # refused before writing anything


@pytest.mark.parametrize("args, message", [
    (["--researcher", "wizard=2"], "unknown researcher kind 'wizard'"),
    (["--researcher", "hacker:nope"], "nope"),
    (["--dataset", "imagenet"], "unknown dataset 'imagenet'"),
    (["--max-items", "3"], "--max-items must be at least 20"),
])
def test_bad_options_are_refused_clearly(env: dict[str, str], tmp_path: Path, args: list[str],
                                         message: str) -> None:
    proc = aarlab("run", *args, "--no-live", "--run-dir", str(tmp_path / "r"), env=env)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2 and message in out and "Traceback" not in out, out
    assert not (tmp_path / "r").exists()


def test_sigkill_then_resume_loses_nothing(env: dict[str, str], tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    minutes = 2.0
    first = aarlab("run", "--researcher", "builtin=2", "--max-items", str(MAX_ITEMS), "--minutes",
                   str(minutes), "--no-verify", "--no-live", "--run-dir", str(run_dir), env=env)
    try:
        # Kill once both researchers run and the hub has acknowledged a scored submission.
        wait_for(lambda: first.poll() is not None or (
            all(m.get("pid") for m in state(run_dir).get("members", {}).values())
            and len(state(run_dir).get("members", {})) == 2
            and (run_dir / "hub.db").exists() and HubDbSource.for_run(run_dir).submissions()),
            timeout=300, what="two running researchers and a first submission")
        assert first.poll() is None, first.communicate()[0]
        before = state(run_dir)
        tree = descendants(first.pid)  # the hub, the researchers, their sandboxed commands
        assert {m["pid"] for m in before["members"].values()} | {before["hub_pid"]} <= set(tree)
        # A loaded machine: busy loops on every core while the children must die.
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(max(2, os.cpu_count() or 2))]
        try:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            # Every child ends within seconds (lifeline: SIGTERM, a grace, SIGKILL of its group).
            t0 = time.monotonic()
            while (left := survivors(tree, str(run_dir))) and time.monotonic() - t0 < 15:
                time.sleep(0.2)
            assert not left, f"still running {time.monotonic() - t0:.0f} s after the kill: {left}"
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait()
    finally:
        if first.poll() is None:
            first.kill()
    subs_before = {s.id for s in HubDbSource.for_run(run_dir).submissions()}
    notes_before = notebook_lines(run_dir)
    assert subs_before and any(notes_before.values())

    second = aarlab("run", "--resume", str(run_dir), "--no-live", env=env)
    out, _ = second.communicate(timeout=600)
    assert second.returncode == 0, out
    s = summary(out)
    assert s["run_dir"] == str(run_dir) and s["researchers"] == "2"
    after = state(run_dir)
    assert after["resumes"] == 1 and after["finished"] is True
    assert after["elapsed_s"] >= minutes * 60 - 5
    # The resumed team ran only what was left of the time budget (plus its start and its stop's
    # grace; the summary's baselines after it take what a loaded machine makes them take).
    events = [json.loads(ln) for ln in (run_dir / "events.jsonl").read_text().splitlines()]
    resumed_s = events[-1]["t"] - next(e["t"] for e in events if e["event"] == "resume")
    assert resumed_s < minutes * 60 - before["elapsed_s"] + STOP_GRACE_S + 45
    # Every acknowledged submission and every notebook line written before the kill is kept.
    subs_after = {x.id for x in HubDbSource.for_run(run_dir).submissions()}
    assert subs_before <= subs_after
    assert int(s["submissions"]) == len(subs_after)
    notes_after = notebook_lines(run_dir)
    for name, lines in notes_before.items():
        complete = [ln for ln in lines if ln.endswith("}")]
        assert notes_after[name][: len(complete)] == complete
    names = [e["event"] for e in events]
    assert names.count("create") == 1 and names.count("resume") == 1 and names[-1] == "stop"
    assert (run_dir / "researchers" / "builtin-1" / "outcome.json").exists()


def test_mixed_team_of_three_kinds(env: dict[str, str], tmp_path: Path) -> None:
    """builtin + a hacker + an LLM kind (OpenAI SDK against the local fake server) in one run:
    every member gets its own name, process, hub identity and status."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "researchers"))
    from fake_llm import FakeLLM, Turn

    llm = FakeLLM([Turn(calls=[("notebook_append", {"kind": "hypothesis", "text": "mixed team"})]),
                   Turn(calls=[("shell", {"command": "ls /bundle"})]),
                   Turn(calls=[("finish", {"summary": "looked around"})])]).start()
    run_dir = tmp_path / "mixed"
    try:
        proc = aarlab("run", "--researcher", "builtin=1", "--researcher", "hacker:probe",
                      "--researcher", "openai:local-model", "--base-url", f"{llm.url}/v1",
                      "--max-items", str(MAX_ITEMS), "--minutes", "1", "--no-verify", "--no-live",
                      "--run-dir", str(run_dir), env={k: v for k, v in env.items() if k != "OPENAI_API_KEY"})
        out, _ = proc.communicate(timeout=600)
    finally:
        llm.stop()
    assert proc.returncode == 0, out
    names = {"builtin-1", "hacker-probe-1", "openai-1"}
    assert summary(out)["researchers"] == "3"
    members = state(run_dir)["members"]
    assert set(members) == names and {m["spec"] for m in members.values()} == {
        "builtin", "hacker:probe", "openai:local-model"}
    assert all(m["researcher_id"] for m in members.values())  # each its own hub identity
    assert members["openai-1"]["status"] == "finished" and members["openai-1"]["exit_codes"] == [0]
    assert llm.requests and all(r["model"] == "local-model" for r in llm.requests)
    assert not llm.script  # the LLM researcher played its whole script through the SDK
    for name in names:
        assert (run_dir / "researchers" / name / "status.json").exists(), name
    notes = notebook_lines(run_dir)
    assert any("mixed team" in ln for ln in notes["openai-1"])
    assert notes["builtin-1"] and notes["hacker-probe-1"]
