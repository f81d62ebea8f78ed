"""Which held-out datasets a verification uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aarlab.oversight.verify import VerifyConfig, _heldout
from aarlab.settings import get_settings


@pytest.fixture
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("AARLAB_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_runs_own_dataset_is_never_held_out(empty_home: Path) -> None:
    logged: list[str] = []
    # prepare_heldout=True: were "wordnet" not skipped, preparing it would start (and take minutes)
    cfg = VerifyConfig.model_validate({"heldout": ["wordnet"], "prepare_heldout": True})
    assert _heldout(cfg, "wordnet", logged.append) == {}
    assert any("run's own dataset" in line for line in logged)
    assert not (empty_home / "tasks").exists()


def test_an_unprepared_heldout_dataset_is_skipped_with_a_warning(empty_home: Path) -> None:
    logged: list[str] = []
    assert _heldout(VerifyConfig.model_validate({"heldout": ["bbc"]}), "tweets", logged.append) == {}
    assert any("not prepared" in line for line in logged)
