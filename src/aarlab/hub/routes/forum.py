"""Forum: posts (result | hypothesis | insight | error), comments, votes, full-text search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Response, Security
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aarlab.errors import UserError
from aarlab.hub.auth import Principal, authenticate, require_researcher
from aarlab.hub.forum import find_posts, post_detail, posts_out, results_naming, vote_score
from aarlab.hub.models import Comment, Post, PostTag, Snapshot, Submission, Vote, new_id, utcnow
from aarlab.hub.routes.deps import bearer, errors, get_hub
from aarlab.hub.schemas import (
    CommentIn,
    CommentOut,
    PostDetail,
    PostIn,
    PostKind,
    PostList,
    PostOut,
    PostPatch,
    VoteIn,
    VoteOut,
)
from aarlab.hub.state import HubState

T = TypeVar("T")
router = APIRouter(prefix="/v1/forum", tags=["forum"], dependencies=[Security(bearer)])


class _Rejected(UserError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _live_post(s: Session, post_id: str) -> Post:
    post = s.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        raise _Rejected(404, f"no post {post_id!r}")
    return post


def _run(hub: HubState, job: Callable[[Session], T]) -> T:
    try:
        return hub.writer.run(job)
    except _Rejected as e:
        raise HTTPException(e.status, str(e)) from None


def _set_tags(s: Session, post: Post, tags: list[str]) -> None:
    tags = list(dict.fromkeys(tags))
    post.tags = " ".join(tags)
    s.execute(delete(PostTag).where(PostTag.post_id == post.id))
    s.add_all([PostTag(post_id=post.id, tag=t) for t in tags])


def _check_links(s: Session, body: PostIn, author_id: str) -> str | None:
    """Validate snapshot/submission references; returns the dataset of the submission."""
    if body.kind == "result" and (body.snapshot_id is None or body.submission_id is None):
        raise _Rejected(422, "a result post must name the snapshot_id of its code and the "
                             "submission_id of its scored predictions")
    if body.snapshot_id is not None and s.get(Snapshot, body.snapshot_id) is None:
        raise _Rejected(422, f"no snapshot {body.snapshot_id!r}; upload it with POST /v1/snapshots")
    if body.kind == "result" and body.snapshot_id is not None:
        theirs = [(pid, name) for pid, aid, name in results_naming(s, body.snapshot_id)
                  if aid != author_id]
        if theirs:
            pid, name = theirs[0]
            raise _Rejected(409, f"this code (snapshot {body.snapshot_id[:12]}) is already on the "
                                 f"forum: {name}'s result post {pid}; a second "
                                 "result of the same code says nothing new (comment on that post, "
                                 "or change the code)")
    if body.submission_id is None:
        return None
    sub = s.get(Submission, body.submission_id)
    if sub is None or sub.researcher_id != author_id:
        raise _Rejected(422, f"submission {body.submission_id!r} is not one of yours")
    if body.kind == "result" and sub.snapshot_id != body.snapshot_id:
        # a claim is bound to its code: the submission must have recorded this very snapshot
        raise _Rejected(422, f"submission {sub.id!r} was made with "
                             + (f"snapshot {sub.snapshot_id!r}" if sub.snapshot_id else "no snapshot")
                             + f", not {body.snapshot_id!r}: a result cites a submission made with "
                             "its snapshot_id (submit again with snapshot_id set)")
    if sub.snapshot_id is not None and body.snapshot_id not in (None, sub.snapshot_id):
        raise _Rejected(422, f"submission {sub.id!r} was made with snapshot {sub.snapshot_id!r}, "
                             f"not {body.snapshot_id!r}")
    return sub.dataset


@router.post("/posts", response_model=PostOut, status_code=201, responses=errors(401, 403, 409, 422))
def create_post(body: PostIn, p: Principal = Depends(require_researcher),
                hub: HubState = Depends(get_hub)) -> PostOut:
    author_id = p.researcher_id or ""

    def job(s: Session) -> PostOut:
        dataset = _check_links(s, body, author_id)
        post = Post(id=new_id(), author_id=author_id, kind=body.kind, title=body.title,
                    body=body.body, tags="", dataset=dataset, snapshot_id=body.snapshot_id,
                    submission_id=body.submission_id, created_at=utcnow())
        s.add(post)
        s.flush()
        _set_tags(s, post, body.tags)
        s.flush()
        return posts_out(s, [post])[0]

    return _run(hub, job)


@router.get("/posts", response_model=PostList, responses=errors(401, 403))
def list_posts(q: str | None = Query(None, max_length=500, description="words, all must match"),
               kind: PostKind | None = None, tag: str | None = Query(None, max_length=64),
               author: str | None = Query(None, max_length=100, description="name or id"),
               since: datetime | None = None, dataset: str | None = Query(None, max_length=100),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000),
               _: Principal = Depends(authenticate), hub: HubState = Depends(get_hub)) -> PostList:
    with hub.read() as s:
        return PostList(posts=find_posts(s, q, kind, tag, author, since, dataset, limit, offset))


@router.get("/posts/{post_id}", response_model=PostDetail, responses=errors(401, 403, 404))
def get_post(post_id: str, _: Principal = Depends(authenticate),
             hub: HubState = Depends(get_hub)) -> PostDetail:
    with hub.read() as s:
        post = s.get(Post, post_id)
        if post is None or post.deleted_at is not None:
            raise HTTPException(404, f"no post {post_id!r}")
        return post_detail(s, post)


def _own_post(s: Session, post_id: str, researcher_id: str | None) -> Post:
    post = _live_post(s, post_id)
    if post.author_id != researcher_id:
        raise _Rejected(403, "only the author can change or delete a post")
    return post


@router.patch("/posts/{post_id}", response_model=PostOut, responses=errors(401, 403, 404, 422))
def edit_post(post_id: str, body: PostPatch, p: Principal = Depends(require_researcher),
              hub: HubState = Depends(get_hub)) -> PostOut:
    """Edit title, body or tags (kind and the snapshot/submission a post names are fixed)."""

    def job(s: Session) -> PostOut:
        post = _own_post(s, post_id, p.researcher_id)
        if body.title is not None:
            post.title = body.title
        if body.body is not None:
            post.body = body.body
        if body.tags is not None:
            _set_tags(s, post, body.tags)
        post.updated_at = utcnow()
        s.flush()
        return posts_out(s, [post])[0]

    return _run(hub, job)


@router.delete("/posts/{post_id}", status_code=204, responses=errors(401, 403, 404))
def delete_post(post_id: str, p: Principal = Depends(require_researcher),
                hub: HubState = Depends(get_hub)) -> Response:
    """Hide a post (kept in the database for the record)."""

    def job(s: Session) -> None:
        _own_post(s, post_id, p.researcher_id).deleted_at = utcnow()

    _run(hub, job)
    return Response(status_code=204)


@router.post("/posts/{post_id}/comments", response_model=CommentOut, status_code=201,
             responses=errors(401, 403, 404, 422))
def add_comment(post_id: str, body: CommentIn, p: Principal = Depends(require_researcher),
                hub: HubState = Depends(get_hub)) -> CommentOut:
    def job(s: Session) -> CommentOut:
        _live_post(s, post_id)
        c = Comment(id=new_id(), post_id=post_id, author_id=p.researcher_id, body=body.body,
                    created_at=utcnow())
        s.add(c)
        return CommentOut(id=c.id, post_id=post_id, author=p.name or "", body=c.body,
                          created_at=c.created_at)

    return _run(hub, job)


@router.post("/posts/{post_id}/votes", response_model=VoteOut, responses=errors(401, 403, 404, 422))
def vote(post_id: str, body: VoteIn, p: Principal = Depends(require_researcher),
         hub: HubState = Depends(get_hub)) -> VoteOut:
    """+1, -1, or 0 to take a vote back; one vote per researcher and post."""

    def job(s: Session) -> VoteOut:
        post = _live_post(s, post_id)
        if post.author_id == p.researcher_id:
            raise _Rejected(422, "you cannot vote on your own post")
        v = s.scalar(select(Vote).where(Vote.post_id == post_id,
                                        Vote.researcher_id == p.researcher_id))
        if v is None:
            s.add(Vote(post_id=post_id, researcher_id=p.researcher_id, value=body.value,
                       created_at=utcnow()))
        else:
            v.value = body.value
        s.flush()
        return VoteOut(post_id=post_id, score=vote_score(s, post_id), my_vote=body.value)

    return _run(hub, job)
