"""USD per million tokens, per model, and the cost of one call's usage.

Lookup order: an override (constructor argument, or the JSON file named by
`AARLAB_PRICES`: {"model-or-prefix": {"input": .., "output": .., "cache_write": ..,
"cache_read": ..}}), then the built-in table (exact name, then longest prefix), then the
provider's default: Anthropic models unknown here are charged at Opus rates (the dearest,
so a budget is never overspent by a guess); OpenAI-compatible models cost 0 (local servers)
unless priced by the table or an override. Prices as published by the vendors in 2026.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from aarlab.researchers.messages import Usage
from aarlab.settings import get_settings


class Price(BaseModel):
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float = 0.0  # Anthropic: 1.25x input (5-minute cache)
    cache_read: float = 0.0  # Anthropic: 0.1x input; OpenAI: cached input

    def cost(self, u: Usage) -> float:
        return (u.input_tokens * self.input + u.output_tokens * self.output
                + u.cache_write_tokens * self.cache_write + u.cache_read_tokens * self.cache_read) / 1e6


def _anthropic(inp: float, out: float) -> Price:
    return Price(input=inp, output=out, cache_write=inp * 1.25, cache_read=inp * 0.1)


ANTHROPIC_PRICES: dict[str, Price] = {
    "claude-opus-4-6": _anthropic(5.0, 25.0),
    "claude-opus-4-5": _anthropic(5.0, 25.0),
    "claude-opus-4-1": _anthropic(15.0, 75.0),
    "claude-opus-4": _anthropic(15.0, 75.0),
    "claude-sonnet-4": _anthropic(3.0, 15.0),  # 4, 4.5, 4.6
    "claude-3-7-sonnet": _anthropic(3.0, 15.0),
    "claude-haiku-4": _anthropic(1.0, 5.0),
    "claude-3-5-haiku": _anthropic(0.8, 4.0),
}
ANTHROPIC_DEFAULT = _anthropic(15.0, 75.0)

OPENAI_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(input=0.15, output=0.60, cache_read=0.075),
    "gpt-4o": Price(input=2.50, output=10.0, cache_read=1.25),
    "gpt-4.1-mini": Price(input=0.40, output=1.60, cache_read=0.10),
    "gpt-4.1": Price(input=2.0, output=8.0, cache_read=0.50),
    "gpt-5-mini": Price(input=0.25, output=2.0, cache_read=0.025),
    "gpt-5": Price(input=1.25, output=10.0, cache_read=0.125),
}
OPENAI_DEFAULT = Price(input=0.0, output=0.0)  # a local server (vLLM, Ollama, llama.cpp)

TABLES = {"anthropic": (ANTHROPIC_PRICES, ANTHROPIC_DEFAULT), "openai": (OPENAI_PRICES, OPENAI_DEFAULT)}


def _lookup(table: dict[str, Price], model: str) -> Price | None:
    if model in table:
        return table[model]
    prefixes = [k for k in table if model.startswith(k)]
    return table[max(prefixes, key=len)] if prefixes else None


def load_overrides(path: str | Path | None = None) -> dict[str, Price]:
    path = path or get_settings().prices
    if not path:
        return {}
    raw = json.loads(Path(path).read_text())
    return {k: Price.model_validate(v) for k, v in raw.items()}


def price_for(provider: str, model: str, overrides: dict[str, Price] | None = None) -> Price:
    """The price of `model` at `provider` ('anthropic' or 'openai')."""
    table, default = TABLES[provider]
    for t in (load_overrides() if overrides is None else overrides, table):
        found = _lookup(t, model)
        if found is not None:
            return found
    return default
