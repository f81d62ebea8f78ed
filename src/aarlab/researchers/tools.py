"""The one tool set every researcher kind uses (the LLM kinds through `Toolbox.call`).

Each `tool_*` method returns a typed record (the hub's response models, `CommandOutput`,
`MethodRun`, `Unpacked`) or plain text; the built-in researcher and the hackers read the
records' fields. `render` turns a record into the text an LLM reads, in one place: `call`.

Commands run in the researcher's sandbox; file, notebook and snapshot access happen on the
host but are confined to the workspace (see `workspace.py`); the hub is reached with the
researcher's own token only. Researcher-caused failures raise `ToolError` (returned to the
model as an error result); anything else propagates and ends the session.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from aarlab.hub.schemas import Leaderboard, PostDetail, PostOut, SnapshotOut, SubmissionResult
from aarlab.researchers.errors import ToolError
from aarlab.researchers.hub_api import HubAPI, hub_errors_to_tool_errors
from aarlab.researchers.messages import ToolCall, ToolResult
from aarlab.researchers.notebook import Notebook
from aarlab.researchers.tool_specs import TOOLS_BY_NAME
from aarlab.researchers.workspace import pack_dir, read_text, resolve_in, unpack_into, write_text
from aarlab.sandbox.result import CommandResult

MAX_OUTPUT_CHARS = 16_000
MAX_PREDICTIONS_BYTES = 64 * 1024 * 1024


class CommandRunner(Protocol):
    """What the toolbox needs of `aarlab.sandbox.Sandbox`."""

    def run(self, cmd: str | list[str], timeout: float | None = None,
            env: dict[str, str] | None = None, stdin: str | None = None) -> CommandResult: ...


class Slots(Protocol):
    def slot(self) -> AbstractContextManager[Any]: ...


class CommandOutput(BaseModel):
    """A sandboxed command's outcome (a failing command is a result, not an error)."""

    exit_code: int
    timed_out: bool = False
    quota_exceeded: bool = False
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @classmethod
    def of(cls, r: CommandResult) -> CommandOutput:
        return cls(exit_code=r.exit_code, timed_out=r.timed_out, quota_exceeded=r.quota_exceeded,
                   stdout=r.stdout, stderr=r.stderr)

    def text(self) -> str:
        head = f"exit_code: {self.exit_code}" + (" (timed out)" if self.timed_out else "")
        head += " (workspace quota exceeded)" if self.quota_exceeded else ""
        half = MAX_OUTPUT_CHARS // 2
        return f"{head}\nstdout:\n{clip(self.stdout, half)}\nstderr:\n{clip(self.stderr, half)}"


class MethodRun(BaseModel):
    """`run_method`'s diagnostics (label-free: nothing here comes from test labels)."""

    model_config = ConfigDict(extra="allow")  # diagnostics a later runmethod adds pass through

    n_test: int
    seeds: list[int]
    seconds: float = 0.0
    positive_rate: float | None = None
    weak_agreement_test: float | None = None
    seed_agreement: float = 1.0
    holdout_weak_agreement: float | None = None
    predictions: str = Field(description="workspace path of the mean predictions (.npy)")

    def text(self) -> str:
        return self.model_dump_json(exclude={"predictions"}) + f"\npredictions: {self.predictions}"


class SnapshotUploaded(SnapshotOut):
    """The hub's answer to an upload, plus a note when the code is already another's result."""

    note: str | None = None


class Submitted(SubmissionResult):
    """The hub's score, plus the snapshot this submission recorded (the code it is bound to)."""

    snapshot_id: str | None = None


class Unpacked(BaseModel):
    dest: str
    files: list[str]

    def text(self) -> str:
        return f"unpacked {len(self.files)} files into {self.dest}: {self.files[:50]}"


ToolOutput = str | BaseModel | list[PostOut]


def render(out: ToolOutput) -> str:
    """The text an LLM reads for a tool's record: serialised here and nowhere else."""
    if isinstance(out, str):
        return out
    if isinstance(out, CommandOutput | MethodRun | Unpacked):
        return out.text()
    if isinstance(out, list):
        return json.dumps([p.model_dump(mode="json") for p in out])
    return out.model_dump_json()


def clip(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head and the tail of a long output (errors live at the end)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters omitted ...]\n{text[-half:]}"


