"""The one error family of aarlab (STYLE 14).

- `AarlabError` is the base of every error aarlab raises on purpose.
- `UserError` (and its subclasses) is an error the user or a researcher caused: bad input,
  an unknown name, a missing file. Its message says what was wrong and how to fix it. The CLI
  prints `error: <message>` on stderr and exits 2, with no traceback; a researcher's tool
  returns it as a message the researcher can act on.
- Any other `AarlabError` (and any other exception) is a fault of the system: it is raised,
  logged with its traceback, and fails loudly.
"""

from __future__ import annotations


class AarlabError(Exception):
    """Base of every error aarlab raises on purpose."""


class UserError(AarlabError):
    """The user or a researcher caused it; the message says how to fix it."""


__all__ = ["AarlabError", "UserError"]
