"""`openai:MODEL`: any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server, OpenAI)
through the official `openai` SDK's Chat Completions with tools (function calling).

Base URL: the constructor, the run's `--base-url` (`ctx.base_url`) or `OPENAI_BASE_URL`; the
API key from `OPENAI_API_KEY`, or a dummy for local servers that ignore it. Cost: usage ×
`pricing.price_for("openai", model)` — 0 for models not in the table (local) unless
overridden. Retries: see `retry.py`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from typing import Any

import openai

from aarlab.researchers.base import ResearcherContext, register_kind
from aarlab.researchers.llm import LLMResearcher, model_of
from aarlab.researchers.messages import Message, ModelTurn, ToolCall, Usage
from aarlab.researchers.pricing import Price, price_for
from aarlab.researchers.retry import with_retries
from aarlab.researchers.tool_specs import ToolSpec

LOCAL_DUMMY_KEY = "sk-no-key-local-server"
RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)
FATAL = (openai.APIError,)


def to_openai(system: str, messages: Sequence[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for m in messages:
        if m.role == "user":
            out += [{"role": "tool", "tool_call_id": r.call_id,
                     "content": ("ERROR: " if r.is_error else "") + (r.content or "(no output)")}
                    for r in m.tool_results]
            if m.text:
                out.append({"role": "user", "content": m.text})
        else:
            msg: dict[str, Any] = {"role": "assistant", "content": m.text or None}
            if m.tool_calls:
                msg["tool_calls"] = [{"id": c.id, "type": "function", "function": {
                    "name": c.name, "arguments": json.dumps(c.arguments)}} for c in m.tool_calls]
            elif not m.text:
                msg["content"] = "(empty)"
            out.append(msg)
    return out


def parse_arguments(raw: str | None) -> tuple[dict[str, Any], str | None]:
    try:
        v = json.loads(raw or "{}")
    except ValueError as e:
        return {}, f"{e} in {(raw or '')[:200]!r}"
    return (v, None) if isinstance(v, dict) else ({}, "arguments must be a JSON object")


class OpenAIModel:
    provider = "openai"

    def __init__(self, model: str, *, api_key: str | None = None, base_url: str | None = None,
                 max_tokens: int | None = None, max_retries: int = 4, retry_attempts: int = 3,
                 retry_base_delay_s: float = 20.0, timeout_s: float = 600.0,
                 price: Price | None = None) -> None:
        self.model = model
        self.client = openai.OpenAI(
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or LOCAL_DUMMY_KEY,
            base_url=base_url or os.environ.get("OPENAI_BASE_URL") or None,
            max_retries=max_retries, timeout=timeout_s)
        self.max_tokens = max_tokens
        self.retry_attempts = retry_attempts
        self.retry_base_delay_s = retry_base_delay_s
        self.price = price or price_for("openai", model)

    def complete(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec], *,
                 allow_tools: bool = True) -> ModelTurn:
        kwargs: dict[str, Any] = {"model": self.model, "messages": to_openai(system, messages),
                                  "tools": [t.openai() for t in tools]}
        if not allow_tools:
            kwargs["tool_choice"] = "none"
        if self.max_tokens is not None:
            kwargs["max_tokens"] = self.max_tokens
        resp = with_retries(lambda: self.client.chat.completions.create(**kwargs), RETRYABLE, FATAL,
                            self.retry_attempts, self.retry_base_delay_s)
        return self.parse(resp)

    def parse(self, resp: Any) -> ModelTurn:
        choice = resp.choices[0]
        calls = []
        for tc in choice.message.tool_calls or []:
            args, err = parse_arguments(tc.function.arguments)
            calls.append(ToolCall(id=tc.id or f"call_{uuid.uuid4().hex[:12]}", name=tc.function.name,
                                  arguments=args, parse_error=err))
        u = resp.usage
        cached = 0
        if u is not None and u.prompt_tokens_details is not None:
            cached = u.prompt_tokens_details.cached_tokens or 0
        usage = Usage() if u is None else Usage(
            input_tokens=(u.prompt_tokens or 0) - cached, output_tokens=u.completion_tokens or 0,
            cache_read_tokens=cached)
        return ModelTurn(text=choice.message.content or "", tool_calls=calls, usage=usage,
                         stop_reason=choice.finish_reason, usd=self.price.cost(usage))


def make_model(ctx: ResearcherContext) -> OpenAIModel:
    return OpenAIModel(model_of(ctx.spec), base_url=ctx.base_url)


@register_kind("openai")
def openai_researcher(spec: str) -> LLMResearcher:
    model_of(spec)
    return LLMResearcher(spec, make_model)
