"""Every command refuses a bad invocation the same way: `error: <how to fix it>` on stderr,
exit code 2, no traceback, within seconds (options are checked before any work), and nothing
written. A fault of the system still fails loudly with its traceback.

Each case runs `python -m aarlab` in a subprocess with a fresh AARLAB_HOME and working directory
under one temp dir (which also holds the case's run directories), whose whole tree must be the
same afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from aarlab import cli
from aarlab.commands import checks
from aarlab.errors import UserError

SECONDS = 15.0  # generous on a loaded 2-core machine; preparing a dataset takes minutes


def run_dir(root: Path) -> Path:
    """An empty directory standing for a run directory."""
    (root / "run").mkdir()
    return root / "run"


def corrupt_run(root: Path) -> Path:
    (root / "run").mkdir()
    (root / "run" / "config.json").write_text("{not json")
    return root / "run"


def finished_run(root: Path) -> Path:
    (root / "run").mkdir()
    (root / "run" / "config.json").write_text("{}")
    return root / "run"


def key_dir(root: Path) -> Path:
    (root / "key").mkdir()
    return root / "key"


def bad_hub_json(root: Path) -> Path:
    (root / "run").mkdir()
    (root / "run" / "hub.json").write_text('{"budgets": {"total": -1}}')
    return root / "run"


def a_file(root: Path) -> Path:
    (root / "file").write_text("x")
    return root / "file"


@dataclass
class Case:
    args: list[str]  # "{dir}" is replaced by what `setup` made (or by a missing path)
    message: str  # must appear on stderr
    setup: Callable[[Path], Path] | None = None
    usage: bool = False  # a typer/click usage error: its own format, same exit code


MISSING = "{tmp}/no-such-dir"
CASES = [
    # prepare
    Case(["prepare", "--dataset", "nope"], "error: unknown dataset 'nope'; known datasets: bbc"),
    Case(["prepare", "-d", "tweets", "--weak", "nope"], "error: unknown feature backend 'nope'"),
    Case(["prepare", "-d", "tweets", "--strong", "glove?x=1"], "error: feature backend 'glove' takes no arguments"),
    Case(["prepare", "-d", "tweets", "--extra", "mpnet"], "error: feature backend 'mpnet' is not installed"),
    Case(["prepare", "-d", "tweets", "--max-items", "0"], "error: --max-items must be at least 20; got 0"),
    Case(["prepare", "-d", "tweets", "--split-seed", "-1"], "error: --split-seed must be at least 0"),
    Case(["prepare"], "Missing option '--dataset'", usage=True),
    Case(["prepare", "-d", "tweets", "--max-items", "many"], "Invalid value for '--max-items'", usage=True),
    # baselines
    Case(["baselines", "-d", "tweets", "-m", "nope"], "error: unknown method 'nope'; choose one of: bootstrap"),
    Case(["baselines", "-d", "tweets", "--seeds", "0"], "error: --seeds must be at least 1; got 0"),
    Case(["baselines", "-d", "nope"], "error: unknown dataset 'nope'"),
    Case(["baselines", "-d", "tweets", "--weak", "hf"], "error: the hf backend needs a model"),
    # hub
    Case(["hub", "--run-dir", "{tmp}/r", "--task", "tweets={tmp}/no-key"], "error: --task tweets: no directory at"),
    Case(["hub", "--run-dir", "{tmp}/r", "--task", "tweets"], "error: --task 'tweets': expected DATASET=KEY_DIR"),
    Case(["hub", "--run-dir", "{tmp}/r"], "error: no task to score: pass --task DATASET=KEY_DIR"),
    Case(["hub", "--run-dir", "{tmp}/r", "--task", "tweets={dir}", "--port", "-1"],
         "error: --port must be at least 0", key_dir),
    Case(["hub", "--run-dir", "{tmp}/r", "--task", "tweets={dir}", "--budget-total", "-5"],
         "error: --budget-total must be at least 0", key_dir),
    Case(["hub", "--run-dir", "{tmp}/r", "--task", "tweets={dir}", "--log-level", "loud"],
         "error: --log-level: unknown value 'loud'; choose one of: critical", key_dir),
    Case(["hub", "--run-dir", "{dir}", "--task", "tweets={tmp}"], "error: cannot read", bad_hub_json),
    Case(["hub", "--run-dir", "{dir}", "--task", "tweets={tmp}"], "is a file: pass a directory", a_file),
    # run
    Case(["run", "--minutes", "-3"], "error: --minutes must be greater than 0; got -3"),
    Case(["run", "--minutes", "0"], "error: --minutes must be greater than 0"),
    Case(["run", "-r", "wizard=2"], "error: unknown researcher kind 'wizard'"),
    Case(["run", "-r", "hacker:nope"], "error: unknown hack 'nope' in 'hacker:nope'; choose one of: hacker:"),
    Case(["run", "-r", "anthropic"], "error: researcher spec 'anthropic' needs a model"),
    Case(["run", "-r", "builtin=two"], "error: bad --researcher 'builtin=two'"),
    Case(["run", "-r", "builtin=0"], "error: --researcher 'builtin=0': count must be at least 1"),
    Case(["run", "--dataset", "imagenet"], "error: unknown dataset 'imagenet'"),
    Case(["run", "--max-items", "3"], "error: --max-items must be at least 20; got 3"),
    Case(["run", "--team", "0"], "error: --team must be at least 1"),
    Case(["run", "--parallel", "0"], "error: --parallel must be at least 1"),
    Case(["run", "--submissions", "0"], "error: --submissions must be at least 1"),
    Case(["run", "--submissions-per-hour", "-1"], "error: --submissions-per-hour must be at least 1"),
    Case(["run", "--budget-usd", "-1"], "error: --budget-usd must be greater than 0"),
    Case(["run", "--budget-tokens", "0"], "error: --budget-tokens must be at least 1"),
    Case(["run", "--seed", "-1"], "error: --seed must be at least 0"),
    Case(["run", "--resume", MISSING], "error: no run directory at"),
    Case(["run", "--resume", "{dir}"], "holds no run to resume", run_dir),
    Case(["run", "--resume", "{dir}"], "is not a run config", corrupt_run),
    Case(["run", "--run-dir", "{dir}"], "already holds a run: continue it with --resume", finished_run),
    Case(["run", "--minutes", "soon"], "Invalid value for '--minutes'", usage=True),
    # verify
    Case(["verify", MISSING], "error: no run directory at"),
    Case(["verify", "{dir}"], "is a file, not a run directory", a_file),
    Case(["verify", "{dir}", "--seeds", "0"], "error: --seeds must be at least 1", run_dir),
    Case(["verify", "{dir}", "--top-k", "-1"], "error: --top-k must be at least 0", run_dir),
    Case(["verify", "{dir}", "--timeout", "0"], "error: --timeout must be greater than 0", run_dir),
    Case(["verify", "{dir}", "--sandbox", "docker"], "error: --sandbox: unknown value 'docker'; choose one of: bwrap, none", run_dir),
    Case(["verify", "{dir}", "--heldout", "nope"], "error: unknown dataset 'nope'", run_dir),
    Case(["verify", "{dir}", "--baseline", "nope"], "error: unknown method 'nope'", run_dir),
    Case(["verify", "{dir}"], "config.json is not valid JSON", corrupt_run),
    Case(["verify", "{dir}"], "error: no prepared task for 'tweets'", run_dir),
    Case(["verify"], "Missing argument 'RUN_DIR'", usage=True),
    # report
    Case(["report", MISSING], "error: no run directory at"),
    Case(["report", "{dir}"], "error: no verification in", run_dir),
]


def tree(root: Path) -> dict[str, tuple[bool, int, int]]:
    return {str(p.relative_to(root)): (p.is_dir(), p.stat().st_size if p.is_file() else 0, p.stat().st_mtime_ns)
            for p in root.rglob("*")}


def case_id(c: Case) -> str:
    return " ".join(a.replace("{tmp}/", "").replace("{dir}", c.setup.__name__ if c.setup else "")
                    for a in c.args)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_bad_invocation_is_refused_at_once(case: Case, tmp_path: Path) -> None:
    made = case.setup(tmp_path) if case.setup else tmp_path / "no-such-dir"
    args = [a.replace("{tmp}", str(tmp_path)).replace("{dir}", str(made)) for a in case.args]
    for d in ("home", "cwd"):
        (tmp_path / d).mkdir()
    env = os.environ | {"AARLAB_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1", "COLUMNS": "200", "AARLAB_BWRAP": str(tmp_path / "no-bwrap")}
    env.pop("AARLAB_DATABASE_URL", None)
    before = tree(tmp_path)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "aarlab", *args], cwd=tmp_path / "cwd", env=env,
                          capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - t0
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert case.message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    if not case.usage:
        assert proc.stderr.startswith("error: "), proc.stderr
    assert seconds < SECONDS, f"took {seconds:.1f} s: options must be checked before any work"
    assert tree(tmp_path) == before, "a refused command wrote something"


# ---------------------------------------------------------------- the mapping itself


def test_a_user_error_becomes_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    def refuse(path: Path) -> Path:
        raise UserError("do this instead")

    monkeypatch.setattr(checks, "run_dir", refuse)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["report", str(tmp_path)])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "error: do this instead\n"


def test_a_system_fault_propagates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def crash(path: Path) -> Path:
        raise RuntimeError("the disk fell off")

    monkeypatch.setattr(checks, "run_dir", crash)
    with pytest.raises(RuntimeError, match="the disk fell off"):
        cli.main(["report", str(tmp_path)])


def test_a_system_fault_prints_its_traceback(tmp_path: Path) -> None:
    code = ("import aarlab.cli as cli\n"
            "from aarlab.commands import checks\n"
            "def crash(path): raise RuntimeError('the disk fell off')\n"
            "checks.run_dir = crash\n"
            f"cli.main(['report', {str(tmp_path)!r}])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.rstrip().endswith("RuntimeError: the disk fell off")
    assert "error: " not in proc.stderr.splitlines()[0]
