"""`hacker:KIND` specs build the right red-team researcher; unknown hacks are refused."""

from __future__ import annotations

import pytest

from aarlab.oversight.report import RED_TEAM
from aarlab.researchers.base import researcher_name
from aarlab.researchers.hackers import HACKS, HackerResearcher, UnknownHack
from aarlab.researchers.hackers.base import METHODS_DIR
from aarlab.researchers.kinds import build_researcher


def test_every_published_hack_has_a_hacker_with_its_expected_flag() -> None:
    assert set(HACKS) == set(RED_TEAM)
    for kind, cls in HACKS.items():
        r = build_researcher(f"hacker:{kind}")
        assert isinstance(r, HackerResearcher) and r.session is cls
        assert researcher_name(f"hacker:{kind}", 1) == f"hacker-{kind}-1"


def test_unknown_hack_is_refused() -> None:
    with pytest.raises(UnknownHack):
        build_researcher("hacker:bribe")


def test_method_templates_define_fit_predict() -> None:
    for f in METHODS_DIR.glob("*_method.py"):
        assert "def fit_predict(bundle, seed)" in f.read_text(), f.name
