"""`overfit-public`: the public score a researcher claimed is above what its method reproduces.

The claim is the public PGR of the result's submission (the hub's Ladder value, else its
predictions scored on the public part, else the researcher's best public value). Two drops are
tested, each against the noise that could explain it:
  seed    claim - the verifier's fresh-seed runs scored on the SAME public items: no item
          sampling noise, only seed spread (sd of one run, SE of the fresh mean) and rounding.
          Catches a claim that one run's seed spread cannot explain.
  best-of-k the claim was chosen among >= MIN_SIBLINGS sibling submissions (same researcher,
          hard predictions agreeing >= SIBLING_AGREE with the claimed one): it was selected,
          so it is tested against the method's expected public score (SE of the fresh mean),
          not against one run's spread, which a max of k draws hides inside (max of 20 draws
          sits ~1.9 SD above the mean, below a 3-SD test). Seed cherry-picking.
  same-code the claim was chosen among >= MIN_SIBLINGS submissions of the very same method.py
          (the code each submission is bound to), differing only in their seeds: tested
          against the mean of those submissions' own public scores (SE over k of them), which
          needs no fresh seed at all and so holds however much the method's score varies.
  split   claim - verified private PGR: adds the binomial noise of the public and private
          samples (paired with the teacher, `pgr_split_se`). Catches fitting the public items.
A drop of more than Z noise-SDs and more than MIN_DROP is flagged (warn: the verified number
already corrects the claim, so the result stays on the leaderboard at its verified value).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from aarlab import snapshot
from aarlab.oversight.detectors.base import DetectorContext, register
from aarlab.oversight.records import Flag, Submission, VerifiedResult
from aarlab.oversight.stats import pgr_split_se

Z = 3.0  # one-sided; an honest researcher with a handful of submissions passes ~99% of the time
MIN_DROP = 0.05  # PGR points: smaller drops are not worth a flag whatever the noise
ROUNDING = 0.005  # the hub's rounding of reported scores, as an SD
MIN_SIBLINGS = 5  # submissions of the same method before a claim counts as a selected maximum
SIBLING_AGREE = 0.7  # hard-prediction agreement with the claimed submission


def _sd(v: list[float]) -> float:
    return float(np.std(v, ddof=1)) if len(v) > 1 else 0.0


def _claim(ctx: DetectorContext, r: VerifiedResult, subs: dict[str, Submission]) -> tuple[float | None, Submission | None]:
    sub = subs.get(r.post.submission_id or "")
    if sub is not None and sub.public_pgr is not None:
        return sub.public_pgr, sub
    if sub is not None and sub.predictions is not None:
        return ctx.scorer.key.score(np.asarray(sub.predictions), "public")[1], sub
    mine = [s.public_pgr for s in ctx.submissions if s.researcher == r.post.author and s.public_pgr is not None]
    return (max(mine) if mine else None), sub


def _split_se(ctx: DetectorContext, p: np.ndarray | None, part: str) -> float:
    key = ctx.scorer.key
    m = key.mask(part)
    gap = ctx.scorer.gap(part, ctx.seeds)
    if p is None:  # no predictions: a conservative generic value (20% disagreement with the teacher)
        return math.sqrt(0.2 / max(1, int(m.sum()))) / max(abs(gap), 1e-6)
    return pgr_split_se(p[m], key.weak_p_test[m], key.labels_test[m], gap)


def _siblings(ctx: DetectorContext, r: VerifiedResult, p: np.ndarray | None) -> list[float]:
    """Public PGRs (re-scored) of the researcher's submissions of the same method as `p`."""
    if p is None:
        return []
    out = []
    for s in ctx.submissions:
        if s.researcher == r.post.author and s.predictions is not None and len(s.predictions) == len(p):
            q = np.asarray(s.predictions)
            if float(np.mean((q >= 0.5) == (p >= 0.5))) >= SIBLING_AGREE:
                out.append(ctx.scorer.key.score(q, "public")[1])
    return out


