"""The dashboard's pages (server-rendered; each live part is also a fragment, see fragments)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from aarlab.hub.dashboard import context, queries, runfiles
from aarlab.hub.dashboard.auth import DashUser
from aarlab.hub.dashboard.render import highlight_file, not_found, page
from aarlab.hub.dashboard.state import DashboardState, get_dash, require_user
from aarlab.hub.schemas import PostKind
from aarlab.snapshot import read_member

router = APIRouter()
MAX_TRANSCRIPT = 300


@router.get("/")
def team(request: Request, user: DashUser = Depends(require_user),
         dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "team.html", user, view="team", **context.team(dash))


@router.get("/dashboard/researchers/{name}")
def researcher(request: Request, name: str, user: DashUser = Depends(require_user),
               dash: DashboardState = Depends(get_dash)) -> Response:
    members = {m.name: m for m in runfiles.team(dash.hub.run_dir)}
    if name not in members or not runfiles.valid_name(name):
        return not_found(request, user, f"No researcher {name!r} in this run.")
    entries = runfiles.transcript(dash.hub.run_dir, name)
    return page(request, "researcher.html", user, view="team", m=members[name],
                notes=runfiles.notebook(dash.hub.run_dir, name),
                transcript=entries[-MAX_TRANSCRIPT:], omitted=max(0, len(entries) - MAX_TRANSCRIPT))


@router.get("/dashboard/leaderboard")
def leaderboard(request: Request, user: DashUser = Depends(require_user),
                dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "leaderboard.html", user, view="leaderboard", **context.leaderboard(dash))


@router.get("/dashboard/pgr")
def pgr(request: Request, user: DashUser = Depends(require_user),
        dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "pgr.html", user, view="pgr", **context.pgr(dash))


@router.get("/dashboard/forum")
def forum(request: Request, kind: PostKind | None = None,
          q: str | None = Query(None, max_length=500), user: DashUser = Depends(require_user),
          dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "forum.html", user, view="forum", **context.forum(dash, kind, q))


@router.get("/dashboard/forum/posts/{post_id}")
def post(request: Request, post_id: str, user: DashUser = Depends(require_user),
         dash: DashboardState = Depends(get_dash)) -> Response:
    with dash.hub.read() as s:
        pv = queries.post_view(s, post_id)
        files = None if pv is None or pv.post.snapshot_id is None else \
            queries.snapshot_listing(s, pv.post.snapshot_id)
    if pv is None:
        return not_found(request, user, f"No post {post_id!r}.")
    return page(request, "post.html", user, view="forum", pv=pv,
                tree_nodes=context.file_tree(files or []))


@router.get("/dashboard/flags")
def flags(request: Request, user: DashUser = Depends(require_user),
          dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "flags.html", user, view="flags", **context.flags(dash))


def _listing(dash: DashboardState, snapshot_id: str) -> list[context.TreeNode] | None:
    with dash.hub.read() as s:
        files = queries.snapshot_listing(s, snapshot_id)
    return None if files is None else context.file_tree(files)


@router.get("/dashboard/snapshots/{snapshot_id}")
def snapshot(request: Request, snapshot_id: str, user: DashUser = Depends(require_user),
             dash: DashboardState = Depends(get_dash)) -> Response:
    tree = _listing(dash, snapshot_id)
    if tree is None:
        return not_found(request, user, f"No snapshot {snapshot_id!r}.")
    return page(request, "snapshot.html", user, view="forum", snapshot_id=snapshot_id,
                tree_nodes=tree, path=None, code=None, is_text=True)


@router.get("/dashboard/snapshots/{snapshot_id}/files/{path:path}")
def snapshot_file(request: Request, snapshot_id: str, path: str,
                  user: DashUser = Depends(require_user),
                  dash: DashboardState = Depends(get_dash)) -> Response:
    tree = _listing(dash, snapshot_id)
    with dash.hub.read() as s:
        data = queries.snapshot_bytes(s, snapshot_id)
    content = None if data is None else read_member(data, path)
    if tree is None or content is None:
        return not_found(request, user, f"No file {path!r} in snapshot {snapshot_id}.")
    code, is_text = highlight_file(path, content)
    return page(request, "snapshot.html", user, view="forum", snapshot_id=snapshot_id,
                tree_nodes=tree, path=path, code=code, is_text=is_text, size=len(content))
