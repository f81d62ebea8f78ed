"""`aarlab run`: hub + team of researchers, budgets, restarts, resume, verification, summary.

Everything the run does is recorded in its directory before it is acted on (config, state,
events, tokens), so a SIGKILLed orchestrator resumes with `--resume RUN_DIR` and loses nothing:
the hub's database holds every acknowledged submission and post, the researchers' notebooks
hold their history, and the state file holds restarts and time already spent.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.live import Live

from aarlab.hub.client import HubClient
from aarlab.lifeline import reap
from aarlab.researchers.base import Budgets, ResearcherContext, researcher_name
from aarlab.run.config import RunConfig
from aarlab.run.hubproc import HubProcess
from aarlab.run.live import statuses, team_table
from aarlab.run.state import append_event
from aarlab.run.summary import RunSummary, summarize_run
from aarlab.run.team import Team
from aarlab.rundir import MemberState, RunPaths, RunState
from aarlab.sandbox import SandboxSpec, make_sandbox
from aarlab.settings import get_settings
from aarlab.w2s.config import PrepareConfig
from aarlab.w2s.prepare import prepare
from aarlab.w2s.split import SplitConfig
from aarlab.w2s.task import Task


def new_run_dir(base: Path = Path("runs")) -> Path:
    return base / datetime.now().strftime("%Y-%m-%dT%H-%M-%S")


def directions_for(cfg: RunConfig) -> list[str]:
    if cfg.undirected:
        return []
    from aarlab.researchers.directions import DIRECTIONS  # the nine starting directions

    return [d.key if hasattr(d, "key") else str(d) for d in DIRECTIONS]


def init_state(cfg: RunConfig) -> RunState:
    state = RunState()
    dirs = directions_for(cfg)
    i = 0
    for entry in cfg.team:
        for _ in range(entry.count):
            # names number on per prefix whatever the mix (anthropic:a=2 anthropic:b=2 ->
            # anthropic-1..4): a name is never reused, so no member overwrites another
            n = 1
            while (name := researcher_name(entry.spec, n)) in state.members:
                n += 1
            direction = dirs[i % len(dirs)] if dirs and not entry.spec.startswith("hacker") else None
            state.members[name] = MemberState(name=name, spec=entry.spec, direction=direction)
            i += 1
    return state


class Orchestrator:
    def __init__(self, cfg: RunConfig, run_dir: Path, console: Console | None = None,
                 resume: bool = False, live: bool = True) -> None:
        self.paths = RunPaths(run_dir)
        self.console = console or Console()
        self.live = live
        if resume:
            self.cfg = RunConfig.model_validate_json(self.paths.config.read_text())
            self.check_sandbox()
            self.state = RunState.load(self.paths.state)
            self.state.resumes += 1
            self.reap_previous()
        else:
            if self.paths.config.exists():
                raise FileExistsError(f"{run_dir} already holds a run; use --resume {run_dir}")
            self.cfg = cfg
            self.check_sandbox()  # before anything is written: a refused run leaves nothing
            self.paths.root.mkdir(parents=True, exist_ok=True)
            self.paths.config.write_text(cfg.model_dump_json(indent=2))
            self.state = init_state(cfg)
        self.paths.researchers.mkdir(exist_ok=True)
        self.state.save(self.paths.state)
        append_event(self.paths.events, "resume" if resume else "create", run_dir=str(run_dir))

    def reap_previous(self) -> None:
        """End the hub and researchers a killed orchestrator left behind (normally gone with it)."""
        pids = {m.pid: "aarlab.researchers.worker" for m in self.state.members.values() if m.pid}
        if self.state.hub_pid:
            pids[self.state.hub_pid] = "aarlab hub"
        ended = reap(pids)
        if ended:
            append_event(self.paths.events, "reaped", pids=ended)
        for m in self.state.members.values():
            m.pid = None
        self.state.hub_pid = None

    # ------------------------------------------------------------------ pieces
    def check_sandbox(self) -> None:
        """Refuse before anything starts when the run's sandbox cannot run here
        (`SandboxUnavailable`, naming the fix); warn loudly for `--unsafe-no-sandbox`."""
        if self.cfg.sandbox == "none":
            self.console.print("[bold red]WARNING: --unsafe-no-sandbox: researchers' commands run "
                               "with NO isolation[/bold red]")
            return
        with tempfile.TemporaryDirectory(prefix="aarlab-probe-") as tmp:
            bundle, ws = Path(tmp) / "bundle", Path(tmp) / "ws"
            bundle.mkdir()
            ws.mkdir()
            make_sandbox(self.cfg.sandbox, SandboxSpec(name="probe", bundle_dir=bundle, workspace=ws)).close()

    def task(self) -> Task:
        s = get_settings()
        split = SplitConfig(max_items=self.cfg.max_items)
        return prepare(PrepareConfig(dataset=self.cfg.dataset, split=split), s.tasks_dir, s.cache_dir,
                       progress=self.live, log=self.console.print)

    def prepare_heldout(self) -> None:
        """Prepare held-out datasets up front, so verification at the end only measures."""
        if not self.cfg.verify:
            return
        s = get_settings()
        for dataset in self.cfg.heldout or []:
            if dataset != self.cfg.dataset:
                split = SplitConfig(max_items=self.cfg.heldout_max_items)
                prepare(PrepareConfig(dataset=dataset, split=split), s.tasks_dir, s.cache_dir,
                        progress=self.live, log=self.console.print)

    def register(self, hub: HubProcess) -> None:
        with hub.admin() as admin:
            for m in self.state.members.values():
                self._register(admin, m)

    def _register(self, admin: HubClient, m: MemberState) -> None:
        """Create the member's hub identity once; its token goes to a 0600 file (a resumed
        run keeps it)."""
        rdir = self.paths.researcher(m.name)
        if m.researcher_id and rdir.token.exists():
            return
        created = admin.create_researcher(m.name, direction=m.direction or "")
        rdir.workspace.mkdir(parents=True, exist_ok=True)
        rdir.token.write_text(created.token)
        os.chmod(rdir.token, 0o600)
        m.researcher_id = created.id
        self.state.save(self.paths.state)

    def context(self, m: MemberState, task: Task, hub: HubProcess, remaining_s: float) -> ResearcherContext:
        rdir = self.paths.researcher(m.name)
        return ResearcherContext(
            name=m.name, spec=m.spec, direction=m.direction, dataset=self.cfg.dataset,
            run_dir=self.paths.root.resolve(), workspace=rdir.workspace.resolve(),
            bundle_dir=task.bundle_dir.resolve(), hub_url=hub.url, hub_socket=self.paths.hub_socket.resolve(),
            token=rdir.token.read_text().strip(), sandbox=self.cfg.sandbox,
            seed=self.cfg.seed * 1000 + list(self.state.members).index(m.name),
            base_url=self.cfg.base_url,
            budgets=Budgets(minutes=remaining_s / 60, usd=self._share(self.cfg.budget_usd),
                            tokens=None if self.cfg.budget_tokens is None else int(self._share(self.cfg.budget_tokens) or 0)),
            transcript=rdir.transcript.resolve(), notebook=rdir.notebook.resolve(),
            status_file=rdir.status.resolve(), parallel=self.cfg.parallel,
        )

    def _share(self, total: float | None) -> float | None:
        return None if total is None else total / max(1, len(self.state.members))

    def over_budget(self) -> str | None:
        st = statuses(self.paths, self.state).values()
        usd = sum(s.usd for s in st)
        tokens = sum(s.tokens_in + s.tokens_out for s in st)
        if self.cfg.budget_usd is not None and usd >= self.cfg.budget_usd:
            return f"USD budget reached ({usd:.2f} of {self.cfg.budget_usd:.2f})"
        if self.cfg.budget_tokens is not None and tokens >= self.cfg.budget_tokens:
            return f"token budget reached ({tokens} of {self.cfg.budget_tokens})"
        return None

    # ------------------------------------------------------------------ main
    def run(self) -> RunSummary:
        task = self.task()
        self.prepare_heldout()
        hub = HubProcess(self.paths, {self.cfg.dataset: task.key_dir.resolve()}, extra_args=[
            "--budget-total", str(self.cfg.submissions_total),
            "--budget-per-hour", str(self.cfg.submissions_per_hour)]).start()
        self.state.hub_pid = hub.proc.pid if hub.proc else None
        self.state.save(self.paths.state)
        self.console.print(f"dashboard: {hub.url}/  (log in with the token in {hub.viewer_token_file()} "
                           f"or {self.paths.root / 'admin_token'})")
        team = Team(self.paths, self.state, self.cfg.max_restarts)
        reason = "time budget spent"
        try:
            self.register(hub)
            budget_s = self.cfg.minutes * 60
            t_last = time.monotonic()
            for m in self.state.members.values():
                if m.status in ("pending", "running", "stopped"):
                    m.status = "pending"
            with Live(console=self.console, refresh_per_second=2, transient=False,
                      auto_refresh=self.live) as live:
                while True:
                    now = time.monotonic()
                    self.state.elapsed_s += now - t_last
                    t_last = now
                    remaining = budget_s - self.state.elapsed_s
                    if remaining <= 0:
                        break
                    if (why := self.over_budget()) is not None:
                        reason = why
                        break
                    for m in self.state.members.values():
                        if m.status == "pending" and m.name not in team.procs:
                            team.start(self.context(m, task, hub, remaining))
                    for name in team.poll():
                        team.start(self.context(self.state.members[name], task, hub, remaining))
                    if not team.running() and all(m.status in ("finished", "crashed") for m in self.state.members.values()):
                        reason = "every researcher finished"
                        break
                    if self.live:
                        live.update(team_table(self.paths, self.state, remaining))
                    self.state.save(self.paths.state)
                    time.sleep(0.5)
        except KeyboardInterrupt:
            reason = "interrupted (Ctrl-C); resume with --resume"
        finally:
            team.stop_all()
            self.state.save(self.paths.state)
        append_event(self.paths.events, "stop", reason=reason)
        try:
            summary = summarize_run(self.paths, self.state, self.cfg, task, hub, reason)
            if self.cfg.verify:
                summary.verification = self.verify()
        finally:
            hub.stop()
            self.state.hub_pid = None
        self.state.finished = True
        self.state.save(self.paths.state)
        return summary

    def verify(self) -> list[str]:
        """Oversight at the end of the run: verification, flags, report; its greppable lines."""
        from aarlab.oversight.report import write_report
        from aarlab.oversight.summary import summary_lines
        from aarlab.oversight.verify import config_for_run, verify_run

        root = self.paths.root
        report = verify_run(root, config_for_run(root, prepare_heldout=True), log=self.console.print)
        md, html = write_report(root, report)
        return [*summary_lines(report), f"report: {md}", f"report_html: {html}"]
