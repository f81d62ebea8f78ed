"""Build src/aarlab/data/wordnet/wordnet_gloss.jsonl.gz from WordNet 3.0 (Debian's wordnet-base).

Deterministic: the same WordNet files, seed and size give a byte-identical file.

    python scripts/build_wordnet.py [--n-items 20000] [--seed 0] [--wordnet-dir /usr/share/wordnet]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from aarlab.w2s.datasets.common import write_jsonl_gz
from aarlab.w2s.datasets.wordnet import DATA_FILE
from aarlab.w2s.datasets.wordnet_build import WORDNET_DIR, build_items, parse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n-items", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wordnet-dir", type=Path, default=WORDNET_DIR)
    ap.add_argument("--out", type=Path, default=DATA_FILE)
    args = ap.parse_args(argv)
    if not (args.wordnet_dir / "data.noun").is_file():
        sys.stderr.write(
            f"error: no WordNet data files in {args.wordnet_dir}; "
            "install them with `apt-get install wordnet-base` or pass --wordnet-dir\n"
        )
        return 2
    t0 = time.perf_counter()
    synsets = parse(args.wordnet_dir)
    records = build_items(synsets, args.n_items, seed=args.seed)
    write_jsonl_gz(args.out, records)
    n_pos = sum(int(r["label"]) for r in records)
    print(f"synsets: {len(synsets)}")
    print(f"items: {len(records)}")
    print(f"positive_share: {n_pos / len(records):.3f}")
    print(f"groups: {len({r['group'] for r in records})}")
    print(f"file_bytes: {args.out.stat().st_size}")
    print(f"build_s: {time.perf_counter() - t0:.1f}")
    print(f"out: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
