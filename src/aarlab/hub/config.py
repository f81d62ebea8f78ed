"""The hub's typed config, written as `hub.json` in the run directory.

Service-wide secrets and the database URL may also come from settings (`AARLAB_*`); the
config file holds what defines a run's scoring rules, so that a restarted hub scores alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aarlab.rundir import RunPaths, atomic_write_text

HUB_SCHEMA_VERSION = 1


class BudgetConfig(BaseModel):
    """Scored submissions allowed per researcher and dataset."""

    model_config = ConfigDict(extra="forbid")

    total: int = Field(default=200, ge=0, description="scored submissions per researcher and dataset")
    per_hour: int = Field(default=60, ge=0, description="scored submissions in any sliding hour")


class HubConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = HUB_SCHEMA_VERSION
    tasks: dict[str, Path] = Field(default_factory=dict, description="dataset -> answer-key dir")
    budgets: BudgetConfig = Field(default_factory=BudgetConfig)
    ladder: bool = Field(
        default=True,
        description="score through the Ladder; off only to show the probing attack works without it",
    )
    score_digits: int = Field(default=3, ge=1, le=6, description="reported scores are rounded")
    snapshot_max_bytes: int = Field(default=10 * 2**20, gt=0, description="tar.gz upload limit")
    snapshot_max_unpacked_bytes: int = Field(default=100 * 2**20, gt=0)
    snapshot_max_files: int = Field(default=5000, gt=0)
    max_submission_bytes: int = Field(default=32 * 2**20, gt=0, description="request body limit")
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="FULL: every acknowledged write survives kill -9 and power loss; NORMAL (WAL): "
        "survives kill -9 of the hub, may lose the last writes on power loss or an OS crash",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default SQLite `hub.db` in the run directory"
    )

    @field_validator("tasks")
    @classmethod
    def _tasks(cls, v: dict[str, Path]) -> dict[str, Path]:
        for name in v:
            if not name or not name.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"dataset name {name!r}: use letters, digits, - and _")
        return v

    # ------------------------------------------------------------------ storage
    @classmethod
    def load(cls, run_dir: Path) -> HubConfig:
        return cls.model_validate_json(RunPaths(run_dir).hub_config.read_text())

    def save(self, run_dir: Path) -> Path:
        path = RunPaths(run_dir).hub_config
        atomic_write_text(path, self.model_dump_json(indent=2))
        return path
