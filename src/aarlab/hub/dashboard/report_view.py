"""The dashboard's lenient view of `<run_dir>/verification/verification.json`.

The file is `aarlab.oversight.records.VerificationReport`; the hub reads it through these
models instead of importing oversight (whose package pulls in the training stack), and
ignores fields it does not show, so oversight may add fields freely.
"""

from __future__ import annotations

import math
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StatView(_View):
    mean: float = math.nan
    se: float = math.nan
    n: int = 0


class PostRef(_View):
    id: str
    author: str = ""
    title: str = ""
    dataset: str | None = None
    created_at: datetime | None = None


class FlagView(_View):
    researcher: str = ""
    flag: str
    severity: str = "info"  # info | warn | disqualify
    evidence: dict[str, object] = Field(default_factory=dict)
    result_post_id: str | None = None


class RunView(_View):
    status: str = "ok"


class ResultView(_View):
    post: PostRef
    method: str = ""
    family: str = "unknown"
    run: RunView = Field(default_factory=RunView)
    pgr: StatView = Field(default_factory=StatView)
    ci95: tuple[float, float] | None = None
    flags: list[FlagView] = Field(default_factory=list)

    @property
    def disqualified(self) -> bool:
        return any(f.severity == "disqualify" for f in self.flags)


class TransferView(_View):
    dataset: str
    method: str = ""
    pgr: StatView = Field(default_factory=StatView)
    vanilla_pgr: StatView | None = None
    p_value: float | None = None


class ReportView(_View):
    dataset: str = ""
    seeds: list[int] = Field(default_factory=list)
    heldout: list[str] = Field(default_factory=list)
    results: list[ResultView] = Field(default_factory=list)
    transfer: list[TransferView] = Field(default_factory=list)
    flags: list[FlagView] = Field(default_factory=list)
    created_at: datetime | None = None
