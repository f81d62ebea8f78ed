"""`anthropic:MODEL`: Claude through the official `anthropic` SDK (Messages API, tool use).

Prompt caching: `cache_control` breakpoints on the system prompt, on the last tool (so the
whole tool list is cached) and on the last block of the conversation (so each turn reads the
previous turns from the cache). Cost: usage (input, output, cache write, cache read tokens)
× `pricing.price_for("anthropic", model)`. Retries: see `retry.py`. The API key comes from
`ANTHROPIC_API_KEY`; the base URL from the constructor or `ANTHROPIC_BASE_URL` (the run's
`--base-url` is for the OpenAI-compatible kind and is not applied here).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import anthropic

from aarlab.researchers.base import ResearcherContext, register_kind
from aarlab.researchers.errors import ModelError
from aarlab.researchers.llm import LLMResearcher, model_of
from aarlab.researchers.messages import Message, ModelTurn, ToolCall, Usage
from aarlab.researchers.pricing import Price, price_for
from aarlab.researchers.retry import with_retries
from aarlab.researchers.tool_specs import ToolSpec

EPHEMERAL: dict[str, str] = {"type": "ephemeral"}
RETRYABLE = (anthropic.RateLimitError, anthropic.InternalServerError, anthropic.APIConnectionError)
FATAL = (anthropic.APIError,)


def to_anthropic(messages: Sequence[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        blocks: list[dict[str, Any]] = []
        if m.role == "user":
            blocks += [{"type": "tool_result", "tool_use_id": r.call_id, "content": r.content or "(no output)",
                        "is_error": r.is_error} for r in m.tool_results]
            if m.text:
                blocks.append({"type": "text", "text": m.text})
        else:
            if m.text:
                blocks.append({"type": "text", "text": m.text})
            blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                       for c in m.tool_calls]
        out.append({"role": m.role, "content": blocks or [{"type": "text", "text": "(empty)"}]})
    if out:
        out[-1]["content"][-1]["cache_control"] = EPHEMERAL
    return out


def tools_param(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    rendered = [t.anthropic() for t in tools]
    if rendered:
        rendered[-1] = rendered[-1] | {"cache_control": EPHEMERAL}
    return rendered


class AnthropicModel:
    provider = "anthropic"

    def __init__(self, model: str, *, api_key: str | None = None, base_url: str | None = None,
                 max_tokens: int = 8192, max_retries: int = 4, retry_attempts: int = 3,
                 retry_base_delay_s: float = 20.0, timeout_s: float = 600.0,
                 price: Price | None = None) -> None:
        key = api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ModelError("anthropic researchers need ANTHROPIC_API_KEY in the environment")
        self.model = model
        self.client = anthropic.Anthropic(api_key=key, base_url=base_url or os.environ.get("ANTHROPIC_BASE_URL"),
                                          max_retries=max_retries, timeout=timeout_s)
        self.max_tokens = max_tokens
        self.retry_attempts = retry_attempts
        self.retry_base_delay_s = retry_base_delay_s
        self.price = price or price_for("anthropic", model)

    def complete(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec], *,
                 allow_tools: bool = True) -> ModelTurn:
        kwargs: dict[str, Any] = {
            "model": self.model, "max_tokens": self.max_tokens,
            "system": [{"type": "text", "text": system, "cache_control": EPHEMERAL}],
            "tools": tools_param(tools), "messages": to_anthropic(messages),
        }
        if not allow_tools:
            kwargs["tool_choice"] = {"type": "none"}
        resp = with_retries(lambda: self.client.messages.create(**kwargs), RETRYABLE, FATAL,
                            self.retry_attempts, self.retry_base_delay_s)
        return self.parse(resp)

    def parse(self, resp: Any) -> ModelTurn:
        text: list[str] = []
        calls: list[ToolCall] = []
        for b in resp.content:
            if b.type == "text":
                text.append(b.text)
            elif b.type == "tool_use":
                args = b.input if isinstance(b.input, dict) else {}
                calls.append(ToolCall(id=b.id, name=b.name, arguments=args,
                                      parse_error=None if isinstance(b.input, dict) else "input is not an object"))
        u = resp.usage
        usage = Usage(input_tokens=u.input_tokens or 0, output_tokens=u.output_tokens or 0,
                      cache_write_tokens=getattr(u, "cache_creation_input_tokens", None) or 0,
                      cache_read_tokens=getattr(u, "cache_read_input_tokens", None) or 0)
        return ModelTurn(text="\n".join(text), tool_calls=calls, usage=usage,
                         stop_reason=resp.stop_reason, usd=self.price.cost(usage))


def make_model(ctx: ResearcherContext) -> AnthropicModel:
    return AnthropicModel(model_of(ctx.spec))


@register_kind("anthropic")
def anthropic_researcher(spec: str) -> LLMResearcher:
    model_of(spec)  # refuse `anthropic` without a model now, not in the worker
    return LLMResearcher(spec, make_model)
