"""The run's closing summary: greppable `key: value` lines."""

from __future__ import annotations

from pydantic import BaseModel, Field

from aarlab.run.config import RunConfig
from aarlab.run.hubproc import HubProcess
from aarlab.run.live import statuses
from aarlab.rundir import RunPaths, RunState
from aarlab.w2s.baselines import baseline_table
from aarlab.w2s.task import Task


class RunSummary(BaseModel):
    run_dir: str
    dataset: str
    reason: str
    researchers: int
    experiments: int
    submissions: int
    usd: float
    tokens: int
    minutes: float
    best_public_pgr: float | None
    best_researcher: str | None
    best_baseline: str
    best_baseline_pgr: float
    crashed: list[str] = Field(default_factory=list)
    unsafe_no_sandbox: bool = False
    verification: list[str] = Field(default_factory=list)

    def lines(self) -> list[str]:
        best = "nan" if self.best_public_pgr is None else f"{self.best_public_pgr:.4f}"
        out = [
            f"run_dir: {self.run_dir}",
            f"dataset: {self.dataset}",
            f"stop_reason: {self.reason}",
            f"researchers: {self.researchers}",
            f"experiments: {self.experiments}",
            f"submissions: {self.submissions}",
            f"tokens: {self.tokens}",
            f"usd: {self.usd:.2f}",
            f"minutes: {self.minutes:.1f}",
            f"best_public_pgr: {best}",
            f"best_researcher: {self.best_researcher or 'none'}",
            f"best_baseline: {self.best_baseline}",
            f"best_baseline_pgr: {self.best_baseline_pgr:.4f}",
            f"beats_best_baseline: {str(self.best_public_pgr is not None and self.best_public_pgr > self.best_baseline_pgr).lower()}",
        ]
        out += [f"crashed: {name}" for name in self.crashed]
        if self.unsafe_no_sandbox:
            out.append("sandbox: NONE (--unsafe-no-sandbox: no isolation)")
        return out + self.verification


def summarize_run(paths: RunPaths, state: RunState, cfg: RunConfig, task: Task, hub: HubProcess,
                  reason: str) -> RunSummary:
    st = statuses(paths, state)
    with hub.admin() as admin:
        rows = admin.leaderboard(cfg.dataset).rows
    best_row = max((r for r in rows if r.public.pgr is not None), key=lambda r: r.public.pgr or 0.0,
                   default=None)
    base = baseline_table(task, list(range(5)), part="public").best()
    return RunSummary(
        run_dir=str(paths.root), dataset=cfg.dataset, reason=reason, researchers=len(state.members),
        experiments=sum(s.experiments for s in st.values()),
        submissions=sum(s.submissions for s in st.values()),
        usd=sum(s.usd for s in st.values()), tokens=sum(s.tokens_in + s.tokens_out for s in st.values()),
        minutes=state.elapsed_s / 60,
        best_public_pgr=best_row.public.pgr if best_row else None,
        best_researcher=best_row.researcher if best_row else None,
        best_baseline=base.method, best_baseline_pgr=base.pgr.mean,
        crashed=[m.name for m in state.members.values() if m.status == "crashed"],
        unsafe_no_sandbox=cfg.sandbox == "none",
    )

