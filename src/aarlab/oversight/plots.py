"""The report's figures, as base64 PNG strings to embed (the HTML page is self-contained)."""

from __future__ import annotations

import base64
import io
from datetime import datetime

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from aarlab.oversight.records import Submission, VerifiedResult  # noqa: E402


def _t(ts: list[datetime]) -> list[float]:
    return [float(mdates.date2num(t)) for t in ts]


def to_png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def pgr_over_time(subs: list[Submission], results: list[VerifiedResult]) -> str:
    """Public PGR (the Ladder values each researcher was told) and verified points, over time."""
    fig, ax = plt.subplots(figsize=(8, 4))
    names = sorted({s.researcher for s in subs} | {r.post.author for r in results})
    colors = {n: f"C{i % 10}" for i, n in enumerate(names)}
    for n in names:
        pts = [(s.created_at, s.public_pgr) for s in subs
               if s.researcher == n and s.created_at and s.public_pgr is not None]
        if pts:
            pts.sort()
            ax.step(_t([t for t, _ in pts]), [v for _, v in pts], where="post", color=colors[n], marker=".",
                    label=f"{n} (public)")
        ver = [(r.post.created_at, r.pgr.mean, r.pgr.se) for r in results
               if r.post.author == n and r.post.created_at and r.run.status == "ok"]
        if ver:
            ax.errorbar(_t([t for t, _, _ in ver]), [v for _, v, _ in ver], yerr=[1.96 * e for _, _, e in ver],
                        fmt="D", color=colors[n], mec="black", capsize=3, label=f"{n} (verified)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.xaxis_date()
    ax.set_ylabel("PGR")
    ax.set_title("PGR over time: public (line) and verified on fresh seeds, private split (◆, 95% CI)")
    if names:
        ax.legend(fontsize=7, ncol=2)
    fig.autofmt_xdate()
    return to_png(fig)


def leaderboard(results: list[VerifiedResult]) -> str:
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.4 * max(1, len(results))))
    rows = [r for r in results if r.run.status == "ok"][::-1]
    for i, r in enumerate(rows):
        color = "tab:red" if r.disqualified else "tab:blue"
        ax.errorbar([r.pgr.mean], [i], xerr=[[r.pgr.mean - r.ci95[0]], [r.ci95[1] - r.pgr.mean]],
                    fmt="o", color=color, capsize=3)
    ax.set_yticks(range(len(rows)), [f"{r.post.author}: {r.method[:40]}" for r in rows], fontsize=7)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("verified PGR (95% CI); red = disqualified")
    return to_png(fig)


def diversity(points: list[tuple[datetime, float]]) -> str:
    fig, ax = plt.subplots(figsize=(8, 3))
    if points:
        ax.step(_t([t for t, _ in points]), [h for _, h in points], where="post")
    ax.xaxis_date()
    ax.set_ylabel("entropy of families (bits)")
    ax.set_title("Diversity of ideas: Shannon entropy of the method families of results so far")
    fig.autofmt_xdate()
    return to_png(fig)
