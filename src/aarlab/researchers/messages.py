"""A provider-neutral conversation: what the loop keeps, compacts and logs.

Each LLM kind converts these to and from its own wire format (Anthropic content blocks,
OpenAI chat messages), so the loop, the tools and compaction exist once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from aarlab.researchers.tool_specs import ToolSpec


class ToolCall(BaseModel):
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    parse_error: str | None = Field(default=None, description="arguments were not valid JSON")


class ToolResult(BaseModel):
    call_id: str
    name: str
    content: str
    is_error: bool = False


class Message(BaseModel):
    """user: text and/or tool results; assistant: text and/or tool calls."""

    role: Literal["user", "assistant"]
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_results: list[ToolResult] = Field(default_factory=list)

    @classmethod
    def user(cls, text: str) -> Message:
        return cls(role="user", text=text)


class Usage(BaseModel):
    """Tokens of one model call. input_tokens excludes cache writes and cache reads."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    @property
    def context_tokens(self) -> int:
        """Everything the model read this call: the size of the conversation."""
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
        )


class ModelTurn(BaseModel):
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    stop_reason: str | None = None
    usd: float = 0.0


class ChatModel(Protocol):
    """One LLM behind one SDK. `complete` raises only on errors of the system (after retries)."""

    provider: str
    model: str

    def complete(
        self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec], *,
        allow_tools: bool = True,
    ) -> ModelTurn: ...
