"""The components a `Recipe` composes: each a small function on arrays, nanoGPT style.

Shapes: n = strong_train items, m = test items, d = feature dims. Targets are P(label = 1)
in [0, 1] for every strong_train item; weights are >= 0 per item. Nothing here reads a label.
"""

from __future__ import annotations

import numpy as np

from aarlab.w2s.methods._common import cross_fit
from aarlab.w2s.methods.em_posterior import channel
from aarlab.w2s.methods.knn_relabel import knn_smooth
from aarlab.w2s.train import StudentConfig

EPS = 1e-4


# -- features -------------------------------------------------------------------------------

def pca(x_tr: np.ndarray, x_te: np.ndarray, dim: int, whiten: bool) -> tuple[np.ndarray, np.ndarray]:
    """Project (n, d) and (m, d) on the top `dim` principal axes of the training features.

    Low-rank features are a simplicity bias: the student can only fit directions that carry
    most of the strong model's variance, where a concept like sentiment tends to live, and not
    the teacher's idiosyncratic errors. Whitening scales every axis to unit variance.
    """
    mu = x_tr.mean(axis=0)  # (d,)
    _, s, vt = np.linalg.svd(x_tr - mu, full_matrices=False)  # vt: (d', d)
    k = max(1, min(dim, vt.shape[0]))
    proj = vt[:k].T  # (d, k)
    if whiten:
        proj = proj / (s[:k] / np.sqrt(len(x_tr)) + 1e-6)
    return ((x_tr - mu) @ proj).astype(np.float32), ((x_te - mu) @ proj).astype(np.float32)


def standardize_concat(a: np.ndarray, b: np.ndarray, ref_a: np.ndarray, ref_b: np.ndarray) -> np.ndarray:
    """Concatenate two views (n, da) and (n, db), each standardised with its reference stats."""
    za = (a - ref_a.mean(0)) / (ref_a.std(0) + 1e-6)
    zb = (b - ref_b.mean(0)) / (ref_b.std(0) + 1e-6)
    return np.concatenate([za, zb], axis=1).astype(np.float32)  # (n, da + db)


# -- label source ---------------------------------------------------------------------------

def temper(p: np.ndarray, temperature: float) -> np.ndarray:
    """sigmoid(logit(p) / T): T < 1 sharpens soft labels, T > 1 softens them."""
    p = np.clip(p, EPS, 1 - EPS)
    z = np.log(p / (1 - p)) / max(temperature, 1e-3)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


def harden(p: np.ndarray) -> np.ndarray:
    return (np.asarray(p) >= 0.5).astype(np.float32)


# -- relabelling ----------------------------------------------------------------------------

def knn_graph(x: np.ndarray, k: int, chunk: int = 2048) -> np.ndarray:
    """Indices of each item's k nearest neighbours by cosine, the item included (n, k).

    The same neighbourhoods as `knn_relabel.knn_smooth`, computed once so a recipe can
    smooth several things over one graph.
    """
    z = np.asarray(x, dtype=np.float32)
    z = z - z.mean(axis=0)
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-8
    k = max(1, min(k, len(z)))
    nn = np.empty((len(z), k), dtype=np.int64)
    for i in range(0, len(z), chunk):
        sim = z[i : i + chunk] @ z.T  # (c, n)
        nn[i : i + chunk] = np.argpartition(-sim, kth=k - 1, axis=1)[:, :k]
    return nn


def smooth(nn: np.ndarray, values: np.ndarray, steps: int = 1) -> np.ndarray:
    """Mean of values over each item's neighbours, `steps` times (label propagation) (n,)."""
    v = np.asarray(values, dtype=np.float32)
    for _ in range(steps):
        v = v[nn].mean(axis=1)
    return v.astype(np.float32)


def knn_relabel(x: np.ndarray, target: np.ndarray, k: int) -> np.ndarray:
    """Mean target over each item's k nearest strong-feature neighbours (n,)."""
    return knn_smooth(x, target.astype(np.float32), k=k)


def em_relabel(x: np.ndarray, target: np.ndarray, iters: int, seed: int, cfg: StudentConfig) -> np.ndarray:
    """Posterior P(y = 1 | x, w) under a class-conditional flip channel (see em_posterior)."""
    w = harden(target)
    q = target.astype(np.float32)
    for it in range(iters):
        tpr, tnr = channel(q, w)
        prior = np.clip(cross_fit(x, q, seed + it, cfg=cfg), EPS, 1 - EPS)  # (n,) out-of-fold
        like1 = np.where(w == 1, tpr, 1 - tpr)  # P(w | y = 1)
        like0 = np.where(w == 0, tnr, 1 - tnr)  # P(w | y = 0)
        q = (prior * like1 / (prior * like1 + (1 - prior) * like0)).astype(np.float32)
    return q


def self_train(
    x: np.ndarray, score: np.ndarray, rounds: int, mix: float, seed: int, cfg: StudentConfig, hard: bool,
) -> np.ndarray:
    """Cross-fitted self-training: mix the student's out-of-fold view into the belief (n,).

    Each round trains on the current belief (hardened for hard-label recipes) and never
    predicts an item it trained on, so it cannot simply echo the labels it was given.
    """
    for r in range(rounds):
        own = cross_fit(x, harden(score) if hard else score, seed + 100 + r, cfg=cfg)  # (n,)
        score = (mix * own + (1 - mix) * score).astype(np.float32)
    return score


# -- filtering and reweighting --------------------------------------------------------------

def keep_confident(target: np.ndarray, keep: float) -> np.ndarray:
    """Indices of the `keep` share of items whose target is farthest from 0.5 (k,)."""
    k = max(2, int(round(keep * len(target))))
    return np.sort(np.argsort(-np.abs(target - 0.5), kind="stable")[:k])


def agreement_keep(x: np.ndarray, target: np.ndarray, seed: int, cfg: StudentConfig) -> np.ndarray:
    """Co-training filter: keep items where a cross-fitted strong-view head agrees with the
    weak view (the teacher's label); disagreements are where one of the two views errs."""
    own = cross_fit(x, harden(target), seed + 500, cfg=cfg)
    idx = np.flatnonzero(harden(own) == harden(target))
    return idx if len(idx) >= 2 else np.arange(len(target))


def confidence_weight(soft: np.ndarray) -> np.ndarray:
    """Weight by the teacher's confidence |2p - 1|, floored so no item vanishes."""
    return (0.1 + np.abs(2 * soft - 1)).astype(np.float32)


def knn_agreement_weight(x: np.ndarray, target: np.ndarray, k: int) -> np.ndarray:
    """Weight by how much an item's label agrees with its strong-feature neighbourhood."""
    hard = harden(target)
    nb = knn_smooth(x, hard, k=k)  # (n,) share of neighbours labelled 1
    return (0.05 + 1 - np.abs(hard - nb)).astype(np.float32)
