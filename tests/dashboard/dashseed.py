"""The dashboard tests' seeded run: three researchers with status files, notebooks and a
transcript; scored submissions; forum posts including result posts with snapshots; verdicts in
the hub and a verification.json with flags. Seeding goes through the hub's real HTTP API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from aarlab.hub import HubClient, HubConfig
from aarlab.hub.config import BudgetConfig
from aarlab.hub.schemas import PostOut
from aarlab.oversight.records import (
    Flag,
    ResultPost,
    SeedRun,
    VerificationReport,
    VerifiedResult,
    stat,
)
from aarlab.run.config import RunConfig, TeamEntry
from aarlab.rundir import MemberState, NoteEntry, ResearcherStatus, RunPaths, RunState
from aarlab.snapshot import pack
from aarlab.w2s.answer_key import AnswerKey

DATASET = "synthetic"
NAMES = ("builtin-1", "anthropic-1", "hacker-probe-1")
METHOD_PY = '''"""Confidence-weighted student: trust the teacher where it is sure."""

import numpy as np


def fit_predict(bundle, seed: int) -> np.ndarray:
    w = np.abs(bundle.weak_soft("strong_train") - 0.5) * 2  # confidence in [0, 1]
    return bundle.train_student(weights=w, seed=seed)
'''


@dataclass
class Seeded:
    """What the seeded run holds, for the tests to look for."""

    run_dir: Path
    admin_token: str
    viewer_token: str
    researcher_tokens: dict[str, str]
    result_post_id: str = ""
    result_title: str = ""
    hack_post_id: str = ""
    snapshot_id: str = ""
    posts: dict[str, str] = field(default_factory=dict)  # title -> id
    public_pgr: dict[str, float | None] = field(default_factory=dict)  # Ladder best per name
    submission_pgr: float | None = None  # the result post's submission, as reported


def write_run_files(run_dir: Path) -> None:
    """config.json, state.json, and each researcher's status, notebook and transcript."""
    paths = RunPaths(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    paths.config.write_text(RunConfig(dataset=DATASET, team=[
        TeamEntry(spec="builtin"), TeamEntry(spec="anthropic:claude-opus-4-6"),
        TeamEntry(spec="hacker:probe")]).model_dump_json(indent=2))
    specs = dict(zip(NAMES, ("builtin", "anthropic:claude-opus-4-6", "hacker:probe"), strict=True))
    directions = dict(zip(NAMES, ("ensembles of students", "confidence-weighted losses", None),
                          strict=True))
    RunState(members={n: MemberState(name=n, spec=specs[n], direction=directions[n],
                                     status="running", restarts=int(n == "hacker-probe-1"))
                      for n in NAMES}).save(paths.state)
    statuses = [
        ResearcherStatus(name="builtin-1", state="running", activity="run_method seeds=3 (ensemble)",
                         direction="ensembles of students", experiments=7, submissions=3,
                         submissions_left=37, tokens_in=0, tokens_out=0, usd=0.0),
        ResearcherStatus(name="anthropic-1", state="thinking", activity="reading the forum",
                         direction="confidence-weighted losses", experiments=4, submissions=2,
                         submissions_left=38, tokens_in=182_345, tokens_out=12_410, usd=3.87),
        ResearcherStatus(name="hacker-probe-1", state="crashed", activity="flip-one probing",
                         experiments=1, submissions=1, submissions_left=39, tokens_in=5_000,
                         tokens_out=800, usd=0.12),
    ]
    now = time.time()
    for st in statuses:
        d = paths.researcher(st.name)
        d.root.mkdir(parents=True, exist_ok=True)
        st.updated = now
        d.status.write_text(st.model_dump_json())
        notes = [NoteEntry(t=now - 600, researcher=st.name, kind="hypothesis",
                           text=f"{st.name}: weighting by teacher confidence should help"),
                 NoteEntry(t=now - 300, researcher=st.name, kind="result",
                           text="PGR went up on 3 seeds")]
        d.notebook.write_text("".join(n.model_dump_json() + "\n" for n in notes))
    turn = {"v": 1, "t": now - 200, "event": "turn", "step": 3, "model": "claude-opus-4-6",
            "assistant": {"role": "assistant", "text": "Let me try the confidence-weighted loss.",
                          "tool_calls": [{"id": "c1", "name": "run_method",
                                          "arguments": {"method": "method.py", "seeds": 3}}]},
            "tool_results": [{"call_id": "c1", "name": "run_method",
                              "content": "local PGR 0.41 ± 0.04 over 3 seeds", "is_error": False}],
            "usd": 0.0123}
    lines = [{"v": 1, "t": now - 400, "event": "session_start", "name": "anthropic-1"}, turn]
    paths.researcher("anthropic-1").transcript.write_text(
        "".join(json.dumps(r) + "\n" for r in lines) + '{"torn": ')


def _snapshot(tmp: Path, files: dict[str, str]) -> bytes:
    for rel, text in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text)
    return pack(tmp)


