"""The search space of the builtin researcher: family samplers, mutation, crossover, and the
map from a researcher's direction to how much weight each family gets.

Every proposal is a `Recipe` (aarlab.w2s.recipe). Samplers start from the opening book (the
combinations the W2S literature reports as strong: kNN relabelling with the test items in the
neighbourhood graph, confident filtering, confidence losses, soft targets, ensembles) and then
randomise around it, so good candidates are reached in the first few experiments and the rest
of the budget explores.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from aarlab.w2s.recipe import FAMILIES, Recipe

Sampler = Callable[[random.Random], dict[str, Any]]

# field groups crossover swaps as units (a component's knobs travel together)
GROUPS: dict[str, tuple[str, ...]] = {
    "labels": ("labels", "temperature", "transductive"),
    "relabel": ("relabel", "knn_k", "em_iters"),
    "filter": ("keep", "weight"),
    "loss": ("loss", "alpha", "q"),
    "self_train": ("self_train_rounds", "self_train_mix"),
    "head": ("head", "hidden", "epochs", "lr", "weight_decay"),
    "features": ("transform", "pca_dim", "cotrain"),
    "ensemble": ("ensemble",),
}

SAMPLERS: dict[str, Sampler] = {
    "vanilla": lambda g: {},
    "soft": lambda g: {"labels": "soft", "temperature": g.choice([0.25, 0.5, 1.0]),
                       "transductive": g.random() < 0.5},
    "filter": lambda g: {"keep": g.choice([0.5, 0.6, 0.7, 0.8, 0.9])},
    "reweight": lambda g: {"weight": g.choice(["confidence", "knn_agreement"]), "knn_k": g.choice([25, 50])},
    "robust_loss": lambda g: g.choice([{"loss": "logconf", "alpha": g.choice([0.25, 0.5, 0.75])},
                                       {"loss": "gce", "q": g.choice([0.5, 0.7, 0.9])}, {"loss": "sce"}]),
    "knn": lambda g: {"relabel": "knn", "knn_k": g.choice([25, 50, 75, 100, 150]),
                      "transductive": g.random() < 0.7, "post_k": g.choice([0, 0, 20, 40, 80])},
    "em": lambda g: {"relabel": "em", "em_iters": g.choice([1, 2, 3]), "transductive": g.random() < 0.5},
    "self_train": lambda g: {"self_train_rounds": g.choice([1, 2]), "self_train_mix": g.choice([0.3, 0.5, 0.7])},
    "cotrain": lambda g: {"cotrain": g.choice(["concat", "agree"])},
    "features": lambda g: g.choice([{"transform": "pca", "pca_dim": g.choice([16, 32, 64, 128])},
                                    {"transform": "whiten"}]),
    "head": lambda g: {"head": g.choice(["linear", "mlp"]), "weight_decay": g.choice([0.0, 0.01, 0.1, 1.0]),
                       "epochs": g.choice([5, 10, 20, 40]), "lr": g.choice([1e-3, 3e-3, 1e-2])},
    "ensemble": lambda g: {"ensemble": g.choice([2, 3, 4])},
}

# The opening book: strong, cheap starting points (tried first, in the direction's order).
# Measured on tweets (GloVe -> MiniLM, seed 0): knn k=50 + transductive + post_k=40 PGR 0.53,
# without post-smoothing 0.50 (3 seeds), the best baseline (knn_relabel) 0.45.
BOOK: dict[str, list[dict[str, Any]]] = {
    "knn": [{"relabel": "knn", "knn_k": 50, "transductive": True, "post_k": 40},
            {"relabel": "knn", "knn_k": 50, "transductive": True}],
    "em": [{"relabel": "em", "transductive": True}],
    "filter": [{"keep": 0.6, "transductive": True}],
    "reweight": [{"weight": "knn_agreement", "knn_k": 50, "transductive": True}],
    "robust_loss": [{"loss": "logconf", "alpha": 0.5, "relabel": "knn", "knn_k": 50}],
    "soft": [{"labels": "soft", "temperature": 0.5, "transductive": True, "relabel": "knn", "knn_k": 50}],
    "self_train": [{"self_train_rounds": 1, "relabel": "knn", "knn_k": 50, "transductive": True}],
    "features": [{"transform": "pca", "pca_dim": 64, "relabel": "knn", "knn_k": 50, "transductive": True}],
    "head": [{"weight_decay": 0.1, "epochs": 10, "relabel": "knn", "knn_k": 50, "transductive": True}],
    "cotrain": [{"cotrain": "agree", "transductive": True}],
    "ensemble": [{"ensemble": 3, "relabel": "knn", "knn_k": 50, "transductive": True}],
}

# direction key -> family weights (families left out get FLOOR)
DIRECTION_WEIGHTS: dict[str, dict[str, float]] = {
    "unsupervised-elicitation": {"knn": 4, "features": 3, "em": 2, "self_train": 2},
    "data-reweighting": {"filter": 4, "reweight": 4, "knn": 2},
    "w2s-plus-elicitation": {"knn": 4, "em": 3, "cotrain": 2, "self_train": 2},
    "noisy-teacher-posterior": {"em": 4, "knn": 3, "soft": 2},
    "distillation-variants": {"robust_loss": 4, "soft": 3, "self_train": 3, "ensemble": 2},
    "simplicity-bias": {"features": 4, "head": 4, "robust_loss": 2, "knn": 1},
    "learnability-selection": {"self_train": 3, "filter": 3, "cotrain": 3, "reweight": 2},
    "evolutionary-search": {f: 2 for f in FAMILIES if f != "vanilla"},
    "inside-the-representation": {"knn": 3, "features": 3, "cotrain": 2, "em": 2},
}
KEYWORDS = {"neighbo": "knn", "cluster": "knn", "posterior": "em", "noisy": "em", "weight": "reweight",
            "filter": "filter", "loss": "robust_loss", "distil": "soft", "temperature": "soft",
            "self-train": "self_train", "simpl": "features", "low-rank": "features",
            "regulari": "head", "ensemble": "ensemble", "learnab": "self_train", "co-train": "cotrain"}
FLOOR = 0.5


def family_weights(direction: str | None) -> dict[str, float]:
    """Weights over families for a direction key (or free text: keywords; else uniform)."""
    w = {f: FLOOR for f in SAMPLERS if f != "vanilla"}
    if direction and direction in DIRECTION_WEIGHTS:
        w.update(DIRECTION_WEIGHTS[direction])
    elif direction:
        text = direction.lower()
        for kw, fam in KEYWORDS.items():
            if kw in text:
                w[fam] += 2.0
    if max(w.values()) == FLOOR:  # no direction or nothing matched: lean on the strongest
        w.update({"knn": 2.0, "em": 1.5, "filter": 1.5, "robust_loss": 1.5})
    return w


def opening_book(direction: str | None) -> list[Recipe]:
    """Book recipes of the direction's families, heaviest family first, knn always included."""
    w = family_weights(direction)
    order = sorted(BOOK, key=lambda f: -w.get(f, FLOOR))[:3]
    if "knn" not in order:
        order.append("knn")
    return [Recipe(**kw) for f in order for kw in BOOK[f][:2 if f == order[0] else 1]]


