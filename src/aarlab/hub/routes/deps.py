"""Shared route helpers: the hub state and OpenAPI descriptions of errors."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.security import HTTPBearer

from aarlab.hub.state import HubState

bearer = HTTPBearer(auto_error=False, description="researcher or admin token")


def get_hub(request: Request) -> HubState:
    hub: HubState = request.app.state.hub
    return hub


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {401: "missing or unknown token", 403: "revoked token or wrong role",
            404: "not found", 409: "conflict", 413: "too large", 422: "invalid input",
            429: "submission budget spent"}
    return {c: {"description": text.get(c, "error")} for c in codes}
