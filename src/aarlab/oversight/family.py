"""Which family of W2S methods a result belongs to, for the diversity-of-ideas plot.

A snapshot with `recipe.json` (the built-in researcher's methods) is classified exactly by
`aarlab.w2s.recipe.family`; any other method.py by keywords in its source, most distinctive
first. The static guess is coarse by design: it only has to tell ideas apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

RULES: list[tuple[str, str]] = [  # (family, regex over the source), first match wins
    ("knn", r"knn|nearest|neighbo"),
    ("em", r"\bem_|posterior|expectation.max"),
    ("self_train", r"self_train|pseudo.?label"),
    ("unsupervised", r"kmeans|k_means|gaussianmixture|cluster|spectral|\bpca\b.*sign"),
    ("cotrain", r"cotrain|co_train|features\([^)]*['\"]weak['\"]"),
    ("filter", r"keep_confident|filter|\bkeep\b"),
    ("reweight", r"weight\s*="),
    ("robust_loss", r"logconf|\bgce\b|\bsce\b|loss\s*="),
    ("features", r"\bpca\b|whiten|svd"),
    ("ensemble", r"ensemble|for \w+ in range\(\w*\):\s*\n\s*\w+\.append\(fit_predict"),
    ("soft", r"weak_soft"),
    ("vanilla", r"weak_hard"),
]


def classify_source(source: str) -> str:
    s = source.lower()
    if ".texts(" in s and "features(" not in s:
        return "text-heuristic"
    for fam, rx in RULES:
        if re.search(rx, s):
            return fam
    return "other"


def method_family(method_dir: Path) -> str:
    d = Path(method_dir)
    if (d / "recipe.json").exists():
        try:
            from aarlab.w2s.recipe import family, load_recipe

            return family(load_recipe(d))
        except Exception:  # an unreadable recipe: fall back to the source
            pass
    src = "\n".join(f.read_text(errors="replace") for f in sorted(d.rglob("*.py")))
    return classify_source(src) if src else "unknown"


def entropy(families: Iterable[str]) -> float:
    """Shannon entropy (bits) of the distribution of families."""
    counts = Counter(families)
    n = sum(counts.values())
    return sum(c / n * math.log2(n / c) for c in counts.values()) if n else 0.0  # never -0.0
