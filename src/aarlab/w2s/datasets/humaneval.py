"""`humaneval`: is this solution correct? HumanEval canonical solutions and single-point mutants.

Each item is a full function (prompt + completion). Label 1 = it passes the problem's tests
(the canonical solution, or a mutant the tests cannot tell apart from it), 0 = it fails or
times out. Labels come from actually running the tests, done once at build time by
scripts/build_humaneval.py; the result ships with aarlab. `group` is the HumanEval task id and
splits keep a task on one side (`group_split`): candidates of one task differ by one token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aarlab.w2s.datasets.base import DatasetError, Example, register
from aarlab.w2s.datasets.common import DATA_DIR, balance, dedupe, read_jsonl_gz

DATA_FILE = DATA_DIR / "humaneval" / "humaneval_candidates.jsonl.gz"
FIX = "rebuild it with `python scripts/build_humaneval.py` (a few minutes on 2 cores)"


@dataclass
class HumanEvalDataset:
    name: str = "humaneval"
    description: str = (
        "HumanEval solution correctness: 1 = passes the problem's tests (canonical or an "
        "equivalent mutant), 0 = a single-point mutant that fails; group = task id"
    )
    path: Path | None = None  # None: the shipped file (read at load time, so tests can patch it)
    group_split: bool = True

    def load(self) -> list[Example]:
        path = self.path if self.path is not None else DATA_FILE
        records = read_jsonl_gz(path, ("task_id", "text", "label"), FIX)
        examples = [Example(r["text"], int(r["label"]), str(r["task_id"])) for r in records]
        examples = balance(dedupe(examples, key=lambda t: t), seed=0)
        if len(examples) < 100:
            raise DatasetError(f"humaneval: only {len(examples)} usable items in {path}; {FIX}")
        return examples


@register("humaneval")
def _humaneval() -> HumanEvalDataset:
    return HumanEvalDataset()
