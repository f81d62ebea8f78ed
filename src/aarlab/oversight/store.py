"""Resumable storage of verification work under `<run_dir>/verification/`.

  runs.json           every finished re-run (SeedRun), keyed by what identifies it: code
                      (snapshot id or baseline name), dataset, part, ablation and seeds
  verification.json   the final VerificationReport
  preds/              their per-seed predictions (.npy), for per-item tests
  ceilings/           fresh-seed ceilings per task and seed
A killed verification resumes: a key already in runs.json is never run again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import TypeAdapter

from aarlab.oversight.records import SeedRun, VerificationReport
from aarlab.rundir import RunPaths

_RUNS = TypeAdapter(dict[str, SeedRun])


def run_key(code: str, dataset: str, part: str, seeds: Sequence[int], ablation: str | None = None) -> str:
    return f"{code}|{dataset}|{part}|{ablation or '-'}|{','.join(map(str, seeds))}"


class Store:
    def __init__(self, run_dir: Path) -> None:
        paths = RunPaths(run_dir)
        self.dir, self.report_file = paths.verification, paths.verification_report
        self.dir.mkdir(parents=True, exist_ok=True)
        self._runs: dict[str, SeedRun] = (
            _RUNS.validate_json(self.runs_file.read_bytes()) if self.runs_file.exists() else {}
        )

    runs_file = property(lambda self: self.dir / "runs.json")
    ceilings_dir = property(lambda self: self.dir / "ceilings")
    work_dir = property(lambda self: self.dir / "work")

    def _preds_file(self, key: str) -> Path:
        return self.dir / "preds" / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.npy"

    seeds_file = property(lambda self: self.dir / "seeds.json")

    def fresh_seeds(self, n: int) -> list[int]:
        """`n` fresh seeds drawn from the OS's secret source, once per verification: a resumed or
        repeated verification of this run reuses them (and its finished re-runs)."""
        if self.seeds_file.exists():
            seeds = [int(s) for s in json.loads(self.seeds_file.read_text())]
            if len(seeds) >= n:
                return seeds[:n]
        else:
            seeds = []
        draw = secrets.SystemRandom()
        while len(seeds) < n:
            s = draw.randrange(2**31)
            if s not in seeds:
                seeds.append(s)
        _atomic_write(self.seeds_file, json.dumps(seeds).encode())
        return seeds

    def get_or_run(self, key: str, fn: Callable[[], tuple[SeedRun, np.ndarray | None]]
                   ) -> tuple[SeedRun, np.ndarray | None]:
        """The stored run and its per-seed predictions, or run fn once and store both."""
        pf = self._preds_file(key)
        if key not in self._runs:
            run, preds = fn()
            if preds is not None:
                pf.parent.mkdir(exist_ok=True)
                np.save(pf, preds.astype(np.float32))
            self._runs[key] = run
            _atomic_write(self.runs_file, _RUNS.dump_json(self._runs, indent=1))
        return self._runs[key], (np.load(pf) if pf.exists() else None)

    def write_report(self, report: VerificationReport) -> Path:
        _atomic_write(self.report_file, report.model_dump_json(indent=2).encode())
        return self.report_file

    def read_report(self) -> VerificationReport | None:
        if not self.report_file.exists():
            return None
        return VerificationReport.model_validate(json.loads(self.report_file.read_text()))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
