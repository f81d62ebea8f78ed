"""The run's typed config, written as `config.json` in the run directory."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from aarlab.researchers.errors import SpecError

RUN_SCHEMA_VERSION = 1
TEAM_ENTRY = re.compile(r"^(?P<spec>[a-z]+(?::[^=\s]+)?)(?:=(?P<count>\d+))?$")


class TeamEntry(BaseModel):
    spec: str  # builtin | anthropic:MODEL | openai:MODEL | hacker:KIND
    count: int = 1


def parse_team(entries: list[str], team: int | None) -> list[TeamEntry]:
    """`--researcher KIND[=COUNT]` (repeatable); a lone KIND without count takes `--team`."""
    out: list[TeamEntry] = []
    for raw in entries or ["builtin"]:
        m = TEAM_ENTRY.match(raw.strip())
        if not m:
            raise SpecError(f"bad --researcher {raw!r}: expected KIND[:MODEL][=COUNT], e.g. builtin=6")
        count = int(m["count"]) if m["count"] else (team if team and len(entries or []) <= 1 else 1)
        if count < 1:
            raise SpecError(f"--researcher {raw!r}: count must be at least 1")
        out.append(TeamEntry(spec=m["spec"], count=count))
    return out


class RunConfig(BaseModel):
    schema_version: int = RUN_SCHEMA_VERSION
    dataset: str = "tweets"
    max_items: int | None = Field(default=None, ge=20, description="cap on the dataset's items (quick runs)")
    team: list[TeamEntry] = Field(default_factory=lambda: [TeamEntry(spec="builtin", count=4)])
    minutes: float = 10.0
    budget_usd: float | None = None
    budget_tokens: int | None = None
    submissions_total: int = 40
    submissions_per_hour: int = 120
    parallel: int = 2
    sandbox: str = "bwrap"
    undirected: bool = False
    base_url: str | None = None
    seed: int = 0
    max_restarts: int = 3
    verify: bool = True
    verify_seeds: int = 5
    verify_top_k: int = 3
    heldout: list[str] | None = Field(default_factory=lambda: ["humaneval", "bbc", "wordnet"],
                                      description="held-out datasets for transfer; None: every prepared one")
    heldout_max_items: int | None = Field(default=2000, ge=20,
                                          description="cap on each held-out dataset (keeps verification short)")

    @field_validator("parallel")
    @classmethod
    def _parallel(cls, v: int) -> int:
        if v < 1:
            raise ValueError("--parallel must be at least 1")
        return v