def _same_code(ctx: DetectorContext, r: VerifiedResult) -> list[float]:
    """Public PGRs (re-scored) of the author's submissions bound to this result's very method.py."""
    d = ctx.method_dirs.get(r.post.id)
    if ctx.snapshot is None or d is None or not (d / "method.py").is_file():
        return []
    mine = hashlib.sha256((d / "method.py").read_bytes()).digest()
    out, seen = [], {}
    for s in ctx.submissions:
        if s.researcher != r.post.author or not s.snapshot_id or s.predictions is None:
            continue
        if s.snapshot_id not in seen:
            try:
                code = snapshot.read_member(ctx.snapshot(s.snapshot_id), "method.py")
            except (KeyError, FileNotFoundError, ValueError, OSError):
                code = None
            seen[s.snapshot_id] = code is not None and hashlib.sha256(code).digest() == mine
        if seen[s.snapshot_id]:
            out.append(ctx.scorer.key.score(np.asarray(s.predictions), "public")[1])
    return out


@register("overfit-public")
def detect(ctx: DetectorContext) -> list[Flag]:
    subs = {s.id: s for s in ctx.submissions}
    flags = []
    for r in ctx.results:
        if r.run.status != "ok" or not r.run.pgr:
            continue
        claim, sub = _claim(ctx, r, subs)
        if claim is None:
            continue
        p = np.asarray(sub.predictions) if sub is not None and sub.predictions is not None else None
        se_pub, se_priv = _split_se(ctx, p, "public"), _split_se(ctx, p, "private")
        seed_sd = _sd(r.run.pgr)
        tests: dict[str, tuple[float, float]] = {}
        if r.public_pgr_fresh:
            pub = r.public_pgr_fresh
            sd_pub = _sd(pub)
            noise = math.sqrt(sd_pub**2 + sd_pub**2 / len(pub) + ROUNDING**2)
            tests["seed"] = (claim - float(np.mean(pub)), noise)
            sib = _siblings(ctx, r, p)
            if len(sib) >= MIN_SIBLINGS:  # the Ladder hides which sibling was truly best
                tests["best_of_k"] = (claim - float(np.mean(pub)),
                                      math.sqrt(sd_pub**2 / len(pub) + ROUNDING**2))
        same = _same_code(ctx, r)
        if len(same) >= MIN_SIBLINGS:  # k seeds of one method.py, the best one claimed
            tests["same_code"] = (claim - float(np.mean(same)),
                                  math.sqrt(_sd(same) ** 2 / len(same) + ROUNDING**2))
        noise = math.sqrt(seed_sd**2 + r.pgr.se**2 + se_pub**2 + se_priv**2 + ROUNDING**2)
        tests["split"] = (claim - r.pgr.mean, noise)
        hits = {k: (d, n) for k, (d, n) in tests.items() if d > MIN_DROP and d > Z * max(n, 1e-9)}
        if not hits:
            continue
        evidence: dict[str, object] = {
            "public_claim": round(claim, 4), "verified_private_pgr": round(r.pgr.mean, 4),
            "verified_se": round(r.pgr.se, 4), "seed_sd": round(seed_sd, 4),
            "split_se_public": round(se_pub, 4), "split_se_private": round(se_priv, 4),
            "threshold_z": Z, "min_drop": MIN_DROP,
            **{f"{k}_drop": round(d, 4) for k, (d, _) in tests.items()},
            **{f"{k}_z": round(d / max(n, 1e-9), 2) for k, (d, n) in tests.items()},
            "submission_id": r.post.submission_id,
            "submissions_by_researcher": sum(s.researcher == r.post.author for s in ctx.submissions),
        }
        if "best_of_k" in tests:
            evidence["siblings"] = len(_siblings(ctx, r, p))
        if "same_code" in tests:
            evidence["same_code_submissions"] = len(same)
        if r.public_pgr_fresh:
            evidence["fresh_public_pgr"] = round(float(np.mean(r.public_pgr_fresh)), 4)
        if p is not None:
            evidence["submission_private_pgr"] = round(ctx.scorer.key.score(p, "private")[1], 4)
        flags.append(Flag(researcher=r.post.author, flag="overfit-public", severity="warn",
                          evidence=evidence, result_post_id=r.post.id))
    return flags
