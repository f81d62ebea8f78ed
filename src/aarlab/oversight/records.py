"""Typed records of oversight: what the verifier reads from a run and what it writes.

Inputs (`ResultPost`, `Submission`, `AuditQuery`) are the verifier's own view of the hub's
records, parsed leniently (extra fields ignored) so that the hub may add columns freely.
Outputs (`SeedRun`, `VerifiedResult`, `TransferRow`, `Flag`, `VerificationReport`) are stored
in `<run_dir>/verification/verification.json` with a schema version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aarlab.w2s.pgr import Summary, summarize

OVERSIGHT_SCHEMA_VERSION = 1

Severity = Literal["info", "warn", "disqualify"]
RunStatus = Literal["ok", "crash", "timeout", "missing"]


class _Record(BaseModel):
    """NaN (a crashed run's mean, a zero-gap PGR) survives a JSON round trip."""

    model_config = ConfigDict(ser_json_inf_nan="constants")


class _Lenient(_Record):
    model_config = ConfigDict(extra="ignore", ser_json_inf_nan="constants")


class Stat(Summary):
    """`aarlab.w2s.pgr.Summary`, storable with NaN."""

    model_config = ConfigDict(ser_json_inf_nan="constants")


def stat(values: list[float]) -> Stat:
    return Stat.model_validate(summarize(values).model_dump())


class ResultPost(_Lenient):
    """A forum post of kind `result`: a claim that points to a snapshot and a submission."""

    id: str
    author: str
    title: str = ""
    dataset: str | None = None
    snapshot_id: str
    submission_id: str | None = None
    created_at: datetime | None = None


class Submission(_Lenient):
    """An accepted, scored submission (public part only), with its full predictions."""

    id: str
    researcher: str
    dataset: str | None = None
    created_at: datetime | None = None
    predictions: list[float] | None = None
    public_pgr: float | None = Field(default=None, description="the Ladder value the hub reported")
    public_accuracy: float | None = None
    snapshot_id: str | None = None


class AuditQuery(_Lenient):
    """One query to the scorer, accepted or rejected, as the hub's audit log holds it."""

    id: str
    researcher: str
    created_at: datetime | None = None
    accepted: bool = True
    reason: str | None = Field(default=None, description="why a query was rejected (budget, 422)")
    predictions: list[float] | None = None
    submission_id: str | None = None


class SandboxEvent(_Lenient):
    """A denied or forbidden operation the sandbox recorded."""

    researcher: str | None = None
    kind: str = "denied"
    detail: str = ""
    created_at: datetime | None = None


class Flag(_Record):
    researcher: str
    flag: str
    severity: Severity
    evidence: dict[str, object] = Field(default_factory=dict)
    result_post_id: str | None = None


class SeedRun(_Record):
    """One method on one bundle over seeds, scored with fresh-seed ceilings."""

    status: RunStatus
    dataset: str
    part: str
    seeds: list[int]
    pgr: list[float] = Field(default_factory=list, description="per seed")
    accuracy: list[float] = Field(default_factory=list, description="per seed")
    seconds: float = 0.0
    error: str | None = None
    sandbox_events: list[SandboxEvent] = Field(default_factory=list)

    def summary(self) -> Stat:
        return stat(self.pgr)


class VerifiedResult(_Record):
    post: ResultPost
    method: str = Field(description="a readable name: the post's title or the snapshot id")
    family: str = "unknown"
    run: SeedRun
    pgr: Stat
    ci95: tuple[float, float]
    public_pgr_fresh: list[float] = Field(
        default_factory=list, description="the same fresh-seed runs scored on the public part")
    flags: list[Flag] = Field(default_factory=list)

    @property
    def disqualified(self) -> bool:
        return any(f.severity == "disqualify" for f in self.flags)


class Gap(_Record):
    """The weak -> ceiling gap of one dataset and part over the verification's seeds, in
    accuracy points. Items are the replicates: d_i = (ceiling right on item i, averaged over
    seeds) - (teacher right on item i); mean, SE and a normal 95% interval of mean(d)."""

    weak_acc: float
    ceiling_acc: float
    points: float
    se_points: float
    ci95_points: tuple[float, float]
    min_points: float = Field(description="the smallest gap PGR is reported over")

    @property
    def defined(self) -> bool:
        """PGR is a ratio over this gap: reported only when the gap is significantly positive
        and at least `min_points`; elsewhere it is a ratio over noise."""
        return self.ci95_points[0] > 0 and self.points >= self.min_points


class TransferRow(_Record):
    """One method on one held-out dataset, paired against vanilla on the same seeds."""

    dataset: str
    method: str
    post_id: str | None = None
    run: SeedRun
    pgr: Stat
    vanilla_pgr: Stat | None = None
    p_value: float | None = Field(default=None, description="paired t-test on per-seed PGR")
    p_value_mcnemar: float | None = Field(default=None, description="per item, seed-averaged")
    gap: Gap | None = Field(default=None, description="the dataset's gap; PGR undefined unless gap.defined")
    accuracy: Stat | None = Field(default=None, description="the method's accuracy over seeds")

    @property
    def pgr_defined(self) -> bool:
        return self.gap is None or self.gap.defined


class VerificationReport(_Record):
    schema_version: int = OVERSIGHT_SCHEMA_VERSION
    run_dir: str
    dataset: str
    seeds: list[int]
    heldout: list[str] = Field(default_factory=list)
    results: list[VerifiedResult] = Field(default_factory=list)
    transfer: list[TransferRow] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    created_at: datetime | None = None

    def leaderboard(self) -> list[VerifiedResult]:
        """Verified results without a disqualifying flag, best verified PGR first."""
        ok = [r for r in self.results if r.run.status == "ok" and not r.disqualified]
        return sorted(ok, key=lambda r: -r.pgr.mean)
