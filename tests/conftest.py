"""Shared fixtures: a small synthetic task (bundle + answer key) built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from aarlab.settings import get_settings  # noqa: E402
from aarlab.w2s.synthetic import make_synthetic_task  # noqa: E402
from aarlab.w2s.task import Task  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings are cached per process; a test that sets `AARLAB_*` must not leak it."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def synthetic_task(tmp_path_factory: pytest.TempPathFactory) -> Task:
    return make_synthetic_task(tmp_path_factory.mktemp("synthetic") / "task")


def pytest_configure(config: pytest.Config) -> None:
    Path(config.rootpath / "test-output").mkdir(exist_ok=True)
