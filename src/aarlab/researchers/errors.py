"""The two kinds of error (STYLE.md §7) as the researcher loop sees them."""

from __future__ import annotations

from aarlab.errors import AarlabError, UserError


class ToolError(UserError):
    """The researcher caused it (bad path, bad input, a 4xx from the hub): it goes back to the
    model as an error tool result it can act on. Anything else a tool raises is a system error
    and ends the session loudly."""


class ModelError(AarlabError, RuntimeError):
    """The LLM API failed after every retry (a system error)."""


class SpecError(UserError, ValueError):
    """A researcher spec (`KIND[:MODEL][=COUNT]`) is malformed or names no kind; the message
    gives the accepted forms."""
