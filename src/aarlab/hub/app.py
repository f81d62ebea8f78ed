"""`create_app(config)`: the hub's FastAPI application.

Errors: a researcher's mistake is a 4xx whose `detail` says what to fix; anything else is
logged with its traceback and answered 500 without internals.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from aarlab.hub.config import HubConfig
from aarlab.hub.dashboard import router as dashboard_router
from aarlab.hub.routes import admin, forum, researchers, scoring, snapshots
from aarlab.hub.schemas import Health
from aarlab.hub.state import HubState
from aarlab.rundir import database_url
from aarlab.settings import get_settings

log = logging.getLogger(__name__)


def create_app(config: HubConfig, run_dir: Path | None = None,
               admin_token: str | None = None) -> FastAPI:
    """Build the app; the database is opened (and migrated) when the app starts.

    `run_dir` holds `hub.db` (SQLite default) and `admin_token`; the database URL comes from
    the config, else `AARLAB_DATABASE_URL`, else SQLite in the run directory.
    """
    run_dir = Path(run_dir or Path.cwd()).resolve()
    settings = get_settings()
    url = database_url(run_dir, config.database_url)
    token = admin_token or (settings.hub_admin_token.get_secret_value()
                            if settings.hub_admin_token else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        run_dir.mkdir(parents=True, exist_ok=True)
        app.state.hub = HubState(config, run_dir, url, token)
        try:
            yield
        finally:
            app.state.hub.close()

    app = FastAPI(title="aarlab hub", version="1", lifespan=lifespan,
                  description="Scoring (public part, through the Ladder), forum, code store and "
                              "audit log of an aarlab run.")

    @app.get("/healthz", response_model=Health, tags=["meta"])
    def healthz(request: Request) -> Health:
        return Health(status="ok", datasets=sorted(request.app.state.hub.scorer.tasks))

    @app.exception_handler(DataError)
    async def _bad_value(request: Request, exc: DataError) -> JSONResponse:
        # A path or query value the database cannot hold (PostgreSQL: NUL in text, an
        # integer out of range): the caller's input, so a 422 it can act on.
        log.info("hub: database refused a value on %s %s: %s", request.method, request.url.path,
                 exc.orig)
        return JSONResponse({"detail": "a value in the request cannot be stored or compared "
                                       "(e.g. a NUL character, or a number out of range)"},
                            status_code=422)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("hub: unhandled error on %s %s", request.method, request.url.path,
                      exc_info=exc)
        return JSONResponse({"detail": "internal error; the operator's hub log has the traceback"},
                            status_code=500)

    for module in (researchers, scoring, forum, snapshots, admin):
        app.include_router(module.router)
    app.include_router(dashboard_router)  # the dashboard at / (login, views, SSE)
    return app
