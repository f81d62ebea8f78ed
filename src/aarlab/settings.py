"""Service settings: one validated object read from the environment and `.env`.

Experiments do not read settings; they take typed config objects (see `aarlab.w2s.prepare`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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

    hub_admin_token: SecretStr | None = Field(
        default=None,
        description="Hub admin token (AARLAB_HUB_ADMIN_TOKEN); default: generated at first start "
        "and written to <run_dir>/admin_token (mode 0600).",
    )

    bwrap: Path | None = Field(
        default=None,
        description="The bubblewrap binary (AARLAB_BWRAP); default: `bwrap` on PATH. Tests point it "
        "at a missing file to check that a run refuses to start without a sandbox.",
    )
    compact_at_tokens: int | None = Field(
        default=None, ge=1000,
        description="Compact an LLM researcher's conversation above this many tokens "
        "(AARLAB_COMPACT_AT_TOKENS); lower it for small-context local models.",
    )
    prices: Path | None = Field(
        default=None,
        description="JSON file of model prices overriding the built-in table (AARLAB_PRICES): "
        '{"model-or-prefix": {"input": .., "output": .., ...}} in USD per million tokens.',
    )

    @field_validator("hub_admin_token")
    @classmethod
    def _no_placeholder_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None:
            return v
        secret = v.get_secret_value()
        if len(secret) < 24 or secret.lower() in {"changeme", "admin", "secret", "token"}:
            raise ValueError("AARLAB_HUB_ADMIN_TOKEN must be a random secret of 24+ characters "
                             "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
        return v

    @property
    def tasks_dir(self) -> Path:
        return self.home / "tasks"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