def sample(g: random.Random, weights: dict[str, float], extra: float = 0.5) -> Recipe:
    """A fresh recipe: one family drawn by weight, sometimes combined with a second one."""
    fams = list(weights)
    fam = g.choices(fams, [weights[f] for f in fams])[0]
    kw = dict(SAMPLERS[fam](g))
    if g.random() < extra:
        other = g.choices(fams, [weights[f] for f in fams])[0]
        kw = {**SAMPLERS[other](g), **kw}
    return Recipe(**kw)


def mutate(g: random.Random, r: Recipe, weights: dict[str, float]) -> Recipe:
    """Resample one or two components of r from their family samplers."""
    kw = r.model_dump()
    for _ in range(g.choice([1, 1, 2])):
        fam = g.choices(list(weights), list(weights.values()))[0]
        kw.update(SAMPLERS[fam](g))
    return Recipe.model_validate(kw)


def crossover(g: random.Random, a: Recipe, b: Recipe) -> Recipe:
    """Each component group from one parent or the other."""
    da, db = a.model_dump(), b.model_dump()
    out = dict(da)
    for fields in GROUPS.values():
        src = db if g.random() < 0.5 else da
        out.update({f: src[f] for f in fields})
    return Recipe.model_validate(out)


def propose(g: random.Random, weights: dict[str, float], elite: Sequence[Recipe],
            others: Sequence[Recipe], explore: float = 0.3) -> tuple[Recipe, str]:
    """Next recipe and how it was made: sample | mutate | crossover | forum."""
    roll = g.random()
    if not elite or roll < explore:
        return sample(g, weights), "sample"
    if others and roll < explore + 0.15:
        return crossover(g, g.choice(list(elite)), g.choice(list(others))), "forum"
    if len(elite) >= 2 and roll < explore + 0.35:
        a, b = g.sample(list(elite), 2)
        return crossover(g, a, b), "crossover"
    return mutate(g, elite[0] if g.random() < 0.5 else g.choice(list(elite)), weights), "mutate"
