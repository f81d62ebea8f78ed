"""A researcher's running totals and its limits, checked before every model call.

Totals persist in the transcript, so a restarted researcher continues its budget rather than
starting a fresh one.
"""

from __future__ import annotations

import time

from pydantic import BaseModel

from aarlab.researchers.base import Budgets
from aarlab.researchers.messages import Usage


class Totals(BaseModel):
    steps: int = 0
    usage: Usage = Usage()
    usd: float = 0.0
    elapsed_s: float = 0.0  # over every session of this researcher

    @property
    def tokens_in(self) -> int:
        return self.usage.context_tokens

    @property
    def tokens_out(self) -> int:
        return self.usage.output_tokens


class Meter:
    def __init__(self, budgets: Budgets, totals: Totals | None = None) -> None:
        self.budgets = budgets
        self.totals = totals or Totals()
        self._t0 = time.monotonic()
        self._elapsed0 = self.totals.elapsed_s

    def add(self, usage: Usage, usd: float, step: bool = True) -> None:
        self.totals.usage = self.totals.usage + usage
        self.totals.usd += usd
        self.totals.steps += int(step)
        self.tick()

    def tick(self) -> None:
        self.totals.elapsed_s = self._elapsed0 + (time.monotonic() - self._t0)

    def exceeded(self) -> str | None:
        """Why the researcher must stop now, or None."""
        self.tick()
        b, t = self.budgets, self.totals
        if b.steps is not None and t.steps >= b.steps:
            return f"step limit reached ({t.steps} of {b.steps})"
        if b.tokens is not None and t.tokens_in + t.tokens_out >= b.tokens:
            return f"token budget reached ({t.tokens_in + t.tokens_out} of {b.tokens})"
        if b.usd is not None and t.usd >= b.usd:
            return f"USD budget reached ({t.usd:.4f} of {b.usd:.2f})"
        if b.minutes is not None and (time.monotonic() - self._t0) >= b.minutes * 60:
            return f"wall-clock budget reached ({b.minutes:.1f} min)"
        return None
