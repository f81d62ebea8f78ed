"""No label within reach, by construction: a walk of everything readable inside a real
sandbox finds no prepared task's test labels.

`label_walker.py` runs inside a bubblewrap sandbox and walks every file from `/` (all but
/proc, /sys and /dev: the system trees, the venv, `src/`, the bundle, the workspace), opening
compressed files, archives, arrays and tables. It gets only hashes of the test texts and the
test set sizes, never a label. Here the host compares what it reports with each task's answer
key: a file outside the bundle holding test texts (a raw copy of the dataset), a record
pairing a test text with a field that agrees with its label beyond chance (a raw label file),
and any numeric vector of a test set's length that agrees with the labels beyond chance (a
label array). The bundle's own arrays (the teacher's soft labels and the features agree with
the labels by design) are judged against the teacher in `tests/test_bundle_leak.py`.

Positive controls: label files planted in the workspace are found by the same walk, and the
walk finds aarlab's shipped datasets once they are no longer hidden, so the test can fail.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from label_walker import anchor, normalise, text_hash
from sandbox_lab import require_bwrap
from scipy import stats

from aarlab.sandbox import BwrapSandbox, Limits, SandboxSpec
from aarlab.sandbox.data_sources import label_source_paths
from aarlab.sandbox.spec import GUEST_SITE_MOUNT
from aarlab.settings import get_settings
from aarlab.w2s.config import PrepareConfig
from aarlab.w2s.prepare import prepare
from aarlab.w2s.split import SplitConfig
from aarlab.w2s.task import Task

pytestmark = pytest.mark.slow

WALKER = Path(__file__).with_name("label_walker.py")
P_MAX = 1e-6  # agreement with the labels beyond chance
MIN_ITEMS = 20  # fewer matched items than this say nothing either way
SKIP = ["/proc", "/sys", "/dev"]
MiB = 1024 * 1024
WALK_LIMITS = Limits(cpu_seconds=1800, memory_bytes=4096 * MiB, timeout_s=1800,
                     workspace_bytes=512 * MiB, file_size_bytes=256 * MiB, tmp_bytes=16 * MiB)
AARLAB_DATA = Path(__file__).resolve().parents[2] / "src" / "aarlab" / "data"


@dataclass
class Case:
    """A prepared task as the walk sees it: its bundle, test texts and (host-side) labels."""

    name: str
    bundle_dir: Path
    texts: list[str]
    labels: np.ndarray


def case_of(task: Task) -> Case:
    return Case(task.task_id, task.bundle_dir, task.bundle().texts("test"), task.key().labels_test)


@pytest.fixture(scope="module")
def cases(synthetic_task: Task) -> list[Case]:
    """The synthetic task and small real tasks of the two datasets aarlab ships itself
    (cheap settings: glove for both roles, one baseline seed; cached in the tasks dir)."""
    s = get_settings()
    real = [prepare(PrepareConfig(dataset=ds, strong="glove", baseline_seeds=1,
                                  split=SplitConfig(max_items=800)),
                    s.tasks_dir, s.cache_dir, progress=False, log=lambda _: None)
            for ds in ("wordnet", "humaneval")]
    return [case_of(t) for t in (synthetic_task, *real)]


def needles(cases: list[Case], roots: list[str]) -> dict[str, Any]:
    """What the walker is told: hashes and anchor words of the test texts, the sizes. No label."""
    tasks = {c.name: {"texts": [text_hash(t) if len(normalise(t)) >= 8 else "" for t in c.texts],
                      "anchors": [anchor(t) or "" for t in c.texts]} for c in cases}
    return {"roots": roots, "skip": SKIP, "max_bytes": 4 * MiB, "out": "/workspace/report.json",
            "lengths": sorted({len(c.labels) for c in cases}), "tasks": tasks}


def walk(case: Case, cases: list[Case], workspace: Path, roots: list[str],
         hidden: list[Path] | None = None) -> dict[str, Any]:
    require_bwrap()
    shutil.copy(WALKER, workspace / WALKER.name)
    fields: dict[str, Any] = {"name": "label-walk", "bundle_dir": case.bundle_dir,
                              "workspace": workspace, "limits": WALK_LIMITS}
    if hidden is not None:
        fields["hidden_paths"] = hidden
    with BwrapSandbox(SandboxSpec.model_validate(fields)) as sb:
        # -I: no audit hook, as an attacker would run it (and 100k audited opens are slow)
        r = sb.run(["python", "-I", f"/workspace/{WALKER.name}"],
                   stdin=json.dumps(needles(cases, roots)))
    assert r.exit_code == 0 and not r.timed_out, r
    report: dict[str, Any] = json.loads((workspace / "report.json").read_text())
    (workspace / "report.json").unlink()
    return report


def association_p(values: list[Any], labels: np.ndarray) -> float:
    """p-value of "these values say nothing about the labels": chi-squared on a few
    categories, Mann-Whitney on numbers; 1.0 for anything else (ids, free text)."""
    keys = [json.dumps(v) for v in values]
    categories = sorted(set(keys))
    if len(categories) < 2 or len(set(labels.tolist())) < 2:
        return 1.0
    if len(categories) <= 10:
        table = np.zeros((len(categories), 2))
        for k, y in zip(keys, labels, strict=True):
            table[categories.index(k), int(y)] += 1
        return float(stats.chi2_contingency(table).pvalue)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        x = np.asarray(values, dtype=np.float64)
        return float(stats.mannwhitneyu(x[labels == 1], x[labels == 0]).pvalue)
    return 1.0


def findings(report: dict[str, Any], cases: list[Case]) -> list[str]:
    """Label evidence in a walk's report, one line per file and field; [] when none."""
    by_name = {c.name: c for c in cases}
    out = []
    for t in report["texts"]:
        c, items = by_name[t["task"]], t["items"]
        if not t["where"].startswith("/bundle/texts/") and len(items) >= MIN_ITEMS:
            out.append(f"{t['where']}: {len(items)} of {len(c.texts)} test texts of {c.name}")
    for pair in report["pairs"]:
        c, items = by_name[pair["task"]], pair["items"]
        if len(items) >= MIN_ITEMS:
            p = association_p([v for _, v in items], c.labels[[i for i, _ in items]])
            if p < P_MAX:
                out.append(f"{pair['where']}: field {pair['field']!r} pairs {len(items)} test "
                           f"texts of {c.name} with their labels (p {p:.0e})")
    for a in report["arrays"]:
        if a["where"].startswith("/bundle/"):
            continue  # judged against the teacher in test_bundle_leak.py
        for c in cases:
            if len(a["values"]) == len(c.labels):
                p = association_p(a["values"], c.labels)
                if p < P_MAX:
                    out.append(f"{a['where']}: agrees with the test labels of {c.name} (p {p:.0e})")
    return out


