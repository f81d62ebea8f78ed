"""Login, logout, and the admin view (rotate the viewer token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from aarlab.hub.dashboard.auth import COOKIE, SESSION_TTL_S, DashUser, LoginRefused
from aarlab.hub.dashboard.render import page
from aarlab.hub.dashboard.state import DashboardState, current_user, get_dash, require_admin

router = APIRouter(prefix="/dashboard")


@router.get("/login")
def login_form(request: Request) -> Response:
    if current_user(request) is not None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", None, error=None)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=500)] = "",
          dash: DashboardState = Depends(get_dash)) -> Response:
    try:
        user = dash.sessions.check_token(token)
    except LoginRefused as e:
        return page(request, "login.html", None, status_code=e.status, error=str(e))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, dash.sessions.open(user), max_age=SESSION_TTL_S, path="/",
                        httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request, dash: DashboardState = Depends(get_dash)) -> Response:
    dash.sessions.close(request.cookies.get(COOKIE))
    response = RedirectResponse("/dashboard/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/admin")
def admin(request: Request, user: DashUser = Depends(require_admin)) -> Response:
    return page(request, "admin.html", user, view="admin", new_token=None)


@router.post("/admin/viewer-token")
def rotate_viewer(request: Request, user: DashUser = Depends(require_admin),
                  dash: DashboardState = Depends(get_dash)) -> Response:
    """A new viewer token (shown once); sessions opened with the old one end."""
    return page(request, "admin.html", user, view="admin", new_token=dash.sessions.rotate_viewer())
