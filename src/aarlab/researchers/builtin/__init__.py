"""`builtin`: the search researcher that needs no LLM (see `researcher.py`)."""

from aarlab.researchers.base import register_kind
from aarlab.researchers.builtin.policy import SubmitPolicy
from aarlab.researchers.builtin.proxy import ProxyRef, proxy_stats
from aarlab.researchers.builtin.researcher import BuiltinConfig, BuiltinResearcher, Search
from aarlab.researchers.builtin.space import family_weights, opening_book


@register_kind("builtin")
def builtin_researcher(spec: str) -> BuiltinResearcher:
    return BuiltinResearcher(spec)


__all__ = ["BuiltinConfig", "BuiltinResearcher", "ProxyRef", "Search", "SubmitPolicy",
           "builtin_researcher", "family_weights", "opening_book", "proxy_stats"]
