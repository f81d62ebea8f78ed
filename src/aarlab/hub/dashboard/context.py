"""What each view shows, gathered once for the full page and for its live fragment."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from aarlab.hub.dashboard import queries, runfiles
from aarlab.hub.dashboard.report_view import ResultView
from aarlab.hub.dashboard.state import DashboardState
from aarlab.hub.forum import find_posts
from aarlab.hub.leaderboard import leaderboard_rows
from aarlab.hub.schemas import PostKind, SnapshotFile

KINDS: list[tuple[str, str]] = [("result", "Results"), ("hypothesis", "Hypotheses"),
                                ("insight", "Insights"), ("error", "Errors")]
FORUM_LIMIT = 100


def datasets(dash: DashboardState) -> list[str]:
    with dash.hub.read() as s:
        seen = queries.datasets_seen(s)
    return sorted(set(dash.hub.scorer.tasks) | set(seen))


def team(dash: DashboardState) -> dict[str, Any]:
    """The team, with each researcher's best public PGR as the hub's Ladder holds it (the
    status file's own number is the fallback, before the first scored submission)."""
    best: dict[str, float] = {}
    with dash.hub.read() as s:
        for d in datasets(dash):
            for row in leaderboard_rows(s, d):
                if row.public.pgr is not None:
                    best[row.researcher] = max(best.get(row.researcher, row.public.pgr),
                                               row.public.pgr)
    return {"members": runfiles.team(dash.hub.run_dir), "ladder_best": best}


def leaderboard(dash: DashboardState) -> dict[str, Any]:
    report = runfiles.verification(dash.hub.run_dir)
    with dash.hub.read() as s:
        boards = [(d, leaderboard_rows(s, d)) for d in datasets(dash)]
    results = sorted(report.results, key=_verified_order) if report else []
    return {"boards": boards, "report": report, "results": results}


def _verified_order(r: ResultView) -> tuple[bool, float]:
    mean = r.pgr.mean
    return (r.disqualified, -mean if mean == mean else math.inf)  # NaN last


def forum(dash: DashboardState, kind: PostKind | None, q: str | None) -> dict[str, Any]:
    with dash.hub.read() as s:
        posts = find_posts(s, q, kind, None, None, None, None, FORUM_LIMIT, 0)
    return {"posts": posts, "kind": kind, "q": q or "", "kinds": KINDS}


def flags(dash: DashboardState) -> dict[str, Any]:
    report = runfiles.verification(dash.hub.run_dir)
    return {"flags": runfiles.all_flags(report), "report": report}


def pgr(dash: DashboardState) -> dict[str, Any]:
    report = runfiles.verification(dash.hub.run_dir)
    with dash.hub.read() as s:
        charts = [queries.pgr_series(s, d, report) for d in datasets(dash)]
    return {"charts": charts}


@dataclass
class TreeNode:
    name: str
    path: str
    is_dir: bool
    size: int = 0
    children: list[TreeNode] = field(default_factory=list)


def file_tree(files: list[SnapshotFile]) -> list[TreeNode]:
    """Nest a flat listing (directories first, then files, by name)."""
    root = TreeNode("", "", True)
    index: dict[str, TreeNode] = {"": root}

    def node(path: str, is_dir: bool, size: int = 0) -> TreeNode:
        if path in index:
            return index[path]
        parent_path, _, name = path.rpartition("/")
        parent = node(parent_path, True)
        n = TreeNode(name, path, is_dir, size)
        parent.children.append(n)
        index[path] = n
        return n

    for f in files:
        if f.path in (".", ""):
            continue
        node(f.path, f.type == "dir", f.size)

    def order(n: TreeNode) -> None:
        n.children.sort(key=lambda c: (not c.is_dir, c.name))
        for c in n.children:
            order(c)

    order(root)
    return root.children


def chart_data(series: queries.PgrSeries) -> dict[str, Any]:
    """uPlot's aligned columns: x (union of submission and verified times), one step line of
    best public PGR per researcher, and the verified points (null elsewhere)."""
    xs = sorted(set(series.x) | {p.t for p in series.verified})
    pos = {t: i for i, t in enumerate(series.x)}
    lines = []
    for name in series.researchers:
        values, last = [], None
        for t in xs:
            if t in pos:
                last = series.best[name][pos[t]]
            values.append(last)
        lines.append({"label": name, "values": values})
    verified: list[float | None] = [None] * len(xs)
    at = {t: i for i, t in enumerate(xs)}
    for p in series.verified:
        i = at[p.t]
        current = verified[i]
        verified[i] = p.pgr if current is None else max(current, p.pgr)
    return {"dataset": series.dataset, "x": xs, "series": lines, "verified": verified}
