"""The seeds a method is given are keyed hashes of the requested ones, sent on stdin: in
research (a per-researcher secret salt) and in verification (a fresh random salt) a method sees
uniform 31-bit seeds and no seed on its command line, so a seed is no tell."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aarlab.w2s.runmethod import blind_seed
from aarlab.w2s.task import Task

SPY = '''
import json, sys
from pathlib import Path

def fit_predict(bundle, seed):
    cmdline = Path("/proc/self/cmdline").read_bytes().decode(errors="replace")
    frames, f = [], sys._getframe(1)  # what an adaptive method would read first: its callers
    while f is not None:
        frames.append(repr({k: v for k, v in f.f_locals.items() if not k.startswith("__")})[:20000])
        f = f.f_back
    with open(OUT, "a") as fh:
        fh.write(json.dumps({"seed": seed, "argv": sys.argv, "cmdline": cmdline, "frames": frames}) + "\\n")
    return bundle.weak_soft("test")
'''


def _run(method: Path, task: Task, seeds: list[int], salt: str) -> tuple[list[dict], dict]:  # type: ignore[type-arg]
    out = method / "seen.jsonl"
    out.unlink(missing_ok=True)
    r = subprocess.run([sys.executable, "-m", "aarlab.w2s.runmethod", str(method), "--bundle",
                        str(task.bundle_dir), "--seeds-stdin"], input=json.dumps({"seeds": seeds, "salt": salt}) + "\n",
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(ln) for ln in out.read_text().splitlines()], json.loads(r.stdout.splitlines()[-1])


def test_methods_see_keyed_seeds_and_none_on_the_command_line(synthetic_task: Task, tmp_path: Path) -> None:
    m = tmp_path / "m"
    m.mkdir()
    (m / "method.py").write_text(SPY.replace("OUT", repr(str(m / "seen.jsonl"))))
    seen, diag = _run(m, synthetic_task, [0, 1, 2], "researcher-secret")
    given = [s["seed"] for s in seen]
    assert given == [blind_seed("researcher-secret", s) for s in (0, 1, 2)]
    assert diag["seeds"] == given  # the runner reports what the method got; the caller maps back
    assert all(2**20 < g < 2**31 for g in given) and len(set(given)) == 3
    for s in seen:  # nothing on the command line names a seed, no caller's frame holds the request
        assert "--seeds " not in " ".join(s["argv"]) and "0\x001\x002" not in s["cmdline"]
        assert s["frames"] and not any("researcher-secret" in fr or "[0, 1, 2]" in fr for fr in s["frames"])
    again, _ = _run(m, synthetic_task, [0, 1, 2], "researcher-secret")
    assert [s["seed"] for s in again] == given  # reproducible for the researcher
    other, _ = _run(m, synthetic_task, [0, 1, 2], "another-salt")
    assert not set(s["seed"] for s in other) & set(given)  # another salt, other seeds


def test_blind_seeds_are_uniform_whatever_was_asked() -> None:
    research = [blind_seed("r-salt", s) for s in range(2000)]  # small, consecutive requests
    verification = [blind_seed(f"v{s}", 10**9 + s) for s in range(2000)]  # random-looking ones
    for seeds in (research, verification):
        assert 0.45 < sum(s >= 2**30 for s in seeds) / len(seeds) < 0.55
        assert min(seeds) >= 0 and max(seeds) < 2**31
