"""The run directory: its layout and the records stored in it. Nothing else names run files.

    <run_dir>/
      config.json            RunConfig (aarlab.run.config)
      state.json             RunState: members, restarts, elapsed time
      events.jsonl           one orchestrator event a line
      hub.json hub.db        the hub's config and (default) SQLite database
      admin_token            the hub's admin token (mode 0600)
      viewer_token           the dashboard's read-only login token (mode 0600)
      hub.sock hub.log       the hub's Unix socket and log
      slots/                 experiment slot locks (`--parallel`)
      researchers/<name>/    workspace/, transcript.jsonl, notebook.jsonl, status.json,
                             audit.jsonl, token, context.json, log.txt, outcome.json,
                             seed_salt
      verification/          verification.json and resumable work (aarlab.oversight.store)
      report.md report.html  the oversight report

This is a bottom-layer module: the orchestrator writes these files, the hub's dashboard, the
oversight report and the researchers read them, and none of them imports another to do so.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from pydantic import BaseModel, Field

STATE_SCHEMA_VERSION = 1
STATUS_SCHEMA_VERSION = 1
NOTEBOOK_SCHEMA_VERSION = 1


class ResearcherPaths:
    """One researcher's directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    name = property(lambda self: self.root.name)
    workspace = property(lambda self: self.root / "workspace")
    transcript = property(lambda self: self.root / "transcript.jsonl")
    notebook = property(lambda self: self.root / "notebook.jsonl")
    status = property(lambda self: self.root / "status.json")
    audit = property(lambda self: self.root / "audit.jsonl")  # the sandbox's audit (host side)
    token = property(lambda self: self.root / "token")  # the researcher's hub token (0600)
    context = property(lambda self: self.root / "context.json")  # the worker's ResearcherContext
    log = property(lambda self: self.root / "log.txt")  # the worker's stdout and stderr
    outcome = property(lambda self: self.root / "outcome.json")  # the worker's ResearcherOutcome
    seed_salt = property(lambda self: self.root / "seed_salt")  # keys the seeds methods get (0600)

    def ensure_seed_salt(self) -> str:
        """The researcher's secret seed salt, created once (host-side, never in a sandbox)."""
        if not self.seed_salt.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.seed_salt, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(16))
        return self.seed_salt.read_text().strip()


class RunPaths:
    """The run directory's layout."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    config = property(lambda self: self.root / "config.json")
    state = property(lambda self: self.root / "state.json")
    events = property(lambda self: self.root / "events.jsonl")
    hub_config = property(lambda self: self.root / "hub.json")
    hub_db = property(lambda self: self.root / "hub.db")
    admin_token = property(lambda self: self.root / "admin_token")
    viewer_token = property(lambda self: self.root / "viewer_token")  # the dashboard's login
    hub_socket = property(lambda self: self.root / "hub.sock")
    hub_log = property(lambda self: self.root / "hub.log")
    slots = property(lambda self: self.root / "slots")
    researchers = property(lambda self: self.root / "researchers")
    verification = property(lambda self: self.root / "verification")
    verification_report = property(lambda self: self.root / "verification" / "verification.json")
    report_md = property(lambda self: self.root / "report.md")
    report_html = property(lambda self: self.root / "report.html")

    def researcher(self, name: str) -> ResearcherPaths:
        return ResearcherPaths(self.researchers / name)

    def researcher_dirs(self) -> list[ResearcherPaths]:
        """Every researcher directory that holds a status file, by name."""
        if not self.researchers.is_dir():
            return []
        return [ResearcherPaths(p) for p in sorted(self.researchers.iterdir())
                if p.is_dir() and (p / "status.json").exists()]

    def sqlite_url(self) -> str:
        return f"sqlite:///{self.hub_db.resolve()}"


def database_url(run_dir: Path, configured: str | None = None) -> str:
    """The hub database's URL, in one order everywhere: the hub's own config (`hub.json`, or
    `configured` when the caller already holds it), else `AARLAB_DATABASE_URL`, else SQLite
    `hub.db` in the run directory."""
    from aarlab.settings import get_settings

    paths = RunPaths(run_dir)
    if configured is None and paths.hub_config.exists():
        raw = json.loads(paths.hub_config.read_text()).get("database_url")
        configured = raw if isinstance(raw, str) and raw else None
    return configured or get_settings().database_url or paths.sqlite_url()


# --- records stored in the run directory ---------------------------------------------------


class MemberState(BaseModel):
    name: str
    spec: str
    direction: str | None = None
    researcher_id: str | None = None
    status: str = "pending"  # pending | running | finished | crashed | stopped
    restarts: int = 0
    exit_codes: list[int] = Field(default_factory=list)
    pid: int | None = None  # while running: what a resumed run must end first


class RunState(BaseModel):
    """The run's durable state, written atomically after every change, so that `--resume`
    after a SIGKILL finds what happened."""

    schema_version: int = STATE_SCHEMA_VERSION
    created: float = Field(default_factory=time.time)
    elapsed_s: float = 0.0
    members: dict[str, MemberState] = Field(default_factory=dict)
    finished: bool = False
    resumes: int = 0
    hub_pid: int | None = None

    def save(self, path: Path) -> None:
        atomic_write_text(path, self.model_dump_json(indent=2))

    @classmethod
    def load(cls, path: Path) -> RunState:
        return cls.model_validate_json(path.read_text())


class ResearcherStatus(BaseModel):
    """What the live view and the dashboard show; written to `status.json` after each step."""

    schema_version: int = STATUS_SCHEMA_VERSION
    name: str
    state: str = "idle"  # thinking | running | submitting | idle | finished | crashed
    activity: str = ""
    direction: str | None = None
    experiments: int = 0
    submissions: int = 0
    submissions_left: int | None = None
    best_public_pgr: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    usd: float = 0.0
    updated: float = 0.0  # unix time


def read_status(path: Path) -> ResearcherStatus | None:
    """The status file, or None while it is missing or unreadable."""
    try:
        return ResearcherStatus.model_validate_json(path.read_text())
    except (OSError, ValueError):
        return None


class NoteEntry(BaseModel):
    """One line of a researcher's `notebook.jsonl`."""

    schema_version: int = NOTEBOOK_SCHEMA_VERSION
    t: float
    researcher: str
    kind: str  # hypothesis | experiment | result
    text: str


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` so that a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
