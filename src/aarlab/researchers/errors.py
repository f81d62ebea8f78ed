"""The two kinds of error (STYLE.md §7) as the researcher loop sees them."""

from __future__ import annotations


class ToolError(Exception):
    """The researcher caused it (bad path, bad input, a 4xx from the hub): it goes back to the
    model as an error tool result it can act on. Anything else a tool raises is a system error
    and ends the session loudly."""


class ModelError(RuntimeError):
    """The LLM API failed after every retry (a system error)."""
