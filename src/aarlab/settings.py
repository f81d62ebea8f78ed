"""Service settings: one validated object read from the environment and `.env`.

Experiments do not read settings; they take typed config objects (see `aarlab.w2s.prepare`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AARLAB_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path(".aarlab"),
        description="Root of prepared tasks and the feature cache (AARLAB_HOME).",
    )
    database_url: str | None = Field(
        default=None,
        description="Hub database URL; default: SQLite in the run directory (AARLAB_DATABASE_URL).",
    )

    @property
    def tasks_dir(self) -> Path:
        return self.home / "tasks"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
