"""Import every researcher kind so that each registers itself, and build one from its spec."""

from __future__ import annotations

import importlib

from aarlab.researchers.base import RESEARCHER_KINDS, Researcher, kind_prefix
from aarlab.researchers.errors import SpecError

KIND_MODULES = {
    "builtin": "aarlab.researchers.builtin",
    "anthropic": "aarlab.researchers.anthropic_kind",
    "openai": "aarlab.researchers.openai_kind",
    "hacker": "aarlab.researchers.hackers",
}


class UnknownKind(SpecError):
    """A researcher spec names no registered kind."""


def build_researcher(spec: str) -> Researcher:
    prefix = kind_prefix(spec)
    if prefix not in KIND_MODULES:
        raise UnknownKind(f"unknown researcher kind {prefix!r} in {spec!r}; choose one of: "
                          f"{', '.join(sorted(KIND_MODULES))} (e.g. builtin=4, openai:MODEL, hacker:probe)")
    importlib.import_module(KIND_MODULES[prefix])
    return RESEARCHER_KINDS[prefix](spec)
