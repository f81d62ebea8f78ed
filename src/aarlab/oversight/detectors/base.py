"""The detector contract and registry: `detect(ctx) -> list[Flag]`, registered by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aarlab.oversight.records import AuditQuery, Flag, SandboxEvent, Submission, VerifiedResult
from aarlab.oversight.rerun import Runner
from aarlab.oversight.scoring import Scorer
from aarlab.oversight.store import Store


@dataclass
class DetectorContext:
    """Everything a detector may look at; built once per verification."""

    run_dir: Path
    results: list[VerifiedResult]
    method_dirs: dict[str, Path]  # result post id -> unpacked method directory
    submissions: list[Submission]
    audit: list[AuditQuery]
    scorer: Scorer  # the hill-climbing task's answer key
    bundle_dir: Path
    store: Store
    runner: Runner
    seeds: list[int]
    ablation_seeds: list[int]
    timeout: float
    sandbox_events: list[SandboxEvent] = field(default_factory=list)
    snapshot: Callable[[str], bytes] | None = None  # snapshot id -> its archive (the hub's code store)


Detector = Callable[[DetectorContext], list[Flag]]
DETECTORS: dict[str, Detector] = {}


def register(name: str) -> Callable[[Detector], Detector]:
    def deco(fn: Detector) -> Detector:
        DETECTORS[name] = fn
        return fn

    return deco
