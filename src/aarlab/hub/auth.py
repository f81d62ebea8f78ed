"""Bearer tokens: random, stored as sha256, revocable; admin vs researcher principals.

Tokens are 256-bit random strings (`secrets.token_urlsafe`), so an unsalted sha256 is a sound
stored form (nothing to brute-force). The hub keeps the token table in memory for speed and
updates it on every change it makes itself (one hub process owns a database).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fastapi import HTTPException, Request

from aarlab.rundir import RunPaths

Role = Literal["admin", "researcher"]


def new_token(role: Role) -> str:
    return ("aar_admin_" if role == "admin" else "aar_r_") + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    role: Role
    researcher_id: str | None = None
    name: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass
class TokenEntry:
    principal: Principal
    revoked: bool


class TokenTable:
    """token hash -> principal, mirrored from the `tokens` table."""

    def __init__(self) -> None:
        self._by_hash: dict[str, TokenEntry] = {}

    def put(self, token_hash: str, principal: Principal, revoked: bool = False) -> None:
        self._by_hash[token_hash] = TokenEntry(principal, revoked)

    def revoke_researcher(self, researcher_id: str) -> None:
        for entry in self._by_hash.values():
            if entry.principal.researcher_id == researcher_id:
                entry.revoked = True

    def lookup(self, token: str) -> TokenEntry | None:
        # Keyed on the hash: an attacker cannot steer the hash's prefix, so timing leaks nothing.
        return self._by_hash.get(hash_token(token))


def load_admin_token(run_dir: Path, configured: str | None) -> str:
    """The admin token: from settings if given, else `<run_dir>/admin_token`, else a new one
    written there with mode 0600."""
    if configured:
        return configured
    path = RunPaths(run_dir).admin_token
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    token = new_token("admin")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "missing bearer token: send 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def authenticate(request: Request) -> Principal:
    """Any valid principal (FastAPI dependency)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    table: TokenTable = request.app.state.hub.tokens
    entry = table.lookup(_bearer(request))
    if entry is None:
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    if entry.revoked:
        request.state.revoked_principal = entry.principal
        raise HTTPException(403, "this token has been revoked; ask the operator for a new one")
    request.state.principal = entry.principal
    return entry.principal


def require_admin(request: Request) -> Principal:
    p = authenticate(request)
    if not p.is_admin:
        raise HTTPException(403, "this endpoint needs the admin token")
    return p


def require_researcher(request: Request) -> Principal:
    p = authenticate(request)
    if p.role != "researcher" or p.researcher_id is None:
        raise HTTPException(403, "this endpoint acts as a researcher: use a researcher token "
                                 "(create one with POST /v1/researchers)")
    return p
