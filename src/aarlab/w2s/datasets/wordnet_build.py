"""Build the `wordnet` gloss-verification items from WordNet 3.0's data files.

Used by scripts/build_wordnet.py (which writes the shipped file) and by the tests. One item per
sampled synset: half the sampled synsets show their own gloss (label 1), half show the gloss of
another synset from the same lexicographer file (label 0). Guards against easy shortcuts:
- glosses are the definition only; WordNet's usage examples (in quotes) contain the word itself;
- an item is skipped when the gloss shown shares a stem with the word (string match would
  solve it: a word's own gloss often repeats its stem, as in "addressee: one to whom...addressed");
- a donor synset never has the word among its lemmas (that gloss would be a true definition);
- every gloss is shown at most once, so a gloss cannot be matched to its twin elsewhere.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

WORDNET_DIR = Path("/usr/share/wordnet")
POS_FILES = ("noun", "verb", "adj", "adv")

# lexnames(5WN): lexicographer file number -> name (WordNet 3.0 ships no lexnames file in
# Debian's wordnet-base, so the fixed table from the documentation is used; parse() checks it).
LEXNAMES = [
    "adj.all",
    "adj.pert",
    "adv.all",
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
    "verb.body",
    "verb.change",
    "verb.cognition",
    "verb.communication",
    "verb.competition",
    "verb.consumption",
    "verb.contact",
    "verb.creation",
    "verb.emotion",
    "verb.motion",
    "verb.perception",
    "verb.possession",
    "verb.social",
    "verb.stative",
    "verb.weather",
    "adj.ppl",
]
_POS_PREFIX = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}


@dataclass(frozen=True)
class Synset:
    offset: str  # "n00001740": pos letter + byte offset, unique across the four files
    lexname: str  # e.g. "noun.animal"
    lemmas: tuple[str, ...]  # lower case, underscores as spaces
    gloss: str  # the definition, without usage examples


def parse_line(line: str) -> Synset | None:
    if line.startswith("  ") or "|" not in line:
        return None  # licence header lines start with two spaces
    head, gloss = line.split("|", 1)
    f = head.split()
    offset, lexnum, ss_type, w_cnt = f[0], int(f[1]), f[2], int(f[3], 16)
    words = [re.sub(r"\(\w+\)$", "", w).replace("_", " ").lower() for w in f[4 : 4 + 2 * w_cnt : 2]]
    lexname = LEXNAMES[lexnum]
    if lexname.split(".")[0] != _POS_PREFIX[ss_type]:
        raise ValueError(f"lexicographer file {lexnum} ({lexname}) does not match pos {ss_type!r}")
    # the definition comes first; usage examples follow as `; "..."`
    definition = re.split(r';\s*"', gloss.strip(), maxsplit=1)[0].strip().rstrip(";").strip()
    return Synset(f"{ss_type}{offset}", lexname, tuple(dict.fromkeys(words)), definition)


def parse(wordnet_dir: Path = WORDNET_DIR) -> list[Synset]:
    """Every synset with a non-empty definition, in file order."""
    out: list[Synset] = []
    for pos in POS_FILES:
        path = wordnet_dir / f"data.{pos}"
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                s = parse_line(line)
                if s is not None and s.gloss and s.lemmas:
                    out.append(s)
    return out


def _mentions(word: str, gloss: str) -> bool:
    """Whether the gloss shares a stem with the word ("addressee" / "addressed", "genus X")."""
    for token in re.findall(r"[a-z0-9]+", word.lower()):
        stem = token[:5] if len(token) >= 4 else token
        if re.search(rf"\b{re.escape(stem)}", gloss, re.IGNORECASE):
            return True
    # a gloss word whose stem hides inside the word: "intertribal" / "among tribes"
    compact = re.sub(r"[^a-z0-9]", "", word.lower())
    return any(t[:5] in compact for t in re.findall(r"[a-z0-9]{5,}", gloss.lower()))


def build_items(synsets: list[Synset], n_items: int, seed: int = 0) -> list[dict[str, str | int]]:
    """`n_items` records {text, label, group, word, donor}, half positive, deterministic by seed."""
    rng = random.Random(seed)
    by_lex: dict[str, list[Synset]] = defaultdict(list)
    for s in synsets:
        by_lex[s.lexname].append(s)
    order = synsets[:]
    rng.shuffle(order)
    used_gloss: set[str] = set()
    records: list[dict[str, str | int]] = []
    n_pos = n_neg = 0
    for s in order:
        if n_pos + n_neg >= n_items:
            break
        word = rng.choice(s.lemmas)
        want_pos = n_pos <= n_neg
        donor = s if want_pos else _pick_donor(s, word, by_lex[s.lexname], used_gloss, rng)
        if donor is None or donor.gloss in used_gloss or s.gloss in used_gloss:
            continue
        if _mentions(word, donor.gloss):
            continue
        used_gloss.update({donor.gloss, s.gloss})  # s's own gloss is never shown elsewhere
        label = int(donor is s)
        n_pos += label
        n_neg += 1 - label
        records.append(
            {
                "text": f"{word}: {donor.gloss}",
                "label": label,
                "group": s.lexname,
                "word": word,
                "synset": s.offset,
                "donor": donor.offset,
            }
        )
    return records


def _pick_donor(
    s: Synset, word: str, pool: list[Synset], used: set[str], rng: random.Random
) -> Synset | None:
    for _ in range(20):
        d = rng.choice(pool)
        if d is not s and word not in d.lemmas and d.gloss not in used and d.gloss != s.gloss:
            return d
    return None
