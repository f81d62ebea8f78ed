"""A fake LLM server speaking the real HTTP APIs: Anthropic Messages (`POST /v1/messages`) and
OpenAI Chat Completions (`POST /v1/chat/completions`). It serves a script of replies in order
and records every request body, so tests drive the real SDKs against it (no monkeypatching).

A script entry is a `Turn` (text + tool calls + usage), an `Error` (an HTTP status, e.g. 429
or 500), or a callable taking the request body and returning either (for replies that must
quote ids the hub returned in earlier tool results).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from researcher_helpers import ThreadServer


@dataclass
class Turn:
    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    input_tokens: int = 100
    output_tokens: int = 20
    cache_write: int = 0
    cache_read: int = 0
    raw_arguments: str | None = None  # OpenAI only: send this string as the first call's arguments


@dataclass
class Error:
    status: int
    message: str = "scripted error"
    headers: dict[str, str] = field(default_factory=lambda: {"retry-after-ms": "10"})


Entry = Turn | Error | Callable[[dict[str, Any]], "Turn | Error"]


class FakeLLM:
    def __init__(self, script: list[Entry] | None = None) -> None:
        self.script: list[Entry] = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.app = FastAPI()
        self.app.post("/v1/messages")(self._anthropic)
        self.app.post("/v1/chat/completions")(self._openai)
        self._server = ThreadServer(self.app)

    def start(self) -> FakeLLM:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return self._server.url

    # ------------------------------------------------------------------ serving
    def _next(self, body: dict[str, Any]) -> Turn | Error:
        if not self.script:
            return Turn(text="script exhausted", calls=[("finish", {"summary": "script exhausted"})])
        entry = self.script.pop(0)
        return entry(body) if callable(entry) else entry

    async def _anthropic(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        self.paths.append("/v1/messages")
        entry = self._next(body)
        if isinstance(entry, Error):
            kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(entry.status, "api_error")
            return JSONResponse({"type": "error", "error": {"type": kind, "message": entry.message}},
                                status_code=entry.status, headers=entry.headers)
        content: list[dict[str, Any]] = [{"type": "text", "text": entry.text}] if entry.text else []
        content += [{"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:16]}", "name": n, "input": a}
                    for n, a in entry.calls]
        return JSONResponse({
            "id": f"msg_{uuid.uuid4().hex[:16]}", "type": "message", "role": "assistant",
            "model": body["model"], "content": content,
            "stop_reason": "tool_use" if entry.calls else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": entry.input_tokens, "output_tokens": entry.output_tokens,
                      "cache_creation_input_tokens": entry.cache_write,
                      "cache_read_input_tokens": entry.cache_read},
        })

    async def _openai(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        self.paths.append("/v1/chat/completions")
        entry = self._next(body)
        if isinstance(entry, Error):
            return JSONResponse({"error": {"message": entry.message, "type": "server_error", "code": None}},
                                status_code=entry.status, headers=entry.headers)
        calls = [{"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
                  "function": {"name": n, "arguments": json.dumps(a)}} for n, a in entry.calls]
        if calls and entry.raw_arguments is not None:
            calls[0]["function"]["arguments"] = entry.raw_arguments
        return JSONResponse({
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "tool_calls" if calls else "stop",
                         "message": {"role": "assistant", "content": entry.text or None,
                                     "tool_calls": calls or None}}],
            "usage": {"prompt_tokens": entry.input_tokens + entry.cache_read,
                      "completion_tokens": entry.output_tokens,
                      "total_tokens": entry.input_tokens + entry.cache_read + entry.output_tokens,
                      "prompt_tokens_details": {"cached_tokens": entry.cache_read}},
        })


def tool_results(body: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """(content, is_error) of the tool results in the request's last turn, either API."""
    msgs = body["messages"]
    if msgs and msgs[-1]["role"] == "user" and isinstance(msgs[-1]["content"], list):  # Anthropic
        for b in msgs[-1]["content"]:
            if b.get("type") == "tool_result":
                yield b["content"], bool(b.get("is_error"))
        return
    tail = []
    for m in reversed(msgs):  # OpenAI: the trailing role=tool messages
        if m["role"] != "tool":
            break
        tail.append((m["content"], m["content"].startswith("ERROR: ")))
    yield from reversed(tail)


def last_result_json(body: dict[str, Any]) -> dict[str, Any]:
    content, _ = list(tool_results(body))[-1]
    return json.loads(content)
