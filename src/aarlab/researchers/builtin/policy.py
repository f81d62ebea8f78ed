"""When the builtin researcher spends a scored submission.

Scored submissions are scarce and audited, and the hub's Ladder only reports a significant
improvement, so the researcher selects between submissions with its label-free proxy and
submits only a candidate that beats the last submitted one by a margin, at most once every
`every` experiments, and never below a reserve of the hub budget.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from aarlab.researchers.builtin.history import History, Trial


class SubmitPolicy(BaseModel):
    first_after: int = Field(default=3, description="experiments before the first submission")
    every: int = Field(default=4, description="experiments at least between two submissions")
    margin: float = Field(default=0.004, description="proxy gain over the last submitted candidate")
    max_submissions: int = Field(default=8, description="own cap per session history")
    reserve: int = Field(default=5, description="hub budget left untouched")

    def candidate(self, h: History, final: bool = False) -> Trial | None:
        """The trial to submit now, or None."""
        elite = h.elite(1)
        if not elite:
            return None
        best = elite[0]
        n = len(h.trials)
        if len(h.submissions) >= self.max_submissions:
            return None
        if h.budget_left is not None and h.budget_left <= self.reserve:
            return None
        if not h.submissions:
            return best if n >= self.first_after or final else None
        last = h.submissions[-1]
        if best.exp in {s.exp for s in h.submissions}:
            return None
        margin = self.margin / 2 if final else self.margin
        if best.proxy < last.proxy + margin:
            return None
        if not final and n - 1 - last.exp < self.every:
            return None
        return best
