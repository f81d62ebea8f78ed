"""A composable family of W2S methods built from the testbed's parts.

A `Recipe` is a JSON-serialisable point in the search space (label source, relabelling,
filtering and reweighting, loss, self-training, head, feature transform, co-training with the
weak view, ensembles). `fit_predict_recipe(bundle, seed, recipe)` runs it; `write_method_dir`
writes it as a method directory (`method.py` + `recipe.json`) that any sandbox or verifier
re-runs with `python -m aarlab.w2s.runmethod DIR`.

The pipeline, in order (each step a function of `recipe_parts`):
  features -> [transductive pool] -> relabel -> label source -> self-training
           -> filter / co-training filter -> weights -> student (x ensemble members)
`Recipe()` with every default is exactly the `vanilla` baseline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.recipe_parts import (
    agreement_keep,
    confidence_weight,
    em_relabel,
    harden,
    keep_confident,
    knn_agreement_weight,
    knn_graph,
    pca,
    self_train,
    smooth,
    standardize_concat,
    temper,
)
from aarlab.w2s.train import StudentConfig, fit_predict_student

RECIPE_SCHEMA_VERSION = 1
FAMILIES = ("vanilla", "soft", "filter", "reweight", "robust_loss", "knn", "em", "self_train",
            "cotrain", "features", "head", "ensemble")


class Recipe(BaseModel):
    """One W2S method. Defaults reproduce vanilla (hard weak labels, linear head, xent)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = RECIPE_SCHEMA_VERSION
    # label source
    labels: Literal["hard", "soft"] = "hard"
    temperature: float = Field(default=1.0, gt=0, le=10, description="soft labels: T < 1 sharpens")
    transductive: bool = Field(default=False, description="also train on test items' weak labels")
    # relabelling
    relabel: Literal["none", "knn", "em"] = "none"
    knn_k: int = Field(default=25, ge=1, le=500)
    knn_steps: int = Field(default=1, ge=1, le=5, description="label-propagation steps over the kNN graph")
    em_iters: int = Field(default=2, ge=1, le=5)
    # filtering and reweighting
    keep: float = Field(default=1.0, gt=0.05, le=1.0, description="share kept, most confident first")
    weight: Literal["none", "confidence", "knn_agreement"] = "none"
    # loss
    loss: Literal["xent", "logconf", "gce", "sce"] = "xent"
    alpha: float = Field(default=0.5, ge=0, le=1, description="logconf mixing weight")
    q: float = Field(default=0.7, gt=0, le=1, description="gce exponent")
    # self-training
    self_train_rounds: int = Field(default=0, ge=0, le=3)
    self_train_mix: float = Field(default=0.5, ge=0, le=1, description="weight of the student's own view")
    # head
    head: Literal["linear", "mlp"] = "linear"
    hidden: int = Field(default=128, ge=4, le=1024)
    epochs: int = Field(default=20, ge=1, le=100)
    lr: float = Field(default=3e-3, gt=0, le=1)
    weight_decay: float = Field(default=1e-2, ge=0, le=10)
    # features
    transform: Literal["none", "pca", "whiten"] = "none"
    pca_dim: int = Field(default=64, ge=2, le=4096)
    cotrain: Literal["none", "concat", "agree"] = "none"
    # ensembles and the cost of inner cross-fits
    ensemble: int = Field(default=1, ge=1, le=8)
    # test-time smoothing: mix each test prediction with its neighbours' (train and test)
    post_k: int = Field(default=0, ge=0, le=500, description="0 = off")
    post_mix: float = Field(default=0.5, ge=0, le=1)
    cross_fit_epochs: int = Field(default=8, ge=1, le=50)

    def student(self) -> StudentConfig:
        args = {"logconf": {"alpha": self.alpha}, "gce": {"q": self.q}}.get(self.loss, {})
        return StudentConfig(head=self.head, hidden=self.hidden, loss=self.loss, loss_args=args,
                             epochs=self.epochs, lr=self.lr, weight_decay=self.weight_decay)

    def changes(self) -> dict[str, object]:
        """What differs from vanilla, for posts and notebooks."""
        return self.model_dump(exclude_defaults=True, exclude={"schema_version"})


def family(r: Recipe) -> str:
    """The method family a recipe belongs to: its most distinctive component wins."""
    if r.relabel != "none":
        return r.relabel  # "knn" | "em"
    if r.self_train_rounds > 0:
        return "self_train"
    if r.cotrain != "none":
        return "cotrain"
    if r.keep < 1.0:
        return "filter"
    if r.weight != "none":
        return "reweight"
    if r.loss != "xent":
        return "robust_loss"
    if r.transform != "none":
        return "features"
    if r.labels == "soft" or r.transductive:
        return "soft"
    if r.post_k:
        return "knn"
    if r.ensemble > 1:
        return "ensemble"
    if r.head != "linear" or r.changes():
        return "head"
    return "vanilla"


