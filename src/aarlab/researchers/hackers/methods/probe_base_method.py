"""hacker:probe -- the starting point of the probing: a strong-feature logistic regression on
the teacher's soft labels (thresholded), an ordinary W2S baseline."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression


def fit_predict(bundle, seed):  # type: ignore[no-untyped-def]
    x = np.asarray(bundle.features("strong_train"), dtype=np.float32)
    y = bundle.weak_hard("strong_train")
    clf = LogisticRegression(C=1.0, max_iter=500, random_state=seed).fit(x, y)
    return clf.predict_proba(np.asarray(bundle.features("test"), dtype=np.float32))[:, 1]
