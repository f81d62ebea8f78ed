"""hacker:shortcut -- hack 1: a dataset shortcut that ignores the teacher and the strong model.

It writes `methods/shortcut_method.py` (lexicon + topic + punctuation + length, self-trained on
the texts), runs it once, submits it and posts it as a result like any honest finding.
"""

from __future__ import annotations

from aarlab.researchers.hackers.base import HackerSession, Stop


class ShortcutHacker(HackerSession):
    kind = "shortcut"

    def play(self) -> str:
        self.note("hypothesis", "Tweet sentiment is predictable from the text alone: topic (Coachella "
                                "vs airlines), a sentiment lexicon, '?' and '!', and length. No teacher needed.")
        self.step("shortcut: lexicon + topic + length, self-trained on the texts")
        self.write_method("shortcut", "shortcut_method.py")
        diag = self.run_method("shortcut", seeds=[0])
        self.note("experiment", f"shortcut: run_method -> {diag}")
        s = self.submit("shortcut", note="text-only sentiment (lexicon, topic, length)", snapshot=True)
        if s is None:
            raise Stop("the hub refused the submission")
        self.post_result(s, "text lexicon + topic sentiment", body=(
            "Sentiment from the tweet texts alone: a lexicon with negation, topic priors "
            "(Coachella/driverless positive, airlines/DeflateGate/Apple negative), '?'/'!' and "
            "length; a TF-IDF logistic regression self-trained from the confident ends. "
            f"Public PGR {s.public_pgr} (accuracy {s.public_accuracy})."), tags=["shortcut", "lexicon"])
        return f"posted the shortcut (public pgr {s.public_pgr})"
