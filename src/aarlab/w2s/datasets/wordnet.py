"""`wordnet`: does this gloss define this word? Built from WordNet 3.0 (Princeton licence).

Text is "<word>: <gloss>"; label 1 when the gloss is the word's own definition, 0 when it is the
definition of another synset from the same lexicographer file (noun.animal, verb.motion...), so
the topic alone gives nothing away. `group` is that lexicographer file. The items are generated
by scripts/build_wordnet.py (see aarlab.w2s.datasets.wordnet_build) and shipped with aarlab, so
loading needs no WordNet installation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aarlab.w2s.datasets.base import DatasetError, Example, register
from aarlab.w2s.datasets.common import DATA_DIR, balance, dedupe, read_jsonl_gz

DATA_FILE = DATA_DIR / "wordnet" / "wordnet_gloss.jsonl.gz"
FIX = (
    "rebuild it with `python scripts/build_wordnet.py` "
    "(needs Debian's wordnet-base: `apt-get install wordnet-base`)"
)


@dataclass
class WordNetDataset:
    name: str = "wordnet"
    description: str = (
        "WordNet 3.0 gloss verification: 1 = the gloss defines the word, 0 = a gloss from the "
        "same lexicographer file; group = lexicographer file"
    )
    path: Path | None = None  # None: the shipped file (read at load time, so tests can patch it)
    group_split: bool = False

    def load(self) -> list[Example]:
        path = self.path if self.path is not None else DATA_FILE
        records = read_jsonl_gz(path, ("text", "label", "group"), FIX)
        examples = [Example(r["text"], int(r["label"]), str(r["group"])) for r in records]
        examples = balance(dedupe(examples), seed=0)
        if len(examples) < 1000:
            raise DatasetError(f"wordnet: only {len(examples)} usable items in {path}; {FIX}")
        return examples


@register("wordnet")
def _wordnet() -> WordNetDataset:
    return WordNetDataset()
