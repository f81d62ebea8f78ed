"""Testbed benchmark: prints greppable ratios and timings measured in one run.

    python bench/testbed.py            # uses (and fills) the feature cache under AARLAB_HOME
    python bench/testbed.py --cold     # prepare in a fresh temporary home: real peak memory

Lines: vanilla_experiment_s, baseline_table_s, extract_ratio, prepare_peak_gb (+ targets).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from aarlab.settings import get_settings  # noqa: E402
from aarlab.w2s.config import PrepareConfig  # noqa: E402
from aarlab.w2s.experiment import evaluate  # noqa: E402
from aarlab.w2s.methods import BASELINES, get_method  # noqa: E402
from aarlab.w2s.prepare import prepare  # noqa: E402


def prepare_peak_gb(home: Path) -> float:
    """Peak resident memory of `aarlab prepare --dataset tweets` in a child process."""
    env = os.environ | {"AARLAB_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "aarlab", "prepare", "--dataset", "tweets", "--no-progress"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2  # KiB -> GiB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cold", action="store_true", help="prepare in a fresh home (no feature cache)")
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) if args.cold else get_settings().home
        peak = prepare_peak_gb(home)
        s = get_settings()
        task = prepare(PrepareConfig(dataset="tweets"), home / "tasks", home / "cache", progress=False, log=lambda _: None)
        bundle, key = task.bundle(), task.key()

        t0 = time.perf_counter()
        evaluate("vanilla", get_method("vanilla"), bundle, key, [0])
        vanilla_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        for name in BASELINES:  # no result cache: every method and seed really runs
            evaluate(name, get_method(name), bundle, key, list(range(args.seeds)))
        table_s = time.perf_counter() - t0
        del s

    from features import measure_extract_ratio

    ext = measure_extract_ratio()
    print(f"n_strong_train: {bundle.n('strong_train')}")
    print(f"n_test: {bundle.n_test}")
    print(f"vanilla_experiment_s: {vanilla_s:.3f}")
    print("vanilla_experiment_target_s: 2.0")
    print(f"baseline_table_s: {table_s:.1f}")
    print("baseline_table_target_s: 60")
    print(f"baseline_table_methods: {len(BASELINES)}")
    print(f"baseline_table_seeds: {args.seeds}")
    print(f"extract_ratio: {ext['extract_ratio']:.3f}")
    print("extract_ratio_target: 0.8")
    print(f"prepare_peak_gb: {peak:.2f}")
    print("prepare_peak_target_gb: 4.0")
    print(f"prepare_cold: {str(args.cold).lower()}")


if __name__ == "__main__":
    main()
