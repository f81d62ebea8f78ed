"""The dashboard's runtime (sessions and the change feed), built when the hub starts.

`lifespan` is the dashboard router's lifespan: FastAPI runs it inside the hub's own, so the
hub state exists; it creates the viewer token file, and on shutdown ends every event stream
(also on SIGTERM/SIGINT, which uvicorn would otherwise answer by waiting for open streams).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from aarlab.errors import UserError
from aarlab.hub.dashboard import queries, runfiles
from aarlab.hub.dashboard.auth import COOKIE, DashUser, Sessions
from aarlab.hub.dashboard.feed import ChangeFeed
from aarlab.hub.state import HubState
from aarlab.rundir import RunPaths

FEED_INTERVAL_S = 1.0


class DashboardState:
    def __init__(self, hub: HubState, interval: float = FEED_INTERVAL_S) -> None:
        self.hub = hub
        self.sessions = Sessions(hub.run_dir, hub.tokens)
        self.feed = ChangeFeed(self.probe, interval=interval)

    def probe(self) -> dict[str, str]:
        with self.hub.read() as s:
            out = queries.fingerprints(s)
        out["status"] = runfiles.mtime_fingerprint(runfiles.status_files(self.hub.run_dir))
        report = RunPaths(self.hub.run_dir).verification_report
        out["verified"] += runfiles.mtime_fingerprint([report])
        return out


def _chain_signals(loop: asyncio.AbstractEventLoop, on_exit: Callable[[], None]) -> list[
        tuple[int, Any]]:
    """Close the streams when the server is told to stop, then let its own handler run."""
    saved: list[tuple[int, Any]] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous = signal.getsignal(sig)

            def handler(signum: int, frame: FrameType | None, _prev: Any = previous) -> None:
                loop.call_soon_threadsafe(on_exit)
                if callable(_prev):
                    _prev(signum, frame)

            signal.signal(sig, handler)
            saved.append((sig, previous))
        except ValueError:  # not the main thread (a hub run inside tests): nothing to chain
            break
    return saved


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    dash = DashboardState(app.state.hub)
    app.state.dashboard = dash
    saved = _chain_signals(asyncio.get_running_loop(), dash.feed.close)
    try:
        yield
    finally:
        dash.feed.close()
        for sig, previous in saved:
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, previous)


def get_dash(request: Request) -> DashboardState:
    dash: DashboardState = request.app.state.dashboard
    return dash


def current_user(request: Request) -> DashUser | None:
    return get_dash(request).sessions.get(request.cookies.get(COOKIE))


class LoginRequired(HTTPException, UserError):
    """Not logged in: pages redirect to the login form, the rest answers 401."""


def require_user(request: Request) -> DashUser:
    """Pages redirect to the login form; fragments, data and events answer 401."""
    user = current_user(request)
    if user is not None:
        return user
    if request.method == "GET" and request.headers.get("accept", "").startswith("text/html") \
            and "hx-request" not in request.headers:
        raise LoginRequired(303, "log in first", headers={"Location": "/dashboard/login"})
    raise LoginRequired(401, "log in to the dashboard first (POST /dashboard/login)")


def require_admin(request: Request) -> DashUser:
    user = require_user(request)
    if not user.is_admin:
        raise HTTPException(403, "this view needs the admin token; the viewer token is read-only")
    return user
