"""The dashboard's router: pages, fragments, events, login; mounted by `create_app`."""

from __future__ import annotations

from fastapi import APIRouter

from aarlab.hub.dashboard.routes import fragments, live, login, views
from aarlab.hub.dashboard.state import lifespan

router = APIRouter(lifespan=lifespan, include_in_schema=False)
for _module in (login, views, fragments, live):
    router.include_router(_module.router)
