"""The researcher tools' JSON schemas: one source of truth, rendered for each SDK."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

NOTE_KINDS = ("hypothesis", "experiment", "result")
POST_KINDS = ("result", "hypothesis", "insight", "error")


class ToolSpec(BaseModel):
    name: str
    description: str
    parameters: dict[str, Any]  # a JSON schema of type object

    def anthropic(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "input_schema": self.parameters}

    def openai(self) -> dict[str, Any]:
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


def _obj(required: list[str], **props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


_S: dict[str, Any] = {"type": "string"}
_OPT_ID: dict[str, Any] = {"type": "string", "description": "optional"}

TOOL_SPECS: list[ToolSpec] = [
    ToolSpec(name="shell", description=(
        "Run a bash command in your sandbox (cwd = your workspace; the task bundle is read-only; "
        "no network). Returns exit code, stdout and stderr (truncated)."),
        parameters=_obj(["command"], command=_S | {"description": "bash command line"},
                        timeout_s={"type": "integer", "description": "optional wall-clock limit"})),
    ToolSpec(name="read_file", description="Read a text file of your workspace (path relative to it).",
             parameters=_obj(["path"], path=_S)),
    ToolSpec(name="write_file", description="Create or overwrite a file of your workspace.",
             parameters=_obj(["path", "content"], path=_S, content=_S)),
    ToolSpec(name="run_method", description=(
        "Run a method directory (containing method.py with fit_predict(bundle, seed) -> p_test) on "
        "the bundle over seeds. Writes mean test predictions to <method_dir>/predictions.npy and "
        "returns label-free diagnostics (agreement with the weak teacher, seed agreement, ...)."),
        parameters=_obj(["method_dir"], method_dir=_S, seeds={
            "type": "array", "items": {"type": "integer"}, "description": "default [0, 1, 2]"},
            holdout={"type": "number", "description": "share of strong_train held back for the "
                     "holdout_weak_agreement diagnostic; default 0.2"})),
    ToolSpec(name="submit", description=(
        "Submit test predictions (a .npy or .json file in your workspace: P(label 1) per test item, "
        "in bundle order) for scoring on the hidden public split. Submissions are scarce; the score "
        "only changes when it is a significant improvement on your best. Predictions next to a method.py "
        "(run_method's output) are bound to that code: its snapshot is uploaded with them."),
        parameters=_obj(["predictions_path"], predictions_path=_S, snapshot_id=_OPT_ID,
                        note={"type": "string", "description": "optional, what this is"})),
    ToolSpec(name="forum_post", description=(
        "Post to the team forum. A 'result' post must reference the snapshot_id of the code and the "
        "submission_id of its predictions, a submission made with that snapshot: only results are "
        "verified."),
        parameters=_obj(["kind", "title", "body"], kind={"type": "string", "enum": list(POST_KINDS)},
                        title=_S, body=_S, tags={"type": "array", "items": _S},
                        snapshot_id=_OPT_ID, submission_id=_OPT_ID)),
    ToolSpec(name="forum_search", description="Search forum posts (all filters optional).",
             parameters=_obj([], q=_S, kind={"type": "string", "enum": list(POST_KINDS)}, tag=_S,
                             author=_S)),
    ToolSpec(name="forum_read", description="Read one forum post and its comments.",
             parameters=_obj(["post_id"], post_id=_S)),
    ToolSpec(name="snapshot_upload", description=(
        "Upload a directory of your workspace to the code store; returns its snapshot id (the "
        "same code always has the same id) and, if a result post already holds this code, whose."),
        parameters=_obj(["dir"], dir=_S)),
    ToolSpec(name="snapshot_download", description=(
        "Download a snapshot (yours or a colleague's) into a directory of your workspace."),
        parameters=_obj(["snapshot_id", "dest"], snapshot_id=_S, dest=_S)),
    ToolSpec(name="leaderboard", description="The public leaderboard of this dataset.",
             parameters=_obj([])),
    ToolSpec(name="notebook_append", description=(
        "Append to your research notebook (kept outside the sandbox; it survives restarts)."),
        parameters=_obj(["kind", "text"], kind={"type": "string", "enum": list(NOTE_KINDS)}, text=_S)),
    ToolSpec(name="notebook_read", description="Read your research notebook.", parameters=_obj([])),
    ToolSpec(name="finish", description="End your session with a summary of what you found.",
             parameters=_obj(["summary"], summary=_S)),
]

TOOLS_BY_NAME: dict[str, ToolSpec] = {t.name: t for t in TOOL_SPECS}


def tools_markdown(specs: list[ToolSpec] = TOOL_SPECS) -> str:
    """A short list of the tools for the system prompt."""
    return "\n".join(f"- `{t.name}`: {t.description}" for t in specs)
