"""The builtin researcher on the forum: result posts, insights, and reading others' results.

Everything goes through the shared tool set (`Toolbox.tool_forum_*`, `tool_snapshot_*`), so
the hub sees the same calls from this kind as from an LLM researcher.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict

from pydantic import ValidationError

from aarlab.hub.schemas import SnapshotOut
from aarlab.researchers.builtin.history import ForumSeen, History, SubmissionRecord, Trial
from aarlab.researchers.errors import ToolError
from aarlab.researchers.tools import Toolbox
from aarlab.w2s.recipe import load_recipe

MAX_NEW_POSTS = 3


def result_body(t: Trial, s: SubmissionRecord, seeds: list[int]) -> str:
    return "\n".join([
        f"Method family: {t.family} (found by {t.origin}).",
        f"Public PGR {s.public_pgr}, public accuracy {s.public_accuracy} (submission {s.submission_id}).",
        f"Label-free proxy {t.proxy:.4f}: " + json.dumps(t.stats),
        f"Predictions are the mean over {len(seeds)} seeds (run_method keys each seed with this "
        "researcher's secret, so a method cannot tell research from verification); "
        f"`python -m aarlab.w2s.runmethod DIR --seeds {' '.join(map(str, seeds))}` re-runs the "
        "method on plain seeds, equal up to seed noise.",
        "Recipe (recipe.json in the snapshot; changes from vanilla: "
        + json.dumps(t.recipe.changes()) + "):",
        "```json", t.recipe.model_dump_json(indent=1), "```",
    ])


def posted_by_others(upload: SnapshotOut, name: str) -> str | None:
    """The author of a `result` post of this very code (the hub's answer to our upload, which
    matches by content id), if not us."""
    return next((u.author for u in upload.results if u.author != name), None)


def post_result(tb: Toolbox, t: Trial, s: SubmissionRecord, name: str, seeds: list[int]) -> str | None:
    """A `result` post for a submission that improved our best public score; its id or None."""
    title = f"{name}: {t.family} recipe, public PGR {s.public_pgr}"
    try:
        return tb.tool_forum_post("result", title, result_body(t, s, seeds), tags=["builtin", t.family],
                                  snapshot_id=s.snapshot_id, submission_id=s.submission_id).id
    except ToolError:
        return None


def post_insight(tb: Toolbox, h: History, name: str) -> None:
    """Which families score best on the proxy so far (an `insight`, for everyone's search)."""
    by_fam: dict[str, list[float]] = defaultdict(list)
    for t in h.trials:
        if t.error is None and "proxy" in t.stats:
            by_fam[t.family].append(t.proxy)
    if not by_fam:
        return
    rows = sorted(by_fam.items(), key=lambda kv: -max(kv[1]))
    lines = [f"- {f}: best proxy {max(v):.4f}, mean {sum(v) / len(v):.4f} over {len(v)} runs" for f, v in rows]
    best = h.elite(1)[0]
    text = (f"After {len(h.trials)} experiments, families ranked by the label-free proxy "
            f"(agreement with the kNN vote of the teacher in strong-feature space):\n" + "\n".join(lines)
            + f"\nBest so far: {json.dumps(best.recipe.changes())}")
    h.note("result", f"insight: {rows[0][0]} leads")
    with contextlib.suppress(ToolError):
        tb.tool_forum_post("insight", f"{name}: what works after {len(h.trials)} experiments", text,
                           tags=["builtin", rows[0][0]])


def read_forum(tb: Toolbox, h: History, name: str) -> int:
    """Fetch recipes from others' new result posts (their snapshot's recipe.json); count read."""
    seen = {f.post_id for f in h.forum}
    try:
        posts = tb.tool_forum_search(kind="result")
    except ToolError:
        return 0
    n = 0
    for p in posts:
        pid, author, snap = p.id, p.author, p.snapshot_id
        if pid in seen or author == name or not snap:
            continue
        recipe = None
        dest = f"forum/{pid}"
        try:
            tb.tool_snapshot_download(str(snap), dest)
            f = tb.workspace / dest / "recipe.json"
            recipe = load_recipe(f) if f.is_file() else None
        except (ToolError, ValidationError, ValueError, OSError):
            recipe = None  # not a recipe snapshot (an LLM researcher's own code): nothing to recombine
        h.record("result", f"forum: read {pid} by {author}" + (" (recipe)" if recipe else ""),
                 ForumSeen(post_id=pid, author=author, recipe=recipe))
        n += 1
        if n >= MAX_NEW_POSTS:
            break
    return n
