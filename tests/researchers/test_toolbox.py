"""The shared tool set, on a real (unsafe-mode) sandbox and the synthetic bundle."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from researcher_helpers import ADMIN_TOKEN, METHOD

from aarlab.hub import HubClient, HubError
from aarlab.researchers.messages import ToolCall, ToolResult
from aarlab.researchers.tool_specs import TOOL_SPECS
from aarlab.researchers.tools import Toolbox


def call(tb: Toolbox, name: str, **args: Any) -> ToolResult:
    return tb.call(ToolCall(id="c1", name=name, arguments=args))


def test_every_spec_has_a_tool(toolbox: Toolbox) -> None:
    for spec in TOOL_SPECS:
        assert callable(getattr(toolbox, f"tool_{spec.name}"))
        assert spec.anthropic()["input_schema"]["type"] == "object"
        assert spec.openai()["function"]["name"] == spec.name


def test_write_read_and_shell(toolbox: Toolbox) -> None:
    assert not call(toolbox, "write_file", path="m/notes.txt", content="hello").is_error
    assert call(toolbox, "read_file", path="m/notes.txt").content == "hello"
    r = call(toolbox, "shell", command="cat m/notes.txt; echo oops >&2; exit 3")
    assert not r.is_error and "exit_code: 3" in r.content and "hello" in r.content and "oops" in r.content


@pytest.mark.parametrize("path", ["../escape.txt", "/etc/passwd", "a/../../x", "link/secret"])
def test_paths_cannot_leave_the_workspace(toolbox: Toolbox, tmp_path: Path, path: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("labels")
    call(toolbox, "shell", command=f"ln -s {outside} link")  # planted from inside the sandbox
    for r in (call(toolbox, "read_file", path=path), call(toolbox, "write_file", path=path, content="x")):
        assert r.is_error and "workspace" in r.content
    assert (outside / "secret").read_text() == "labels"
    assert call(toolbox, "snapshot_upload", dir="link").is_error


def test_run_method_and_submit(toolbox: Toolbox, hub: HubClient) -> None:
    call(toolbox, "write_file", path="m1/method.py", content=METHOD)
    r = call(toolbox, "run_method", method_dir="m1", seeds=[0, 1])
    assert not r.is_error, r.content
    diag = json.loads(r.content.splitlines()[0])
    assert diag["seeds"] == [0, 1] and 0 <= diag["weak_agreement_test"] <= 1
    assert "holdout_weak_agreement" in diag and toolbox.experiments == 1
    r = call(toolbox, "submit", predictions_path="m1/predictions.npy", note="centroid")
    assert not r.is_error, r.content
    assert json.loads(r.content)["public"]["pgr"] is not None
    assert toolbox.submissions == 1 and toolbox.submissions_left == 4 and toolbox.best_public_pgr is not None
    sub = hub.submissions()[0]
    assert sub.note == "centroid"
    # the runner's output is bound to the code that produced it: its snapshot was uploaded
    assert sub.snapshot_id == json.loads(call(toolbox, "snapshot_upload", dir="m1").content)["id"]


def test_a_method_cannot_reach_the_hub_the_shell_can(toolbox: Toolbox, hub_server: Any) -> None:
    """The researcher's shell talks to the hub; its method, measured by run_method, cannot."""
    probe = f"import urllib.request; print(urllib.request.urlopen('{hub_server.url}/healthz').status)"
    shell = call(toolbox, "shell", command=f'python -c "{probe}"')
    assert not shell.is_error and "stdout:\n200" in shell.content, shell.content
    call(toolbox, "write_file", path="leak/method.py", content=(
        f"import numpy as np\ndef fit_predict(bundle, seed):\n    {probe}\n"
        "    return np.asarray(bundle.weak_soft('test'))\n"))
    r = call(toolbox, "run_method", method_dir="leak", seeds=[0])
    assert r.is_error and "methods may not start processes or open sockets" in r.content, r.content


def test_researcher_errors_come_back_as_error_results(toolbox: Toolbox, hub: HubClient) -> None:
    call(toolbox, "write_file", path="bad/method.py", content="def fit_predict(bundle, seed):\n    return 1/0\n")
    r = call(toolbox, "run_method", method_dir="bad", seeds=[0])
    assert r.is_error and "ZeroDivisionError" in r.content
    assert call(toolbox, "run_method", method_dir="nothing").is_error
    assert call(toolbox, "no_such_tool").is_error
    assert call(toolbox, "write_file", path="x").is_error  # missing content
    assert toolbox.call(ToolCall(id="c", name="shell", parse_error="Expecting value")).is_error
    np.save(Path(toolbox.workspace) / "short.npy", np.zeros(3))
    r = call(toolbox, "submit", predictions_path="short.npy")
    assert r.is_error and "hub refused (4" in r.content  # the hub's 4xx, handed back
    (Path(toolbox.workspace) / "p.json").write_text("[2.0, 0.5]")
    assert call(toolbox, "submit", predictions_path="p.json").is_error
    assert call(toolbox, "forum_post", kind="result", title="t", body="b").is_error  # no ids