def fit_predict_recipe(bundle: Bundle, seed: int, r: Recipe) -> np.ndarray:
    """Run a recipe: P(label = 1) for every test item (m,), in bundle order."""
    x_tr = np.asarray(bundle.features("strong_train"), dtype=np.float32)  # (n, d)
    x_te = np.asarray(bundle.features("test"), dtype=np.float32)  # (m, d)
    soft = np.asarray(bundle.weak_soft("strong_train"), dtype=np.float32)  # (n,)
    if r.transform != "none":
        dim = r.pca_dim if r.transform == "pca" else x_tr.shape[1]
        x_tr, x_te = pca(x_tr, x_te, dim, whiten=r.transform == "whiten")
    if r.cotrain == "concat":
        w_tr = np.asarray(bundle.features("strong_train", "weak"), dtype=np.float32)
        w_te = np.asarray(bundle.features("test", "weak"), dtype=np.float32)
        x_tr, x_te = standardize_concat(x_tr, w_tr, x_tr, w_tr), standardize_concat(x_te, w_te, x_tr, w_tr)
    if r.transductive:
        # the teacher labels the test items too; its labels there are as legitimate as on train
        x_tr = np.concatenate([x_tr, x_te])  # (n + m, d)
        soft = np.concatenate([soft, np.asarray(bundle.weak_soft("test"), dtype=np.float32)])

    fast = StudentConfig(epochs=r.cross_fit_epochs)  # inner cross-fits: cheap linear heads
    score = soft  # (n,) the current belief P(y = 1), before hardening
    if r.relabel == "knn":
        score = smooth(knn_graph(x_tr, r.knn_k), soft, r.knn_steps)
    elif r.relabel == "em":
        score = em_relabel(x_tr, soft, r.em_iters, seed, fast)
    if r.self_train_rounds:
        score = self_train(x_tr, score, r.self_train_rounds, r.self_train_mix, seed, fast,
                           hard=r.labels == "hard")
    target = harden(score) if r.labels == "hard" else temper(score, r.temperature)

    idx = np.arange(len(target))
    if r.keep < 1.0:
        idx = keep_confident(score, r.keep)
    if r.cotrain == "agree":
        idx = np.intersect1d(idx, agreement_keep(x_tr, score, seed, fast))
    weight = None
    if r.weight == "confidence":
        weight = confidence_weight(score)
    elif r.weight == "knn_agreement":
        weight = knn_agreement_weight(x_tr, soft, r.knn_k)

    cfg = r.student()
    x_out = x_te if not r.post_k else np.concatenate([x_tr, x_te])  # post-smoothing needs the pool
    members = []
    for m in range(r.ensemble):
        members.append(fit_predict_student(
            x_tr[idx], target[idx], x_out, seed + 7919 * m, cfg, None if weight is None else weight[idx],
        ))  # (m,) or (n + m,) each
    p = np.mean(members, axis=0).astype(np.float32)
    if r.post_k:
        # test-time smoothing: a prediction the neighbourhood disagrees with is probably noise
        p_sm = smooth(knn_graph(x_out, r.post_k), p)
        p = ((1 - r.post_mix) * p + r.post_mix * p_sm)
    return p[-len(x_te):].astype(np.float32)


METHOD_PY = '''from aarlab.w2s.recipe import Recipe, fit_predict_recipe
RECIPE = Recipe.model_validate_json({recipe!r})
def fit_predict(bundle, seed): return fit_predict_recipe(bundle, seed, RECIPE)  # noqa: E704
'''


def write_method_dir(r: Recipe, out: str | Path) -> Path:
    """Write a method directory: method.py (self-contained) and recipe.json (for readers)."""
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    text = r.model_dump_json()
    (d / "method.py").write_text(METHOD_PY.format(recipe=text))
    (d / "recipe.json").write_text(json.dumps(json.loads(text), indent=2) + "\n")
    return d


def load_recipe(path: str | Path) -> Recipe:
    """A recipe from recipe.json, a method directory holding one, or a JSON string."""
    p = Path(path) if not str(path).lstrip().startswith("{") else None
    if p is None:
        return Recipe.model_validate_json(str(path))
    f = p / "recipe.json" if p.is_dir() else p
    return Recipe.model_validate_json(f.read_text())
