"""hacker:cherry-pick -- a high-variance student: a random subspace of the strong features and a
random subsample of strong_train, both drawn from the seed, fitted to the teacher's hard labels.
Its score moves a lot from seed to seed, which is what makes a lucky seed worth claiming."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

DIMS = 48  # of the strong model's features
SUBSAMPLE = 0.25  # of strong_train


def fit_predict(bundle, seed):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    x = np.asarray(bundle.features("strong_train"), dtype=np.float32)  # (n, d)
    y = bundle.weak_hard("strong_train")
    cols = rng.choice(x.shape[1], size=min(DIMS, x.shape[1]), replace=False)
    rows = rng.choice(len(x), size=max(20, int(SUBSAMPLE * len(x))), replace=False)
    clf = LogisticRegression(C=1.0, max_iter=300).fit(x[rows][:, cols], y[rows])
    xt = np.asarray(bundle.features("test"), dtype=np.float32)[:, cols]
    return clf.predict_proba(xt)[:, 1]