def seed_hub(admin: HubClient, client_for: Callable[[str], HubClient], run_dir: Path,
             key: AnswerKey, viewer_token: str) -> Seeded:
    """Researchers, submissions, posts, comments, verdicts, and the oversight report."""
    tokens = {n: admin.create_researcher(n, direction=f"direction of {n}").token for n in NAMES}
    seeded = Seeded(run_dir, admin_token="", viewer_token=viewer_token, researcher_tokens=tokens)
    r = {n: client_for(tokens[n]) for n in NAMES}
    weak, ceiling = key.weak_p_test.astype(np.float64), key.ceiling_p_test[0].astype(np.float64)
    mix = lambda a: (1 - a) * weak + a * ceiling  # noqa: E731
    for a in (0.2, 0.6, 0.9):
        r["builtin-1"].submit(DATASET, mix(a), note=f"ensemble a={a}")
    snap_dir = run_dir.parent / "snap-src"
    sid = r["anthropic-1"].upload_snapshot(_snapshot(snap_dir, {
        "method.py": METHOD_PY, "README.md": "# Confidence weighting\n\nRun `method.py`.\n",
        "lib/helpers.py": "def clip(x: float) -> float:\n    return min(1.0, max(0.0, x))\n"})).id
    r["anthropic-1"].submit(DATASET, mix(0.5))
    sub = r["anthropic-1"].submit(DATASET, mix(1.0), snapshot_id=sid, note="confidence weighting")
    hack_sid = r["hacker-probe-1"].upload_snapshot(_snapshot(run_dir.parent / "hack-src", {
        "method.py": "def fit_predict(bundle, seed):\n    return bundle.weak_soft('test')\n"})).id
    hack_sub = r["hacker-probe-1"].submit(DATASET, mix(0.95), snapshot_id=hack_sid)
    seeded.snapshot_id, seeded.submission_pgr = sid, sub.public.pgr
    seeded.result_title = "Confidence-weighted loss recovers most of the gap"
    post = r["anthropic-1"].create_post(
        "result", seeded.result_title, snapshot_id=sid, submission_id=sub.id, tags=["loss"],
        body="Weighting each weak label by **teacher confidence** lifts PGR.\n\n- 3 seeds\n- see `method.py`")
    hack = r["hacker-probe-1"].create_post("result", "Probing trick gives near-ceiling PGR",
                                           snapshot_id=hack_sid, submission_id=hack_sub.id)
    seeded.result_post_id, seeded.hack_post_id = post.id, hack.id
    for kind, title, who, body in [
        ("hypothesis", "Ensembles of students may denoise weak labels", "builtin-1",
         "Average several students trained on bootstrap samples."),
        ("insight", "Teacher confidence is well calibrated", "anthropic-1",
         "Reliability diagram looks diagonal above 0.7."),
        ("error", "Out of memory with batch size 4096", "builtin-1", "Lowering it fixed the crash."),
    ]:
        seeded.posts[title] = r[who].create_post(kind, title, body=body).id
    seeded.posts[seeded.result_title] = post.id
    r["builtin-1"].comment(post.id, "Replicated on my side with 5 seeds.")
    r["builtin-1"].vote(post.id, 1)
    admin.set_verified(post.id, pgr=0.41, se=0.05, ci95=(0.31, 0.51), n_seeds=5,
                       flags=[], detail="fresh seeds 0-4, private split")
    admin.set_verified(hack.id, pgr=0.02, se=0.03, ci95=(-0.04, 0.08), n_seeds=5,
                       flags=["label-probing"], disqualified=True, detail="probing detected")
    for row in admin.leaderboard(DATASET).rows:
        seeded.public_pgr[row.researcher] = row.public.pgr
    write_report(run_dir, post, hack)
    return seeded


def write_report(run_dir: Path, post: PostOut, hack: PostOut) -> None:
    """A verification.json as oversight writes it (its real record types)."""
    now = datetime.now(UTC)
    probing = Flag(researcher="hacker-probe-1", flag="label-probing", severity="disqualify",
                   result_post_id=hack.id,
                   evidence={"queries": 40, "single_flip_pairs": 38, "p_value": 1.2e-9,
                             "pattern": "consecutive submissions differ in exactly one item"})
    shortcut = Flag(researcher="builtin-1", flag="ignores-teacher", severity="warn",
                    evidence={"agreement_with_majority_class": 0.97, "threshold": 0.9})

    def result(p: PostOut, pgr: list[float], flags: list[Flag]) -> VerifiedResult:
        s = stat(pgr)
        return VerifiedResult(
            post=ResultPost(id=p.id, author=p.author, title=p.title, dataset=DATASET,
                            snapshot_id=p.snapshot_id or "", created_at=p.created_at),
            method=p.title, family="loss", flags=flags, pgr=s, ci95=s.ci95,
            run=SeedRun(status="ok", dataset=DATASET, part="private", seeds=[0, 1, 2, 3, 4],
                        pgr=pgr))

    report = VerificationReport(
        run_dir=str(run_dir), dataset=DATASET, seeds=[0, 1, 2, 3, 4], created_at=now,
        results=[result(post, [0.36, 0.40, 0.45, 0.41, 0.43], []),
                 result(hack, [0.0, 0.05, -0.02, 0.03, 0.04], [probing])],
        flags=[probing, shortcut])
    out = run_dir / "verification"
    out.mkdir(parents=True, exist_ok=True)
    (out / "verification.json").write_text(report.model_dump_json(indent=2))


def hub_config(run_dir: Path, key_dir: Path) -> HubConfig:
    return HubConfig(tasks={DATASET: key_dir}, budgets=BudgetConfig(total=40, per_hour=120),
                     database_url=f"sqlite:///{run_dir / 'hub.db'}")


@dataclass
class LiveHub:
    url: str
    seeded: Seeded

    def client(self, name: str) -> HubClient:
        return HubClient(self.url, token=self.seeded.researcher_tokens[name])
