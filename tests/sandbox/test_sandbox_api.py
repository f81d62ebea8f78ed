"""The sandbox contract around the escape suite: refusing loudly, the unsafe mode, records."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sandbox_lab import Lab, require_bwrap, spec_for

from aarlab.sandbox import (
    SANDBOXES,
    BwrapSandbox,
    Sandbox,
    SandboxSpec,
    SandboxUnavailable,
    UnsafeLocalSandbox,
    make_sandbox,
)


def test_missing_bwrap_refuses_with_instructions(lab: Lab) -> None:
    spec = spec_for(lab, bwrap_path=Path("/nonexistent/bwrap"))
    with pytest.raises(SandboxUnavailable) as info:
        make_sandbox("bwrap", spec)
    message = str(info.value)
    assert "apt-get install bubblewrap" in message and "--unsafe-no-sandbox" in message


def test_unusable_bwrap_refuses(lab: Lab, tmp_path: Path) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(SandboxUnavailable, match="No permissions to create new namespace"):
        BwrapSandbox(spec_for(lab, bwrap_path=fake))


def test_unsafe_sandbox_runs_and_warns(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        sb = make_sandbox("none", spec_for(lab))
    try:
        assert isinstance(sb, UnsafeLocalSandbox) and isinstance(sb, Sandbox)
        assert not sb.isolated
        assert sb.warning is not None and "NOT a security boundary" in sb.warning
        assert "NOT a security boundary" in caplog.text
        r = sb.run("pwd; echo $AARLAB_BUNDLE", timeout=10)
        assert r.exit_code == 0
        assert r.stdout.split() == [str(lab.workspace_a), str(lab.bundle)]
        # Same audit record as the real sandbox (and here the read succeeds: no isolation).
        r = sb.run(["python", "-c", f"open({str(lab.key)!r}, 'rb').read()"])
        assert r.exit_code == 0
        assert any(e.detail.get("path") == str(lab.key) for e in r.audit_events)
        # Its own workspace and bundle lie under the sensitive project here: no record for
        # them, but a sibling workspace in the same tree is still recorded.
        (lab.workspace_a / "own.txt").write_text("mine")
        own = [str(lab.workspace_a / "own.txt"), *(str(p) for p in lab.bundle.rglob("*") if p.is_file())]
        r = sb.run(["python", "-c", f"for p in {own!r}: open(p, 'rb').read()"])
        assert r.exit_code == 0 and len(own) > 1
        assert [e for e in r.audit_events if e.event == "open"] == []
        r = sb.run(["python", "-c", f"import os; os.listdir({str(lab.workspace_b)!r}); open({str(lab.workspace_b / 'x')!r}, 'w')"])
        assert any(str(lab.workspace_b) in str(e.detail.get("path")) for e in r.audit_events)
        assert sb.run("sleep 10", timeout=0.5).timed_out
    finally:
        sb.close()


def test_registry_and_unknown_kind(lab: Lab) -> None:
    assert {"bwrap": BwrapSandbox, "none": UnsafeLocalSandbox} == SANDBOXES
    with pytest.raises(ValueError, match="unknown sandbox kind"):
        make_sandbox("docker", spec_for(lab))


def test_spec_refuses_to_bind_the_project(lab: Lab) -> None:
    with pytest.raises(ValueError, match="would expose"):
        spec_for(lab, ro_binds=[lab.project])


def test_spec_round_trips_as_json(lab: Lab) -> None:
    spec = spec_for(lab)
    again = SandboxSpec.model_validate_json(spec.model_dump_json())
    assert again == spec and json.loads(spec.model_dump_json())["schema_version"] == 1


def test_hidden_paths_are_empty_inside(lab: Lab) -> None:
    require_bwrap()
    venv = spec_for(lab).python_paths[0]
    hidden = next((venv / "lib").glob("python3*/site-packages"))
    sb = BwrapSandbox(spec_for(lab, hidden_paths=[hidden]))
    try:
        r = sb.run(["ls", "-A", str(hidden)])
        assert r.exit_code == 0 and r.stdout == ""
    finally:
        sb.close()


def test_result_records_are_logged(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = sandbox.run(["python", "-c", "open('/etc/shadow')"])
    assert r.exit_code == 1 and not r.ok
    lines = [json.loads(x) for x in lab.audit_log.read_text().splitlines()]
    assert lines[-1]["detail"]["path"] == "/etc/shadow"
    assert lines[-1]["sandbox"] == "builtin-1" and lines[-1]["command_id"] == r.command_id
