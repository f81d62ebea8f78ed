"""Team composition: every member gets a unique name, whatever the mix of kinds and models."""

from __future__ import annotations

import pytest

from aarlab.run.config import RunConfig, parse_team
from aarlab.run.orchestrator import init_state


@pytest.mark.parametrize(("entries", "names"), [
    (["anthropic:a=2", "anthropic:b=2"], ["anthropic-1", "anthropic-2", "anthropic-3", "anthropic-4"]),
    (["builtin=2", "hacker:probe", "hacker:probe", "openai:x", "builtin"],
     ["builtin-1", "builtin-2", "hacker-probe-1", "hacker-probe-2", "openai-1", "builtin-3"]),
    (["hacker:probe", "hacker:shortcut=2"], ["hacker-probe-1", "hacker-shortcut-1", "hacker-shortcut-2"]),
])
def test_names_are_unique_per_member(entries: list[str], names: list[str]) -> None:
    team = parse_team(entries, None)
    state = init_state(RunConfig(team=team))
    assert list(state.members) == names
    specs = [e.spec for e in team for _ in range(e.count)]
    assert [m.spec for m in state.members.values()] == specs  # nobody overwritten or reordered
