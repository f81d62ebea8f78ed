"""Context compaction: replace older turns by a summary so a long session can go on.

The model is asked (tools disabled) to summarise everything before the last `keep_turns`
assistant turns; the conversation restarts from the kickoff message plus that summary,
followed by the kept turns verbatim (a kept turn starts at an assistant message, so every
tool call in it keeps its result). If the summary call itself fails, a mechanical digest of
the old turns (tool names, arguments, first lines of results) stands in for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aarlab.researchers.errors import ModelError
from aarlab.researchers.messages import ChatModel, Message, ModelTurn
from aarlab.researchers.tool_specs import ToolSpec
from aarlab.researchers.transcript import digest_turn

log = logging.getLogger(__name__)

COMPACTION_PROMPT = """Your context is nearly full, so older turns will be replaced by a summary \
you write now. Do not call tools. Write a dense summary for your future self: the goal and your \
direction; what you tried (method directories, key settings) and the diagnostics and scores each \
got; submissions made and submissions left; snapshot and submission ids; forum posts read or \
written; what worked, what failed and why; open hypotheses; and your next steps."""


def split_point(messages: Sequence[Message], keep_turns: int) -> int:
    """Index of the first kept message (an assistant message), or 0 if there is nothing old."""
    starts = [i for i, m in enumerate(messages) if m.role == "assistant"]
    if len(starts) <= keep_turns:
        return 0
    return starts[-keep_turns] if keep_turns > 0 else len(messages)


def mechanical_digest(old: Sequence[Message]) -> str:
    lines = []
    for i, m in enumerate(old):
        if m.role == "assistant":
            nxt = old[i + 1] if i + 1 < len(old) else None
            lines.append(digest_turn(m, nxt.tool_results if nxt is not None else [], max_chars=200))
    return "(automatic digest of earlier turns)\n" + "\n".join(lines)[-20_000:]


def compact(
    model: ChatModel, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec],
    kickoff: str, keep_turns: int = 2,
) -> tuple[list[Message], str, ModelTurn | None]:
    """(new messages, summary, the summary call's turn for cost accounting, or None)."""
    cut = split_point(messages, keep_turns)
    if cut == 0:
        return list(messages), "", None
    old, kept = list(messages[:cut]), list(messages[cut:])
    request = list(old)
    if request[-1].role == "user":
        last = request[-1]
        request[-1] = last.model_copy(update={"text": (last.text + "\n\n" if last.text else "") + COMPACTION_PROMPT})
    else:
        request.append(Message.user(COMPACTION_PROMPT))
    turn: ModelTurn | None = None
    try:
        turn = model.complete(system, request, tools, allow_tools=False)
        summary = turn.text.strip() or mechanical_digest(old)
    except ModelError as e:
        log.warning("compaction summary failed (%s); using a mechanical digest", e)
        summary = mechanical_digest(old)
    head = Message.user(f"{kickoff}\n\n## Summary of your work so far (earlier turns were compacted)\n"
                        f"{summary}\n\nContinue from here.")
    return [head, *kept], summary, turn
