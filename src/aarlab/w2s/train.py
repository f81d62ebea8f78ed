"""The weak teacher and the strong student, flat and deterministic per seed.

Teacher: logistic regression on weak features, trained on ground truth of `weak_train`.
Student: a linear (or small MLP) head on frozen strong features, trained with torch on CPU
against weak targets. Features are standardised with statistics of the training inputs only.
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression

from aarlab.w2s.losses import get_loss

torch.set_num_threads(max(1, min(2, torch.get_num_threads())))


class StudentConfig(BaseModel):
    head: str = "linear"  # linear | mlp
    hidden: int = 128
    loss: str = "xent"
    loss_args: dict[str, float] = {}
    epochs: int = 20
    batch_size: int = 256
    lr: float = 3e-3
    weight_decay: float = 1e-2


def train_teacher(x: np.ndarray, y: np.ndarray, seed: int = 0, c: float = 1.0) -> LogisticRegression:
    """Logistic regression on standardised weak features; deterministic (lbfgs)."""
    mu, sd = _stats(x)
    clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    clf.fit((x - mu) / sd, y)
    clf.feature_stats_ = (mu, sd)  # type: ignore[attr-defined]
    return clf


def teacher_proba(clf: LogisticRegression, x: np.ndarray) -> np.ndarray:
    mu, sd = clf.feature_stats_  # type: ignore[attr-defined]
    return clf.predict_proba((x - mu) / sd)[:, 1].astype(np.float32)


class Student(torch.nn.Module):
    mu: torch.Tensor
    sd: torch.Tensor

    def __init__(self, dim: int, cfg: StudentConfig, mu: np.ndarray, sd: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("mu", torch.from_numpy(mu.astype(np.float32)))
        self.register_buffer("sd", torch.from_numpy(sd.astype(np.float32)))
        if cfg.head == "linear":
            self.net: torch.nn.Module = torch.nn.Linear(dim, 1)
        elif cfg.head == "mlp":
            self.net = torch.nn.Sequential(
                torch.nn.Linear(dim, cfg.hidden), torch.nn.GELU(), torch.nn.Linear(cfg.hidden, 1)
            )
        else:
            raise ValueError(f"unknown head {cfg.head!r}; expected linear or mlp")

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (n, d) -> (n,) logits
        return self.net((x - self.mu) / self.sd).squeeze(-1)

    @torch.no_grad()
    def proba(self, x: np.ndarray) -> np.ndarray:
        self.eval()
        return torch.sigmoid(self(torch.from_numpy(np.array(x, np.float32)))).numpy()


def train_student(
    x: np.ndarray,
    target: np.ndarray,
    seed: int,
    cfg: StudentConfig | None = None,
    weight: np.ndarray | None = None,
) -> Student:
    """Fit a head on features x (n, d) against targets in [0, 1] (n,), optional item weights."""
    cfg = cfg or StudentConfig()
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xt = torch.from_numpy(np.array(x, dtype=np.float32))  # a copy: memmaps are read-only
    tt = torch.from_numpy(np.array(target, dtype=np.float32))
    wt = None if weight is None else torch.from_numpy(np.array(weight, dtype=np.float32))
    mu, sd = _stats(np.asarray(x))
    model = Student(xt.shape[1], cfg, mu, sd)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = get_loss(cfg.loss)
    n = xt.shape[0]
    steps = cfg.epochs * ((n + cfg.batch_size - 1) // cfg.batch_size)
    step = 0
    model.train()
    for _ in range(cfg.epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, cfg.batch_size):
            idx = perm[i : i + cfg.batch_size]
            logits = model(xt[idx])  # (b,)
            per_item = loss_fn(logits, tt[idx], progress=step / steps, **cfg.loss_args)
            if wt is not None:
                loss = (per_item * wt[idx]).sum() / wt[idx].sum().clamp(min=1e-8)
            else:
                loss = per_item.mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
    return model


def fit_predict_student(
    x_train: np.ndarray,
    target: np.ndarray,
    x_test: np.ndarray,
    seed: int,
    cfg: StudentConfig | None = None,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    return train_student(x_train, target, seed, cfg, weight).proba(x_test)


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=0)
    sd = x.std(axis=0) + 1e-6
    return mu.astype(np.float32), sd.astype(np.float32)
