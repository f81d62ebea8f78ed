"""Researcher processes: start, watch, restart a crashed one (bounded), stop."""

from __future__ import annotations

import os
import subprocess
import sys

from aarlab.lifeline import STOP_GRACE_S, child_env, stop_children
from aarlab.researchers.base import ResearcherContext
from aarlab.run.state import append_event
from aarlab.rundir import MemberState, RunPaths, RunState


class Team:
    def __init__(self, paths: RunPaths, state: RunState, max_restarts: int) -> None:
        self.paths = paths
        self.state = state
        self.max_restarts = max_restarts
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, ctx: ResearcherContext) -> None:
        rdir = self.paths.researcher(ctx.name)
        ctx_file = rdir.context
        ctx_file.write_text(ctx.model_dump_json(indent=2))
        os.chmod(ctx_file, 0o600)  # holds the researcher's token
        log = open(rdir.log, "ab")  # noqa: SIM115 (the child's stdout for its whole life)
        env = child_env() | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        self.procs[ctx.name] = subprocess.Popen(
            [sys.executable, "-m", "aarlab.researchers.worker", str(ctx_file)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )
        self._member(ctx.name).status = "running"
        self._member(ctx.name).pid = self.procs[ctx.name].pid
        append_event(self.paths.events, "start", researcher=ctx.name, pid=self.procs[ctx.name].pid)
        self.state.save(self.paths.state)

    def poll(self) -> list[str]:
        """Reap exited processes; return the names that crashed and may be restarted."""
        restart = []
        for name, proc in list(self.procs.items()):
            code = proc.poll()
            if code is None:
                continue
            del self.procs[name]
            m = self._member(name)
            m.exit_codes.append(code)
            m.pid = None
            if code == 0:
                m.status = "finished"
                append_event(self.paths.events, "finished", researcher=name)
            elif m.restarts < self.max_restarts:
                m.restarts += 1
                m.status = "pending"
                restart.append(name)
                append_event(self.paths.events, "crash", researcher=name, code=code, restart=m.restarts)
            else:
                m.status = "crashed"
                append_event(self.paths.events, "gave-up", researcher=name, code=code)
        self.state.save(self.paths.state)
        return restart

    def running(self) -> list[str]:
        return list(self.procs)

    def stop_all(self, grace_s: float = STOP_GRACE_S) -> None:
        """Ask every researcher to stop; SIGKILL the process groups of those still running
        after `grace_s`."""
        stop_children(list(self.procs.values()), grace_s)
        for name in list(self.procs):
            m = self._member(name)
            if m.status == "running":
                m.status = "stopped"
            m.pid = None
            append_event(self.paths.events, "stopped", researcher=name)
        self.procs.clear()
        self.state.save(self.paths.state)

    def _member(self, name: str) -> MemberState:
        return self.state.members[name]

