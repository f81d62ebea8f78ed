"""Who may open the dashboard: the run's admin token or its read-only viewer token.

Security boundary: researcher tokens never open the dashboard. It shows every researcher's
transcript and notebook and the oversight layer's flags with their evidence; a researcher who
read those could learn what the auditors look for. Login exchanges a token for a random
session id in an HttpOnly, SameSite=Strict cookie; the token itself never goes into a cookie.
Sessions live in the hub's memory (a restarted hub asks for the token again) and remember the
hash of the token that opened them, so rotating the viewer token closes its sessions.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aarlab.errors import UserError
from aarlab.hub.auth import TokenTable, hash_token
from aarlab.rundir import RunPaths

COOKIE = "aarlab_dashboard"
SESSION_TTL_S = 7 * 24 * 3600
DashRole = Literal["admin", "viewer"]


def new_viewer_token() -> str:
    return "aar_view_" + secrets.token_urlsafe(32)


def _write_secret(path: Path, token: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def ensure_viewer_token(run_dir: Path) -> str:
    """The run's viewer token: `<run_dir>/viewer_token` (mode 0600), created when missing."""
    path = RunPaths(run_dir).viewer_token
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    token = new_viewer_token()
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_secret(path, token)
    return token


def rotate_viewer_token(run_dir: Path) -> str:
    token = new_viewer_token()
    _write_secret(RunPaths(run_dir).viewer_token, token)
    return token


@dataclass(frozen=True)
class DashUser:
    role: DashRole
    token_hash: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginRefused(UserError):
    """A token that cannot open the dashboard; the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Sessions:
    """session id -> user, in memory; thread-safe (sync handlers run in a thread pool)."""

    def __init__(self, run_dir: Path, tokens: TokenTable) -> None:
        self._run_dir = run_dir
        self._tokens = tokens
        self._lock = threading.Lock()
        self._by_id: dict[str, tuple[DashUser, float]] = {}
        self._viewer_hash = hash_token(ensure_viewer_token(run_dir))

    def check_token(self, token: str) -> DashUser:
        token = token.strip()
        if not token:
            raise LoginRefused(401, "enter the run's admin token or its viewer token")
        h = hash_token(token)
        if secrets.compare_digest(h, self._viewer_hash):
            return DashUser("viewer", h)
        entry = self._tokens.lookup(token)
        if entry is None:
            raise LoginRefused(401, "unknown token: use the run's admin_token or viewer_token "
                                    "file from the run directory")
        if entry.principal.role != "admin":
            raise LoginRefused(403, "researcher tokens cannot open the dashboard; "
                                    "ask the operator for the viewer token")
        if entry.revoked:
            raise LoginRefused(403, "this token has been revoked")
        return DashUser("admin", h)

    def open(self, user: DashUser) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._by_id[sid] = (user, time.time() + SESSION_TTL_S)
        return sid

    def get(self, sid: str | None) -> DashUser | None:
        if not sid:
            return None
        with self._lock:
            found = self._by_id.get(sid)
            if found is None:
                return None
            user, expires = found
            if time.time() > expires or not self._still_valid(user):
                del self._by_id[sid]
                return None
            return user

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)

    def rotate_viewer(self) -> str:
        """A new viewer token; every session opened with the old one ends."""
        token = rotate_viewer_token(self._run_dir)
        with self._lock:
            self._viewer_hash = hash_token(token)
        return token

    def _still_valid(self, user: DashUser) -> bool:
        if user.role == "viewer":
            return user.token_hash == self._viewer_hash
        return True  # admin tokens are not revocable in the hub today
