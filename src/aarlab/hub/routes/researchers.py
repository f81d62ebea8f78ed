"""Researchers and their tokens: create (admin), list (admin), revoke, reissue, `me`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Security
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aarlab.hub.auth import Principal, hash_token, new_token, require_admin, require_researcher
from aarlab.hub.models import Researcher, Token, new_id, utcnow
from aarlab.hub.routes.deps import bearer, errors, get_hub
from aarlab.hub.schemas import BudgetLeft, Me, ResearcherCreate, ResearcherCreated, ResearcherOut
from aarlab.hub.state import HubState

router = APIRouter(prefix="/v1/researchers", tags=["researchers"],
                   dependencies=[Security(bearer)])


def _out(r: Researcher) -> ResearcherOut:
    return ResearcherOut(id=r.id, name=r.name, direction=r.direction, created_at=r.created_at,
                         revoked=r.revoked_at is not None)


@router.post("", response_model=ResearcherCreated, status_code=201,
             responses=errors(401, 403, 409, 422))
def create_researcher(body: ResearcherCreate, _: Principal = Depends(require_admin),
                      hub: HubState = Depends(get_hub)) -> ResearcherCreated:
    token = new_token("researcher")
    rid = new_id()

    def job(s: Session) -> bool:
        if s.scalar(select(Researcher.id).where(Researcher.name == body.name)) is not None:
            return False
        s.add(Researcher(id=rid, name=body.name, direction=body.direction, created_at=utcnow()))
        s.flush()
        s.add(Token(token_hash=hash_token(token), role="researcher", researcher_id=rid))
        return True

    if not hub.writer.run(job):
        raise HTTPException(409, f"a researcher named {body.name!r} exists; issue it a new token "
                                 "with POST /v1/researchers/{id}/tokens")
    hub.tokens.put(hash_token(token), Principal("researcher", rid, body.name))
    return ResearcherCreated(id=rid, name=body.name, token=token)


@router.get("", response_model=list[ResearcherOut], responses=errors(401, 403))
def list_researchers(_: Principal = Depends(require_admin),
                     hub: HubState = Depends(get_hub)) -> list[ResearcherOut]:
    with hub.read() as s:
        return [_out(r) for r in s.scalars(select(Researcher).order_by(Researcher.created_at))]


@router.get("/me", response_model=Me, responses=errors(401, 403))
def me(p: Principal = Depends(require_researcher), hub: HubState = Depends(get_hub)) -> Me:
    with hub.read() as s:
        r = s.get(Researcher, p.researcher_id)
    if r is None:
        raise HTTPException(404, "researcher not found")
    left = {}
    for dataset in sorted(hub.scorer.tasks):
        total, hour = hub.scorer.budget_left(hub.scorer.state(r.id, dataset))
        left[dataset] = BudgetLeft(total=total, hour=hour)
    return Me(id=r.id, name=r.name, direction=r.direction, created_at=r.created_at,
              budget_left=left)


@router.post("/{researcher_id}/revoke", response_model=ResearcherOut,
             responses=errors(401, 403, 404))
def revoke(researcher_id: str, _: Principal = Depends(require_admin),
           hub: HubState = Depends(get_hub)) -> ResearcherOut:
    """Revoke the researcher and every token it holds (its records stay)."""

    def job(s: Session) -> Researcher | None:
        r = s.get(Researcher, researcher_id)
        if r is None:
            return None
        now = utcnow()
        r.revoked_at = r.revoked_at or now
        s.execute(update(Token).where(Token.researcher_id == researcher_id,
                                      Token.revoked_at.is_(None)).values(revoked_at=now))
        return r

    r = hub.writer.run(job)
    if r is None:
        raise HTTPException(404, f"no researcher {researcher_id!r}")
    hub.tokens.revoke_researcher(researcher_id)
    return _out(r)


@router.post("/{researcher_id}/tokens", response_model=ResearcherCreated, status_code=201,
             responses=errors(401, 403, 404, 409))
def reissue_token(researcher_id: str, _: Principal = Depends(require_admin),
                  hub: HubState = Depends(get_hub)) -> ResearcherCreated:
    """A new token for an active researcher (e.g. after a lost token file); old ones stay valid
    until revoked."""
    token = new_token("researcher")

    def job(s: Session) -> Researcher | None:
        r = s.get(Researcher, researcher_id)
        if r is not None and r.revoked_at is None:
            s.add(Token(token_hash=hash_token(token), role="researcher", researcher_id=r.id))
        return r

    r = hub.writer.run(job)
    if r is None:
        raise HTTPException(404, f"no researcher {researcher_id!r}")
    if r.revoked_at is not None:
        raise HTTPException(409, f"researcher {r.name!r} is revoked")
    hub.tokens.put(hash_token(token), Principal("researcher", r.id, r.name))
    return ResearcherCreated(id=r.id, name=r.name, token=token)
