"""Where a prepared task lives: `<tasks_dir>/<task_id>/{config.json, bundle/, key/, results/}`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from aarlab.w2s.answer_key import AnswerKey
from aarlab.w2s.bundle import Bundle

if TYPE_CHECKING:
    from aarlab.w2s.config import PrepareConfig


class Task(BaseModel):
    """Where a prepared task lives."""

    task_id: str
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.json"

    @property
    def bundle_dir(self) -> Path:
        return self.root / "bundle"

    @property
    def key_dir(self) -> Path:
        return self.root / "key"

    @property
    def results_dir(self) -> Path:
        return self.root / "results"

    @property
    def config(self) -> PrepareConfig:
        from aarlab.w2s.config import (
            PrepareConfig,  # imports torch (StudentConfig): only when asked
        )

        return PrepareConfig.model_validate_json(self.config_file.read_text())

    def bundle(self) -> Bundle:
        return Bundle(self.bundle_dir)

    def key(self) -> AnswerKey:
        return AnswerKey.load(self.key_dir)

    @property
    def ready(self) -> bool:
        return (self.bundle_dir / "meta.json").exists() and (self.key_dir / "key.json").exists()
