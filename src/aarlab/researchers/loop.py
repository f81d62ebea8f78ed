"""The agent loop shared by the LLM kinds: model -> tool calls -> results -> model ...

It ends when the model calls `finish`, a budget is spent (steps, tokens, USD, wall clock),
the orchestrator asks it to stop, or the model stops calling tools. Every turn is logged to
the transcript before the next model call, so a killed researcher loses at most one turn.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from aarlab.researchers.budget import Meter
from aarlab.researchers.compaction import compact
from aarlab.researchers.messages import ChatModel, Message, ToolResult
from aarlab.researchers.tool_specs import TOOL_SPECS
from aarlab.researchers.tools import Toolbox
from aarlab.researchers.transcript import Transcript
from aarlab.settings import get_settings

NUDGE = "Continue by calling a tool. When you are done, call finish(summary)."


class LoopConfig(BaseModel):
    compact_at_tokens: int = 120_000  # conversation size (input + output of the last call)
    keep_turns: int = 2  # assistant turns kept verbatim through a compaction
    max_nudges: int = 3  # consecutive replies without a tool call before giving up

    @classmethod
    def from_settings(cls) -> LoopConfig:
        """`AARLAB_COMPACT_AT_TOKENS` lowers the threshold for small-context local models."""
        at = get_settings().compact_at_tokens
        return cls(compact_at_tokens=at) if at else cls()


class LoopResult(BaseModel):
    finished: bool
    reason: str
    summary: str = ""
    compactions: int = 0


def run_loop(
    model: ChatModel, toolbox: Toolbox, system: str, kickoff: str, transcript: Transcript,
    meter: Meter, should_stop: Callable[[], bool], config: LoopConfig | None = None,
    on_activity: Callable[[str, str], None] | None = None,
) -> LoopResult:
    cfg = config or LoopConfig()
    notify = on_activity or (lambda state, activity: None)
    messages = [Message.user(kickoff)]
    context_tokens = 0
    nudges = compactions = 0
    while True:
        if should_stop():
            return LoopResult(finished=False, reason="asked to stop", compactions=compactions)
        if (why := meter.exceeded()) is not None:
            return LoopResult(finished=False, reason=why, compactions=compactions)
        if context_tokens > cfg.compact_at_tokens:
            notify("thinking", "compacting context")
            messages, summary, sturn = compact(model, system, messages, TOOL_SPECS, kickoff, cfg.keep_turns)
            if sturn is not None:
                meter.add(sturn.usage, sturn.usd, step=False)
            compactions += 1
            transcript.log("compaction", summary=summary, before_tokens=context_tokens,
                           usage=sturn.usage if sturn else None, usd=sturn.usd if sturn else 0.0,
                           totals=meter.totals)
            context_tokens = 0
        notify("thinking", "")
        turn = model.complete(system, messages, TOOL_SPECS)
        meter.add(turn.usage, turn.usd)
        context_tokens = turn.usage.context_tokens + turn.usage.output_tokens
        assistant = Message(role="assistant", text=turn.text, tool_calls=turn.tool_calls)
        messages.append(assistant)
        results: list[ToolResult] = []
        for tc in turn.tool_calls:
            notify("submitting" if tc.name == "submit" else "running", tc.name)
            results.append(toolbox.call(tc))
        if results:
            messages.append(Message(role="user", tool_results=results))
            nudges = 0
        else:
            messages.append(Message.user(NUDGE))
            nudges += 1
        transcript.log("turn", step=meter.totals.steps, model=model.model, assistant=assistant,
                       tool_results=[r.model_dump() for r in results], usage=turn.usage,
                       usd=turn.usd, stop_reason=turn.stop_reason, totals=meter.totals)
        notify("idle", "")
        if toolbox.finished:
            return LoopResult(finished=True, reason="finished", summary=toolbox.summary,
                              compactions=compactions)
        if nudges > cfg.max_nudges:
            return LoopResult(finished=False, reason="the model stopped calling tools",
                              compactions=compactions)
