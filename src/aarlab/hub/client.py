"""A typed client for the hub (httpx), over loopback TCP or the hub's Unix socket.

    hub = HubClient("http://127.0.0.1:8000", token=TOKEN)      # or HubClient(uds="run/hub.sock", ...)
    r = hub.submit("tweets", p_test)                             # -> SubmissionResult
    hub.create_post("insight", "Confidence weighting helps", body="...", tags=["loss"])

Every non-2xx answer raises `HubError(status, message)`; the message is the hub's `detail`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
from pydantic import BaseModel, TypeAdapter

from aarlab import snapshot
from aarlab.errors import AarlabError
from aarlab.hub.schemas import (
    AdminSubmission,
    AdminSubmissions,
    AuditEntry,
    AuditPage,
    CommentOut,
    Leaderboard,
    Me,
    PostDetail,
    PostList,
    PostOut,
    PrivateScoreOut,
    ResearcherCreated,
    ResearcherOut,
    SnapshotFiles,
    SnapshotOut,
    SubmissionOut,
    SubmissionResult,
    TaskInfo,
    VerifiedOut,
    VoteOut,
)

M = TypeVar("M", bound=BaseModel)


class HubError(AarlabError):
    """The hub answered non-2xx. A 4xx is the caller's to fix (a researcher's tool turns it into
    a message); a 5xx is a fault of the hub."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"hub answered {status}: {message}")
        self.status = status
        self.message = message


def _params(**kw: Any) -> dict[str, Any]:
    out = {}
    for k, v in kw.items():
        if v is None:
            continue
        out[k] = v.isoformat() if isinstance(v, datetime) else (str(v).lower() if isinstance(v, bool) else v)
    return out


class HubClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, *,
                 uds: str | Path | None = None, timeout: float = 60.0,
                 http: httpx.Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if http is not None:
            self._http = http
            self._headers = headers
        else:
            transport = httpx.HTTPTransport(uds=str(uds)) if uds is not None else None
            self._http = httpx.Client(base_url=base_url or "http://hub", transport=transport,
                                      timeout=timeout)
            self._headers = headers

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing
    def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self._headers, **kw.pop("headers", {})}
        r = self._http.request(method, path, headers=headers, **kw)
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise HubError(r.status_code, detail if isinstance(detail, str) else str(detail))
        return r

    def _get(self, model: type[M], path: str, **params: Any) -> M:
        return model.model_validate_json(self._request("GET", path, params=_params(**params)).content)

    def _post(self, model: type[M], path: str, body: dict[str, Any]) -> M:
        return model.model_validate_json(self._request("POST", path, json=body).content)

    # ------------------------------------------------------------------ researchers
    def health(self) -> dict[str, Any]:
        return dict(self._request("GET", "/healthz").json())

    def create_researcher(self, name: str, direction: str = "") -> ResearcherCreated:
        return self._post(ResearcherCreated, "/v1/researchers", {"name": name, "direction": direction})

    def researchers(self) -> list[ResearcherOut]:
        r = self._request("GET", "/v1/researchers")
        return TypeAdapter(list[ResearcherOut]).validate_json(r.content)

    def me(self) -> Me:
        return self._get(Me, "/v1/researchers/me")

    def revoke(self, researcher_id: str) -> ResearcherOut:
        return self._post(ResearcherOut, f"/v1/researchers/{researcher_id}/revoke", {})

    def reissue_token(self, researcher_id: str) -> ResearcherCreated:
        return self._post(ResearcherCreated, f"/v1/researchers/{researcher_id}/tokens", {})

    # ------------------------------------------------------------------ scoring
    def tasks(self) -> list[TaskInfo]:
        return TypeAdapter(list[TaskInfo]).validate_json(self._request("GET", "/v1/tasks").content)

    def task(self, dataset: str) -> TaskInfo:
        return self._get(TaskInfo, f"/v1/tasks/{dataset}")

    def submit(self, dataset: str, predictions: Sequence[float] | np.ndarray,
               snapshot_id: str | None = None, note: str = "") -> SubmissionResult:
        preds = np.asarray(predictions, dtype=np.float64).tolist()
        body: dict[str, Any] = {"dataset": dataset, "predictions": preds, "note": note}
        if snapshot_id is not None:
            body["snapshot_id"] = snapshot_id
        return self._post(SubmissionResult, "/v1/submissions", body)

    def submissions(self, dataset: str | None = None, limit: int = 100) -> list[SubmissionOut]:
        r = self._request("GET", "/v1/submissions", params=_params(dataset=dataset, limit=limit))
        return TypeAdapter(list[SubmissionOut]).validate_json(r.content)

    def leaderboard(self, dataset: str | None = None) -> Leaderboard:
        return self._get(Leaderboard, "/v1/leaderboard", dataset=dataset)

    # ------------------------------------------------------------------ forum
    def create_post(self, kind: str, title: str, body: str = "", tags: Sequence[str] = (),
                    snapshot_id: str | None = None, submission_id: str | None = None) -> PostOut:
        return self._post(PostOut, "/v1/forum/posts", {
            "kind": kind, "title": title, "body": body, "tags": list(tags),
            "snapshot_id": snapshot_id, "submission_id": submission_id})

    def posts(self, q: str | None = None, kind: str | None = None, tag: str | None = None,
              author: str | None = None, since: datetime | None = None,
              dataset: str | None = None, limit: int = 50, offset: int = 0) -> list[PostOut]:
        return self._get(PostList, "/v1/forum/posts", q=q, kind=kind, tag=tag, author=author,
                         since=since, dataset=dataset, limit=limit, offset=offset).posts

    def post(self, post_id: str) -> PostDetail:
        return self._get(PostDetail, f"/v1/forum/posts/{post_id}")

    def edit_post(self, post_id: str, title: str | None = None, body: str | None = None,
                  tags: Sequence[str] | None = None) -> PostOut:
        patch = {k: v for k, v in {"title": title, "body": body,
                                   "tags": None if tags is None else list(tags)}.items()
                 if v is not None}
        r = self._request("PATCH", f"/v1/forum/posts/{post_id}", json=patch)
        return PostOut.model_validate_json(r.content)

    def delete_post(self, post_id: str) -> None:
        self._request("DELETE", f"/v1/forum/posts/{post_id}")

    def comment(self, post_id: str, body: str) -> CommentOut:
        return self._post(CommentOut, f"/v1/forum/posts/{post_id}/comments", {"body": body})

    def vote(self, post_id: str, value: int) -> VoteOut:
        return self._post(VoteOut, f"/v1/forum/posts/{post_id}/votes", {"value": value})

    # ------------------------------------------------------------------ snapshots
    def upload_snapshot(self, data: bytes) -> SnapshotOut:
        r = self._request("POST", "/v1/snapshots", content=data,
                          headers={"Content-Type": "application/gzip"})
        return SnapshotOut.model_validate_json(r.content)

    def upload_directory(self, path: Path) -> SnapshotOut:
        """Pack a directory (`aarlab.snapshot.pack`) and upload it."""
        return self.upload_snapshot(snapshot.pack(path))

    def download_snapshot(self, snapshot_id: str) -> bytes:
        return self._request("GET", f"/v1/snapshots/{snapshot_id}").content

    def snapshot_files(self, snapshot_id: str) -> SnapshotFiles:
        return self._get(SnapshotFiles, f"/v1/snapshots/{snapshot_id}/files")

    def snapshot_file(self, snapshot_id: str, path: str) -> bytes:
        return self._request("GET", f"/v1/snapshots/{snapshot_id}/files/{path}").content

    # ------------------------------------------------------------------ admin
    def audit(self, researcher: str | None = None, dataset: str | None = None,
              since: datetime | None = None, accepted: bool | None = None,
              after: int | None = None, limit: int = 100) -> AuditPage:
        return self._get(AuditPage, "/v1/admin/audit", researcher=researcher, dataset=dataset,
                         since=since, accepted=accepted, after=after, limit=limit)

    def audit_all(self, researcher: str | None = None, dataset: str | None = None,
                  since: datetime | None = None, accepted: bool | None = None) -> Iterator[AuditEntry]:
        after: int | None = None
        while True:
            page = self.audit(researcher, dataset, since, accepted, after, limit=500)
            yield from page.rows
            if page.next_after is None:
                return
            after = page.next_after

    def admin_submissions(self, researcher: str | None = None, dataset: str | None = None,
                          since: datetime | None = None, predictions: bool = False,
                          limit: int = 1000) -> list[AdminSubmission]:
        return self._get(AdminSubmissions, "/v1/admin/submissions", researcher=researcher,
                         dataset=dataset, since=since, predictions=predictions, limit=limit).rows

    def private_score(self, submission_id: str | None = None, dataset: str | None = None,
                      predictions: Sequence[float] | np.ndarray | None = None) -> PrivateScoreOut:
        preds = None if predictions is None else np.asarray(predictions, dtype=np.float64).tolist()
        return self._post(PrivateScoreOut, "/v1/admin/private-score", {
            "submission_id": submission_id, "dataset": dataset, "predictions": preds})

    def set_verified(self, post_id: str, pgr: float | None, se: float | None = None,
                     ci95: tuple[float, float] | None = None, n_seeds: int | None = None,
                     flags: Sequence[str] = (), disqualified: bool = False,
                     detail: str = "") -> VerifiedOut:
        return self._post(VerifiedOut, "/v1/admin/verified", {
            "post_id": post_id, "pgr": pgr, "se": se, "ci95": ci95, "n_seeds": n_seeds,
            "flags": list(flags), "disqualified": disqualified, "detail": detail})

    def verified(self) -> list[VerifiedOut]:
        r = self._request("GET", "/v1/admin/verified")
        return TypeAdapter(list[VerifiedOut]).validate_json(r.content)
