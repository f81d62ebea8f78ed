"""Dataset records and the dataset registry.

A dataset is a list of labelled binary examples. `group` names a cluster an item belongs to
(a HumanEval problem, a WordNet lexicographer file, a BBC topic pair) so that splits can keep a
cluster on one side and the oversight layer can look for cluster shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aarlab.errors import UserError


class DatasetError(UserError):
    """A dataset is missing or malformed; the message says what and how to fix it."""


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 0 or 1
    group: str = ""


class Dataset(Protocol):
    name: str
    description: str

    def load(self) -> list[Example]:
        """All examples, in a deterministic order. Raises DatasetError when unusable."""
        ...


DATASETS: dict[str, Callable[[], Dataset]] = {}


def register(name: str) -> Callable[[Callable[[], Dataset]], Callable[[], Dataset]]:
    def deco(factory: Callable[[], Dataset]) -> Callable[[], Dataset]:
        DATASETS[name] = factory
        return factory

    return deco


def get_dataset(name: str) -> Dataset:
    if name not in DATASETS:
        known = ", ".join(sorted(DATASETS)) or "(none)"
        raise DatasetError(f"unknown dataset {name!r}; known datasets: {known}")
    return DATASETS[name]()