def plant(workspace: Path, cases: list[Case]) -> None:
    """Label files a walk must find: a JSON list, an .npy array, a raw JSON-lines copy."""
    synthetic, wordnet, humaneval = cases
    planted = workspace / "planted"
    planted.mkdir()
    (planted / "labels.json").write_text(json.dumps(wordnet.labels.tolist()))
    np.save(planted / "synthetic.npy", synthetic.labels)
    with gzip.open(planted / "raw.jsonl.gz", "wt") as fh:
        for text, y in zip(humaneval.texts, humaneval.labels, strict=True):
            fh.write(json.dumps({"text": text, "outcome": "pass" if y else "fail"}) + "\n")
    shutil.copy(AARLAB_DATA / "wordnet" / "wordnet_gloss.jsonl.gz", planted)


@pytest.fixture(scope="module")
def full_walk(cases: list[Case], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One walk from `/` in a default sandbox (the wordnet bundle bound), files planted."""
    workspace = tmp_path_factory.mktemp("walk-ws")
    plant(workspace, cases)
    return walk(cases[1], cases, workspace, ["/"])


def test_no_label_within_reach(full_walk: dict[str, Any], cases: list[Case]) -> None:
    counts = full_walk["counts"]
    assert counts["read"] > 10_000, counts  # the walk saw the system, the venv and src/
    assert counts.get("error", 0) < 100, full_walk["errors"]
    found = [f for f in findings(full_walk, cases) if not f.startswith("/workspace/planted/")]
    assert found == []
    # the bundle's texts are the one copy of the test texts, and they carry no label
    assert {t["where"] for t in full_walk["texts"]} - {"/bundle/texts/test.json"} == {
        t["where"] for t in full_walk["texts"] if t["where"].startswith("/workspace/planted/")}


def test_walk_finds_planted_labels(full_walk: dict[str, Any], cases: list[Case]) -> None:
    found = "\n".join(findings(full_walk, cases))
    synthetic, wordnet, humaneval = (c.name for c in cases)
    assert f"/workspace/planted/labels.json: agrees with the test labels of {wordnet}" in found
    assert f"/workspace/planted/synthetic.npy: agrees with the test labels of {synthetic}" in found
    assert "/workspace/planted/raw.jsonl.gz!gunzip[*]: field 'outcome' pairs" in found
    assert f"field 'label' pairs {len(cases[1].labels)} test texts of {wordnet}" in found


def test_walk_finds_shipped_data_when_not_hidden(cases: list[Case], tmp_path: Path) -> None:
    """Without hiding `aarlab/data` (the bug this guards against) the walk finds its labels."""
    assert AARLAB_DATA.resolve() in label_source_paths()
    hidden = [p for p in label_source_paths() if p != AARLAB_DATA.resolve()]
    report = walk(cases[1], cases, tmp_path, [str(AARLAB_DATA.parent)], hidden=hidden)
    found = "\n".join(findings(report, cases))
    for c in cases[1:]:
        assert f"field 'label' pairs {len(c.labels)} test texts of {c.name} with" in found, found


def test_shipped_dataset_unreadable_inside(cases: list[Case], tmp_path: Path) -> None:
    """The exploit that was found: a method loading aarlab's own dataset module."""
    require_bwrap()
    with BwrapSandbox(SandboxSpec(bundle_dir=cases[1].bundle_dir, workspace=tmp_path,
                                  limits=WALK_LIMITS)) as sb:
        # the venv's editable install may point at another checkout: import this one
        path = f"{GUEST_SITE_MOUNT}:{AARLAB_DATA.parents[1]}"
        r = sb.run(["python", "-c", "from aarlab.w2s.datasets.wordnet import WordNetDataset\n"
                                    "print(len(WordNetDataset().load()))"],
                   env={"PYTHONPATH": path})
    assert r.exit_code != 0 and "DatasetError" in r.stderr, r