class Toolbox:
    def __init__(self, sandbox: CommandRunner, hub: HubAPI, workspace: Path, dataset: str,
                 notebook: Path, researcher: str, *, bundle_path: str = "/bundle",
                 python: str = sys.executable, slots: Slots | None = None,
                 seed_salt: str | None = None) -> None:
        self.sandbox = sandbox
        self.hub = hub
        self.workspace = Path(workspace)
        self.dataset = dataset
        self.notebook = Notebook(notebook, researcher)
        self.researcher = researcher
        self.bundle_path = bundle_path  # where the bundle is as the sandbox sees it
        self.python = python
        self.slots = slots
        # the secret that keys the seeds a method is given (never inside the sandbox); stable
        # per researcher when the caller passes one, so that experiments reproduce
        self.seed_salt = seed_salt or secrets.token_hex(16)
        # what the status file and the outcome report
        self.experiments = 0
        self.submissions = 0
        self.submissions_left: int | None = None
        self.best_public_pgr: float | None = None
        self.finished = False
        self.summary = ""

    # ------------------------------------------------------------------ dispatch
    def call(self, tc: ToolCall) -> ToolResult:
        """Run one tool call. ToolError -> an error result; other exceptions propagate."""
        try:
            if tc.parse_error is not None:
                raise ToolError(f"the arguments of {tc.name} were not valid JSON: {tc.parse_error}")
            args = self._check_args(tc.name, tc.arguments)
            out: ToolOutput = getattr(self, f"tool_{tc.name}")(**args)
            return ToolResult(call_id=tc.id, name=tc.name, content=clip(render(out)))
        except ToolError as e:
            return ToolResult(call_id=tc.id, name=tc.name, content=clip(str(e)), is_error=True)

    def _check_args(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        spec = TOOLS_BY_NAME.get(name)
        if spec is None:
            raise ToolError(f"no tool {name!r}; tools: {sorted(TOOLS_BY_NAME)}")
        props: dict[str, Any] = spec.parameters["properties"]
        unknown = sorted(set(args) - set(props))
        missing = [k for k in spec.parameters["required"] if args.get(k) is None]
        if unknown or missing:
            raise ToolError(f"{name}: missing {missing}, unexpected {unknown}; parameters: {list(props)}")
        return {k: v for k, v in args.items() if v is not None}

    @contextmanager
    def _slot(self) -> Iterator[None]:
        if self.slots is None:
            yield
        else:
            with self.slots.slot():
                yield

    # ------------------------------------------------------------------ sandbox
    def tool_shell(self, command: str, timeout_s: int | None = None) -> CommandOutput:
        with self._slot():
            r = self.sandbox.run(command, timeout=timeout_s)
        return CommandOutput.of(r)

    def tool_read_file(self, path: str) -> str:
        return read_text(self.workspace, path)

    def tool_write_file(self, path: str, content: str) -> str:
        write_text(self.workspace, path, content)
        return f"wrote {len(content.encode())} bytes to {path}"

    def tool_run_method(self, method_dir: str, seeds: list[int] | None = None,
                        holdout: float = 0.2) -> MethodRun:
        d = resolve_in(self.workspace, method_dir)
        if not (d / "method.py").is_file():
            raise ToolError(f"{method_dir!r} has no method.py; write one with fit_predict(bundle, seed)")
        seeds = [int(s) for s in (seeds or [0, 1, 2])]
        if not 1 <= len(seeds) <= 10:
            raise ToolError("give between 1 and 10 seeds")
        rel = d.relative_to(self.workspace.resolve()).as_posix() or "."
        cmd = [self.python, "-m", "aarlab.w2s.runmethod", rel, "--bundle", self.bundle_path,
               "--seeds-stdin", "--out", f"{rel}/predictions.npy", "--holdout", str(float(holdout))]
        req = json.dumps({"seeds": seeds, "salt": self.seed_salt})  # on stdin: not on the command line
        with self._slot():
            r = self.sandbox.run(cmd, stdin=req + "\n")
        diag = _last_json_line(r.stdout)
        if not r.ok or diag is None or "error" in diag:
            raise ToolError("run_method failed:\n" + CommandOutput.of(r).text())
        try:
            # the runner reports the keyed seeds the method got; the researcher asked for these
            run = MethodRun.model_validate({**diag, "seeds": seeds, "predictions": f"{rel}/predictions.npy"})
        except ValueError as e:  # the method printed a JSON line of its own last
            raise ToolError(f"run_method: unreadable diagnostics {diag!r}: {e}") from e
        self.experiments += 1
        return run

    # ------------------------------------------------------------------ hub
    def tool_submit(self, predictions_path: str, snapshot_id: str | None = None,
                    note: str | None = None) -> Submitted:
        path = resolve_in(self.workspace, predictions_path)
        preds = load_predictions(path)
        if snapshot_id is None and (path.parent / "method.py").is_file():
            # the runner's own output: bind the submission to the code that produced it
            snapshot_id = self.tool_snapshot_upload(path.parent.relative_to(self.workspace.resolve())
                                                    .as_posix() or ".").id
        with hub_errors_to_tool_errors():
            out = self.hub.submit(self.dataset, preds, snapshot_id=snapshot_id, note=note or "")
        self.submissions += 1
        self.submissions_left = out.budget_left.total
        pgr = out.public.pgr
        if pgr is not None and (self.best_public_pgr is None or pgr > self.best_public_pgr):
            self.best_public_pgr = float(pgr)
        return Submitted(**out.model_dump(), snapshot_id=snapshot_id)

    def tool_forum_post(self, kind: str, title: str, body: str, tags: list[str] | None = None,
                        snapshot_id: str | None = None, submission_id: str | None = None) -> PostOut:
        if kind == "result" and not (snapshot_id and submission_id):
            raise ToolError("a result post needs snapshot_id (snapshot_upload) and submission_id (submit)")
        with hub_errors_to_tool_errors():
            return self.hub.create_post(kind, title, body, tags or [], snapshot_id=snapshot_id,
                                        submission_id=submission_id)

    def tool_forum_search(self, q: str | None = None, kind: str | None = None,
                          tag: str | None = None, author: str | None = None) -> list[PostOut]:
        with hub_errors_to_tool_errors():
            return list(self.hub.posts(q=q, kind=kind, tag=tag, author=author))

    def tool_forum_read(self, post_id: str) -> PostDetail:
        with hub_errors_to_tool_errors():
            return self.hub.post(post_id)

    def tool_snapshot_upload(self, dir: str) -> SnapshotUploaded:
        data = pack_dir(self.workspace, dir)
        with hub_errors_to_tool_errors():
            out = self.hub.upload_snapshot(data)
        return SnapshotUploaded(**out.model_dump(), note=already_posted(out, self.researcher))

    def tool_snapshot_download(self, snapshot_id: str, dest: str) -> Unpacked:
        with hub_errors_to_tool_errors():
            data = self.hub.download_snapshot(snapshot_id)
        return Unpacked(dest=dest, files=unpack_into(self.workspace, dest, data))

    def tool_leaderboard(self) -> Leaderboard:
        with hub_errors_to_tool_errors():
            return self.hub.leaderboard(self.dataset)

    # ------------------------------------------------------------------ notebook, end
    def tool_notebook_append(self, kind: str, text: str) -> str:
        e = self.notebook.append(kind, text)
        return f"noted ({e.kind})"

    def tool_notebook_read(self) -> str:
        return self.notebook.render()

    def tool_finish(self, summary: str) -> str:
        self.finished = True
        self.summary = summary
        return "session finished"


def already_posted(upload: SnapshotOut, me: str) -> str | None:
    """What to tell a researcher whose uploaded code is already another's result on the forum."""
    theirs = [u for u in upload.results if u.author != me]
    if not theirs:
        return None
    who = ", ".join(dict.fromkeys(f"{u.author} (post {u.post_id})" for u in theirs))
    return (f"this code is already on the forum as a result posted by {who}; a result post of "
            "it would say nothing new: comment on that post, or change the code")


def _last_json_line(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            v = json.loads(line)
        except ValueError:
            continue
        return v if isinstance(v, dict) else None
    return None


def load_predictions(path: Path) -> list[float]:
    """P(label 1) per test item from a .npy or .json file; ToolError on anything odd."""
    if not path.is_file() or path.is_symlink():
        raise ToolError(f"no predictions file at {path.name!r}")
    if path.stat().st_size > MAX_PREDICTIONS_BYTES:
        raise ToolError("predictions file too large")
    try:
        if path.suffix == ".npy":
            arr = np.load(path, allow_pickle=False)
        elif path.suffix == ".json":
            arr = np.asarray(json.loads(path.read_text()), dtype=np.float64)
        else:
            raise ToolError("predictions must be a .npy or .json file")
        arr = np.asarray(arr, dtype=np.float64)
    except (ValueError, TypeError, OSError) as e:
        raise ToolError(f"could not read predictions: {e}") from e
    if arr.ndim != 1 or not np.all(np.isfinite(arr)) or arr.min(initial=0) < 0 or arr.max(initial=0) > 1:
        raise ToolError("predictions must be a 1-D array of probabilities in [0, 1], one per test item")
    return [float(x) for x in arr]
