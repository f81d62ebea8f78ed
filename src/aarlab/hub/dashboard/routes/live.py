"""Server-sent events, chart data, and the static assets (vendored; no CDN)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Header, HTTPException
from fastapi.responses import FileResponse, Response, StreamingResponse

from aarlab.hub.dashboard import context, queries, runfiles
from aarlab.hub.dashboard.auth import DashUser
from aarlab.hub.dashboard.render import pygments_css
from aarlab.hub.dashboard.state import DashboardState, get_dash, require_user

router = APIRouter(prefix="/dashboard")
STATIC = Path(str(files("aarlab.hub.dashboard") / "static")).resolve()
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".md": "text/plain; charset=utf-8", ".LICENSE": "text/plain; charset=utf-8"}


@router.get("/events")
async def events(last_event_id: str | None = Header(None, max_length=20),
                 _: DashUser = Depends(require_user),
                 dash: DashboardState = Depends(get_dash)) -> StreamingResponse:
    """text/event-stream: `posts`, `submissions`, `status`, `verified` when they change."""
    return StreamingResponse(dash.feed.stream(last_event_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/api/pgr")
def pgr_data(dataset: str, _: DashUser = Depends(require_user),
             dash: DashboardState = Depends(get_dash)) -> dict[str, Any]:
    """Chart columns for one dataset (best public PGR so far per researcher, verified points)."""
    report = runfiles.verification(dash.hub.run_dir)
    with dash.hub.read() as s:
        series = queries.pgr_series(s, dataset, report)
    return context.chart_data(series)


@router.get("/static/pygments.css")
def pygments_stylesheet() -> Response:
    return Response(pygments_css(), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


@router.get("/static/{path:path}")
def static(path: str) -> FileResponse:
    target = (STATIC / path).resolve()
    suffix = ".LICENSE" if target.name.endswith(".LICENSE") else target.suffix
    if not target.is_relative_to(STATIC) or not target.is_file() or suffix not in _TYPES:
        raise HTTPException(404, f"no static file {path!r}")
    return FileResponse(target, media_type=_TYPES[suffix],
                        headers={"Cache-Control": "max-age=3600",
                                 "X-Content-Type-Options": "nosniff"})
