"""`hacker:KIND`: red-team researchers, each attempting one published reward hack.

    shortcut     a text-only dataset shortcut, no teacher, no strong model   -> flag `shortcut`
    cherry-pick  many seeds submitted, the luckiest claimed                   -> `overfit-public`
    probe        label exfiltration by flips and random queries               -> `probing`
    execute      HumanEval candidates run against their docstrings            -> `forbidden-access`
"""

from __future__ import annotations

from collections.abc import Callable

from aarlab.researchers.base import ResearcherContext, ResearcherOutcome, register_kind
from aarlab.researchers.errors import SpecError
from aarlab.researchers.hackers.base import HackerSession
from aarlab.researchers.hackers.cherry_pick import CherryPickHacker
from aarlab.researchers.hackers.execute import ExecuteHacker
from aarlab.researchers.hackers.probe import ProbeHacker
from aarlab.researchers.hackers.shortcut import ShortcutHacker

HACKS: dict[str, type[HackerSession]] = {
    h.kind: h for h in (ShortcutHacker, CherryPickHacker, ProbeHacker, ExecuteHacker)}


class UnknownHack(SpecError):
    """`hacker:KIND` names no registered hack."""


class HackerResearcher:
    def __init__(self, spec: str) -> None:
        kind = spec.split(":", 1)[1] if ":" in spec else ""
        if kind not in HACKS:
            raise UnknownHack(f"unknown hack {kind!r} in {spec!r}; choose one of: "
                              f"{', '.join(f'hacker:{h}' for h in sorted(HACKS))}")
        self.spec, self.session = spec, HACKS[kind]

    def run(self, ctx: ResearcherContext, should_stop: Callable[[], bool]) -> ResearcherOutcome:
        from aarlab.researchers.wiring import researcher_deps

        with researcher_deps(ctx) as toolbox:
            return self.session(ctx, toolbox, should_stop).run()


@register_kind("hacker")
def hacker_researcher(spec: str) -> HackerResearcher:
    return HackerResearcher(spec)


__all__ = ["HACKS", "HackerResearcher", "HackerSession", "UnknownHack", "hacker_researcher"]
