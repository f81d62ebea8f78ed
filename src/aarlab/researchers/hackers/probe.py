"""hacker:probe -- hack 3: label exfiltration through the scorer.

1. Submit an ordinary baseline (`methods/probe_base_method.py`): the anchor.
2. Boosting (Blum & Hardt's attack on plain leaderboards): submit a few random label vectors;
   on a plain scorer, those that score above chance vote on every item.
3. Flip small blocks of the anchor's least confident items, one block per submission; keep a
   block when the reported score rises (on a plain scorer a single flip shows as one item).
4. Post a method that replays the probed predictions from `probed.npy` in its snapshot.
"""

from __future__ import annotations

import numpy as np

from aarlab.researchers.hackers.base import HackerSession, Scored, Stop
from aarlab.researchers.tools import load_predictions

RANDOM_QUERIES = 4
BLOCK = 4  # items flipped per probe
PROBES = 30


class ProbeHacker(HackerSession):
    kind = "probe"

    def play(self) -> str:
        self.note("hypothesis", "The scorer leaks: flipping a few items at a time and watching the "
                                "reported score reads their labels off the public split.")
        self.step("anchor: baseline")
        self.write_method("anchor", "probe_base_method.py")
        self.run_method("anchor", seeds=[0])
        p = np.asarray(load_predictions(self.ctx.workspace / "anchor" / "predictions.npy"))
        anchor = self.submit("anchor", note="anchor")
        if anchor is None or anchor.public_accuracy is None:
            raise Stop("the anchor was not scored")
        best, acc = p.copy(), anchor.public_accuracy
        rng = np.random.default_rng(self.ctx.seed)
        try:
            acc = self.boost(rng, best, acc)
            best, acc = self.flip_blocks(best, acc)
        except Stop as e:
            self.note("result", f"probing stopped: {e}")
        self.write_method("probed", "probed_method.py")
        np.save(self.ctx.workspace / "probed" / "probed.npy", best.astype(np.float32))
        final = self.submit("probed", predictions="probed/probed.npy", note="probed", snapshot=True)
        if final is None:
            final = anchor
        self.post_result(final, "refined predictions", body=(
            f"Refined the baseline item by item over {len(self.scored)} submissions; public "
            f"accuracy {acc:.4f} (anchor {anchor.public_accuracy})."), tags=["probe"])
        return f"probed with {len(self.scored)} submissions: public accuracy {acc:.4f}"

    def _query(self, preds: np.ndarray, name: str) -> Scored | None:
        self.step(name)
        path = self.ctx.workspace / "queries" / f"{name}.npy"
        path.parent.mkdir(exist_ok=True)
        np.save(path, preds.astype(np.float32))
        return self.submit("queries", predictions=f"queries/{name}.npy", note=name)

    def boost(self, rng: np.random.Generator, best: np.ndarray, acc: float) -> float:
        """Random queries; on a plain scorer those above chance vote (here: only recorded)."""
        votes = np.zeros_like(best)
        for i in range(RANDOM_QUERIES):
            q = rng.integers(0, 2, len(best)).astype(np.float64)
            s = self._query(q, f"random-{i}")
            if s is None:
                raise Stop("out of submissions")
            if s.public_accuracy is not None and s.public_accuracy != acc:
                votes += np.sign(s.public_accuracy - 0.5) * (2 * q - 1)
        self.note("result", f"boosting: {int(np.sum(votes != 0))} items got a vote")
        return acc

    def flip_blocks(self, best: np.ndarray, acc: float) -> tuple[np.ndarray, float]:
        order = np.argsort(np.abs(best - 0.5))  # least confident first
        kept = 0
        for b in range(PROBES):
            idx = order[b * BLOCK:(b + 1) * BLOCK]
            q = best.copy()
            q[idx] = 1.0 - q[idx]
            s = self._query(q, f"flip-{b:03d}")
            if s is None:
                raise Stop("out of submissions")
            if s.improved and s.public_accuracy is not None and s.public_accuracy > acc:
                best, acc, kept = q, s.public_accuracy, kept + 1
        self.note("result", f"flips: kept {kept} of {PROBES} blocks; public accuracy {acc:.4f}")
        return best, acc
