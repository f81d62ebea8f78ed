from __future__ import annotations

import json
from pathlib import Path

import pytest

from aarlab.researchers.messages import Usage
from aarlab.researchers.pricing import ANTHROPIC_DEFAULT, Price, price_for
from aarlab.settings import get_settings

USAGE = Usage(input_tokens=1_000, output_tokens=2_000, cache_write_tokens=10_000, cache_read_tokens=100_000)


def test_anthropic_cost_from_usage() -> None:
    # opus 4.6: $5 in, $25 out, cache write 1.25x, cache read 0.1x (per million tokens)
    p = price_for("anthropic", "claude-opus-4-6", overrides={})
    assert p.cost(USAGE) == pytest.approx((1_000 * 5 + 2_000 * 25 + 10_000 * 6.25 + 100_000 * 0.5) / 1e6)
    assert p.cost(USAGE) == pytest.approx(0.1675)


def test_lookup_by_prefix_and_defaults() -> None:
    assert price_for("anthropic", "claude-sonnet-4-5-20250929", overrides={}).input == 3.0
    assert price_for("anthropic", "claude-opus-4-1-20250805", overrides={}).input == 15.0
    assert price_for("anthropic", "some-future-model", overrides={}) == ANTHROPIC_DEFAULT
    assert price_for("openai", "qwen3-32b", overrides={}).cost(USAGE) == 0.0  # a local server
    gpt = price_for("openai", "gpt-4o-2024-08-06", overrides={})
    assert gpt.cost(Usage(input_tokens=1e6, cache_read_tokens=1e6, output_tokens=1e6)) == pytest.approx(13.75)


def test_override_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "prices.json"
    f.write_text(json.dumps({"qwen3": {"input": 0.1, "output": 0.2}}))
    monkeypatch.setenv("AARLAB_PRICES", str(f))
    get_settings.cache_clear()  # tests/conftest.py clears it again after the test
    assert price_for("openai", "qwen3-32b") == Price(input=0.1, output=0.2)
    assert price_for("anthropic", "claude-opus-4-6").input == 5.0  # the rest of the table stands
