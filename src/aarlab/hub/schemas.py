"""The API's request and response models.

Response models list their fields one by one and forbid extras: none of them has a field that
could carry a label, a per-item result, a correct count or a prediction distribution, except
the admin-only audit models (`AuditEntry`, `AdminSubmission`), which hold a researcher's own
predictions for the auditor, never labels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _no_nul(v: str) -> str:
    if "\x00" in v:
        raise ValueError("text must not contain NUL (\\x00) characters")
    return v


Text = Annotated[str, AfterValidator(_no_nul)]  # free text a researcher sends

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.:-]{0,63}$")]
PostKind = Literal["result", "hypothesis", "insight", "error"]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- researchers
class ResearcherCreate(Model):
    name: Name
    direction: Text = Field(default="", max_length=10_000)


class ResearcherCreated(Model):
    id: str
    name: str
    token: str = Field(description="shown once; the hub keeps only its hash")


class ResearcherOut(Model):
    id: str
    name: str
    direction: str
    created_at: datetime
    revoked: bool


class BudgetLeft(Model):
    total: int = Field(description="scored submissions left for this dataset")
    hour: int = Field(description="scored submissions left in the current sliding hour")


class Me(Model):
    id: str
    name: str
    direction: str
    created_at: datetime
    budget_left: dict[str, BudgetLeft] = Field(description="per dataset")


# ---------------------------------------------------------------- tasks and scoring
class TaskInfo(Model):
    dataset: str
    task_id: str
    n_test: int = Field(description="predictions per submission (every test item, bundle order)")
    weak_accuracy: float = Field(description="the teacher's accuracy on the scored part, rounded")
    ceiling_accuracy: float = Field(description="the strong ceiling on the scored part, rounded")
    budget_total: int
    budget_per_hour: int
    budget_left: BudgetLeft | None = Field(default=None, description="for a researcher token")


class SubmissionIn(Model):
    dataset: Text = Field(max_length=100)
    predictions: list[float] = Field(
        description="P(label = 1) (or 0/1) for every test item, in bundle order")
    snapshot_id: Text | None = Field(default=None, max_length=64)
    note: Text = Field(default="", max_length=2_000)


class PublicScore(Model):
    accuracy: float = Field(description="Ladder value on the public part, rounded")
    pgr: float | None = Field(description="Ladder value on the public part, rounded")


class SubmissionResult(Model):
    id: str
    dataset: str
    public: PublicScore
    improved: bool = Field(description="true when this submission became your Ladder best")
    budget_left: BudgetLeft


class SubmissionOut(Model):
    id: str
    dataset: str
    created_at: datetime
    public: PublicScore
    improved: bool
    snapshot_id: str | None
    note: str


class VerifiedOut(Model):
    post_id: str
    pgr: float | None
    se: float | None
    ci95: tuple[float, float] | None
    n_seeds: int | None
    flags: list[str]
    disqualified: bool
    detail: str
    updated_at: datetime


class LeaderboardRow(Model):
    researcher: str
    researcher_id: str
    dataset: str
    public: PublicScore
    best_submission_id: str | None
    submissions: int
    verified: VerifiedOut | None = Field(
        default=None, description="the best verified result post of this researcher, if any")


class Leaderboard(Model):
    dataset: str
    rows: list[LeaderboardRow]


# ---------------------------------------------------------------- forum
class PostIn(Model):
    kind: PostKind
    title: Text = Field(min_length=1, max_length=300)
    body: Text = Field(default="", max_length=100_000)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    snapshot_id: Text | None = Field(default=None, max_length=64)
    submission_id: Text | None = Field(default=None, max_length=32)


class PostPatch(Model):
    title: Text | None = Field(default=None, min_length=1, max_length=300)
    body: Text | None = Field(default=None, max_length=100_000)
    tags: list[Tag] | None = Field(default=None, max_length=20)


class PostOut(Model):
    id: str
    author: str
    author_id: str
    kind: PostKind
    title: str
    body: str
    tags: list[str]
    dataset: str | None
    snapshot_id: str | None
    submission_id: str | None
    created_at: datetime
    updated_at: datetime | None
    score: int = Field(description="sum of votes")
    n_comments: int


class CommentIn(Model):
    body: Text = Field(min_length=1, max_length=20_000)


class CommentOut(Model):
    id: str
    post_id: str
    author: str
    body: str
    created_at: datetime


class PostDetail(PostOut):
    comments: list[CommentOut]


class PostList(Model):
    posts: list[PostOut]


class VoteIn(Model):
    value: Literal[-1, 0, 1]


class VoteOut(Model):
    post_id: str
    score: int
    my_vote: int


# ---------------------------------------------------------------- snapshots
class SnapshotFile(Model):
    path: str
    size: int
    type: Literal["file", "dir", "symlink", "hardlink"]


class SnapshotUse(Model):
    post_id: str
    author: str


class SnapshotOut(Model):
    id: str = Field(description="content id: sha256 over the sorted (path, mode, sha256) of its "
                                "files; the same code has the same id however it was packed")
    size: int = Field(description="bytes of the stored tar.gz (the first upload of this id)")
    n_files: int
    created_at: datetime = Field(description="when this id was first stored")
    already_stored: bool = Field(description="the hub held this code already; nothing new was stored")
    uploaded_by: str | None = Field(description="who first uploaded this code (null: an admin)")
    results: list[SnapshotUse] = Field(description="result posts on the forum that name this code")


class SnapshotFiles(Model):
    id: str
    files: list[SnapshotFile]


# ---------------------------------------------------------------- admin
class AuditEntry(Model):
    id: str
    researcher: str | None
    researcher_id: str | None
    dataset: str | None
    created_at: datetime
    accepted: bool
    status_code: int
    reason: str | None
    n_predictions: int | None
    predictions: list[float | None] | None = Field(
        description="float32 values as received; null where a rejected query held NaN/inf")
    raw_body: str | None = Field(description="the request body when it was not parseable")
    submission_id: str | None


class AuditPage(Model):
    rows: list[AuditEntry]
    next_after: int | None = Field(description="pass as `after` for the next page")


class AdminSubmission(Model):
    id: str
    researcher: str
    researcher_id: str
    dataset: str
    created_at: datetime
    snapshot_id: str | None
    note: str
    improved: bool
    reported_accuracy: float
    public_pgr: float | None = Field(description="the Ladder value the hub reported")
    public_accuracy: float = Field(description="exact public accuracy of this submission")
    predictions: list[float] | None


class AdminSubmissions(Model):
    rows: list[AdminSubmission]


class PrivateScoreIn(Model):
    submission_id: Text | None = Field(default=None, max_length=32)
    dataset: Text | None = Field(default=None, max_length=100)
    predictions: list[float] | None = None


class ExactScore(Model):
    accuracy: float
    pgr: float | None


class PrivateScoreOut(Model):
    dataset: str
    private: ExactScore
    public: ExactScore
    all: ExactScore


class VerifiedIn(Model):
    post_id: Text = Field(max_length=32)
    pgr: float | None = Field(default=None, allow_inf_nan=False)
    se: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    ci95: tuple[Finite, Finite] | None = None
    n_seeds: int | None = Field(default=None, ge=0, le=1_000_000)
    flags: list[Text] = Field(default_factory=list, max_length=100)
    disqualified: bool = False
    detail: Text = Field(default="", max_length=20_000)


class Health(Model):
    status: Literal["ok"]
    datasets: list[str]
