"""HTML fragments that htmx refetches when the event stream names their topic."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from aarlab.hub.dashboard import context
from aarlab.hub.dashboard.auth import DashUser
from aarlab.hub.dashboard.render import page
from aarlab.hub.dashboard.state import DashboardState, get_dash, require_user
from aarlab.hub.schemas import PostKind

router = APIRouter(prefix="/dashboard/fragments")


@router.get("/team")
def team(request: Request, user: DashUser = Depends(require_user),
         dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "_team.html", user, **context.team(dash))


@router.get("/leaderboard")
def leaderboard(request: Request, user: DashUser = Depends(require_user),
                dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "_leaderboard.html", user, **context.leaderboard(dash))


@router.get("/pgr-table")
def pgr_table(request: Request, user: DashUser = Depends(require_user),
              dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "_pgr_table.html", user, **context.pgr(dash))


@router.get("/forum")
def forum(request: Request, kind: PostKind | None = None,
          q: str | None = Query(None, max_length=500), user: DashUser = Depends(require_user),
          dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "_forum.html", user, **context.forum(dash, kind, q))


@router.get("/flags")
def flags(request: Request, user: DashUser = Depends(require_user),
          dash: DashboardState = Depends(get_dash)) -> Response:
    return page(request, "_flags.html", user, **context.flags(dash))
