"""What verification needs and a run directory lacks."""

from __future__ import annotations

from aarlab.errors import UserError


class RunDataMissing(UserError, FileNotFoundError):
    """A run directory lacks what verification or a report needs (a hub database, a prepared
    task, a verification); the message names the command that makes it."""
