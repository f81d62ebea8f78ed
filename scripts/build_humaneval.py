"""Build src/aarlab/data/humaneval/humaneval_candidates.jsonl.gz: HumanEval canonical solutions
and single-point mutants, each labelled by running the problem's tests (label 1 = passes).

Deterministic given the seed, except that a candidate whose run time sits at the timeout could
land either way (none did at the shipped settings; the script prints the timeout count).

    python scripts/build_humaneval.py [--max-mutants 24] [--workers N] [--timeout 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from aarlab.w2s.datasets.common import write_jsonl_gz
from aarlab.w2s.datasets.humaneval import DATA_FILE
from aarlab.w2s.datasets.humaneval_build import candidates, label_all, load_problems, select


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--max-mutants", type=int, default=24, help="mutants run per problem")
    ap.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per test run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=DATA_FILE)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    problems = load_problems()
    by_id = {p["task_id"]: p for p in problems}
    cands = candidates(problems, args.max_mutants, args.seed)
    with Progress(
        TextColumn("running tests"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("run", total=len(cands))
        results = label_all(
            cands, by_id, args.workers, args.timeout, on_done=lambda: bar.advance(task)
        )
    broken = [
        c.task_id
        for c, r in zip(cands, results, strict=True)
        if c.kind == "canonical" and r.outcome != "pass"
    ]
    if broken:
        sys.stderr.write(f"error: canonical solutions fail their own tests: {broken}\n")
        return 1
    records = select(cands, results, args.seed)
    write_jsonl_gz(args.out, records)
    outcomes = collections.Counter(
        r.outcome for c, r in zip(cands, results, strict=True) if c.kind == "mutant"
    )
    kept = collections.Counter((r["kind"], r["outcome"]) for r in records)
    print(f"problems: {len(problems)}")
    print(f"candidates_run: {len(cands)}")
    print(f"mutants_pass: {outcomes['pass']}")
    print(f"mutants_fail: {outcomes['fail']}")
    print(f"mutants_timeout: {outcomes['timeout']}")
    print(f"items: {len(records)}")
    print(f"items_canonical: {kept['canonical', 'pass']}")
    print(f"items_mutant_pass: {kept['mutant', 'pass']}")
    print(f"items_mutant_fail: {kept['mutant', 'fail'] + kept['mutant', 'timeout']}")
    print(f"positive_share: {sum(r['label'] for r in records) / len(records):.3f}")
    print(f"build_s: {time.perf_counter() - t0:.1f}")
    print(f"out: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
