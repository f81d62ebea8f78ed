"""A prepared task's typed config, written as `config.json` in the task directory; the task's
id is a hash of this config and of the dataset's content (`aarlab.w2s.prepare.task_for`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from aarlab.w2s.split import SplitConfig
from aarlab.w2s.train import StudentConfig

PREPARE_SCHEMA_VERSION = 1


class PrepareConfig(BaseModel):
    schema_version: int = PREPARE_SCHEMA_VERSION
    dataset: str
    weak: str = "glove"
    strong: str = "minilm"
    extra: list[str] = Field(default_factory=list)
    split: SplitConfig = Field(default_factory=SplitConfig)
    baseline_seeds: int = 5
    teacher_c: float = 1.0
    student: StudentConfig = Field(default_factory=StudentConfig)