def test_system_errors_raise(toolbox: Toolbox, hub_server: Any) -> None:
    toolbox.hub = HubClient(hub_server.url, token="not-a-token")  # our token is wrong: 401
    with pytest.raises(HubError) as e:
        call(toolbox, "forum_post", kind="insight", title="t", body="b")
    assert e.value.status == 401
    toolbox.hub = HubClient("http://127.0.0.1:9", token="x")  # the hub is gone
    with pytest.raises(httpx.ConnectError):
        call(toolbox, "leaderboard")


def test_snapshots_round_trip(toolbox: Toolbox) -> None:
    call(toolbox, "write_file", path="m1/method.py", content=METHOD)
    call(toolbox, "write_file", path="m1/sub/util.py", content="X = 1\n")
    call(toolbox, "shell", command="ln -s /etc/passwd m1/pw")
    sid = json.loads(call(toolbox, "snapshot_upload", dir="m1").content)["id"]
    r = call(toolbox, "snapshot_download", snapshot_id=sid, dest="copy")
    assert not r.is_error, r.content
    ws = Path(toolbox.workspace)
    assert (ws / "copy/method.py").read_text() == METHOD and (ws / "copy/sub/util.py").exists()
    assert not (ws / "copy/pw").exists()  # symlinks are never packed
    assert call(toolbox, "snapshot_download", snapshot_id="nope", dest="x").is_error


def test_told_when_the_code_is_already_on_the_forum_and_by_whom(
        toolbox: Toolbox, hub_server: Any, tmp_path: Path) -> None:
    with HubClient(hub_server.url, token=ADMIN_TOKEN) as admin:
        bob = HubClient(hub_server.url, token=admin.create_researcher("bob").token)
    theirs = tmp_path / "bob-m1"  # bob wrote the same method, on his own, at another time
    theirs.mkdir()
    (theirs / "method.py").write_text(METHOD)
    os.utime(theirs / "method.py", (1, 1))
    snap = bob.upload_directory(theirs)
    n_test = bob.task("synthetic").n_test
    sub = bob.submit("synthetic", [0.5] * n_test, snapshot_id=snap.id)
    post = bob.create_post("result", "centroid", snapshot_id=snap.id, submission_id=sub.id)

    call(toolbox, "write_file", path="m1/method.py", content=METHOD)
    up = json.loads(call(toolbox, "snapshot_upload", dir="m1").content)
    assert up["id"] == snap.id and up["already_stored"] and up["uploaded_by"] == "bob"
    assert "bob" in up["note"] and post.id in up["note"]
    (Path(toolbox.workspace) / "m1/p.json").write_text(json.dumps([0.5] * n_test))
    mine = json.loads(call(toolbox, "submit", predictions_path="m1/p.json", snapshot_id=up["id"]).content)
    r = call(toolbox, "forum_post", kind="result", title="centroid", body="b",
             snapshot_id=up["id"], submission_id=mine["id"])
    assert r.is_error and "bob" in r.content and post.id in r.content
    bob.close()


def test_notebook_survives_a_new_toolbox(toolbox: Toolbox, sandbox: Any, hub: HubClient, rdir: Path) -> None:
    call(toolbox, "notebook_append", kind="hypothesis", text="reweighting helps")
    assert call(toolbox, "notebook_append", kind="musing", text="x").is_error
    again = Toolbox(sandbox, hub, rdir / "workspace", "synthetic", rdir / "notebook.jsonl", "anthropic-1")
    assert "hypothesis: reweighting helps" in call(again, "notebook_read").content


def test_forum_and_finish(toolbox: Toolbox) -> None:
    pid = json.loads(call(toolbox, "forum_post", kind="insight", title="kNN", body="helps", tags=["knn"]).content)["id"]
    assert pid in call(toolbox, "forum_search", tag="knn").content
    assert "helps" in call(toolbox, "forum_read", post_id=pid).content
    assert not call(toolbox, "leaderboard").is_error
    call(toolbox, "finish", summary="done")
    assert toolbox.finished and toolbox.summary == "done"
