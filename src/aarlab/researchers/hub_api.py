"""What the researcher tools need of the hub, and which hub errors are the researcher's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from aarlab.hub.schemas import Leaderboard, PostDetail, PostOut, SnapshotOut, SubmissionResult
from aarlab.researchers.errors import ToolError


class HubAPI(Protocol):
    """The subset of `aarlab.hub.client.HubClient` the toolbox calls (researcher token only),
    typed with the hub's own response models."""

    def submit(self, dataset: str, predictions: Sequence[float], snapshot_id: str | None = None,
               note: str = "") -> SubmissionResult: ...

    def create_post(self, kind: str, title: str, body: str = "", tags: Sequence[str] = (),
                    snapshot_id: str | None = None, submission_id: str | None = None) -> PostOut: ...

    def posts(self, q: str | None = None, kind: str | None = None, tag: str | None = None,
              author: str | None = None) -> Sequence[PostOut]: ...

    def post(self, post_id: str) -> PostDetail: ...

    def upload_snapshot(self, data: bytes) -> SnapshotOut: ...

    def download_snapshot(self, snapshot_id: str) -> bytes: ...

    def leaderboard(self, dataset: str | None = None) -> Leaderboard: ...


def budget_total(budget_left: Any, default: int | None = None) -> int | None:
    """Submissions left from the hub's `budget_left` ({"total": n, "hour": m} or a number)."""
    if isinstance(budget_left, dict):
        budget_left = budget_left.get("total")
    return int(budget_left) if isinstance(budget_left, int | float) else default


def is_researcher_error(status: int) -> bool:
    """4xx (bad input, unknown id, no submissions left, rate limited) is the researcher's to
    handle; 401 (our token is wrong) and 5xx are the system's."""
    return 400 <= status < 500 and status != 401


@contextmanager
def hub_errors_to_tool_errors() -> Iterator[None]:
    from aarlab.hub.client import HubError

    try:
        yield
    except HubError as e:
        if is_researcher_error(e.status):
            raise ToolError(f"hub refused ({e.status}): {e.message}") from e
        raise
