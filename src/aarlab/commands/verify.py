"""`aarlab verify RUN_DIR` and `aarlab report RUN_DIR`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from aarlab.cli import app
from aarlab.commands import checks
from aarlab.errors import UserError
from aarlab.rundir import RunPaths

RunDir = Annotated[Path, typer.Argument(help="the run directory", metavar="RUN_DIR")]


def _run_config(run_dir: Path) -> None:
    """The run's config.json, when there is one, is readable JSON (verification reads it)."""
    path = RunPaths(run_dir).config
    if not path.exists():
        return
    try:
        json.loads(checks.readable_file("RUN_DIR", path, "").read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{path} is not valid JSON ({e}); restore the run's config") from e


@app.command("verify")
def verify_cmd(
    run_dir: RunDir,
    seeds: Annotated[int | None, typer.Option(help="number of fresh seeds")] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", help="best results run on held-out datasets")] = None,
    heldout: Annotated[list[str] | None, typer.Option("--heldout", help="held-out dataset (repeatable)")] = None,
    prepare: Annotated[bool, typer.Option("--prepare/--no-prepare", help="prepare missing held-out datasets")] = False,
    sandbox: Annotated[str | None, typer.Option(help="bwrap | none (NO isolation)")] = None,
    timeout: Annotated[float | None, typer.Option(help="seconds per re-run")] = None,
    baseline: Annotated[list[str] | None, typer.Option("--baseline", help="baselines on held-out datasets")] = None,
    push: Annotated[bool, typer.Option("--push/--no-push", help="write the hub's verified column")] = True,
) -> None:
    """Re-run every claimed result on fresh seeds and the private split, audit for reward hacks,
    test transfer to held-out datasets; ends with greppable lines."""
    checks.run_dir(run_dir)
    _run_config(run_dir)
    checks.at_least("--seeds", seeds, 1)
    checks.at_least("--top-k", top_k, 0)
    checks.positive("--timeout", timeout)
    checks.sandbox(sandbox)
    checks.datasets(*(heldout or []))
    checks.methods(*(baseline or []))
    from aarlab.oversight import config_for_run, print_summary, verify_run

    cfg = config_for_run(run_dir, n_seeds=seeds,
                         top_k=top_k, heldout=heldout or None, sandbox=sandbox, timeout_s=timeout,
                         baselines=baseline or None)
    cfg.prepare_heldout, cfg.push = prepare, push
    report = verify_run(run_dir, cfg)  # no hub database, no prepared task: RunDataMissing
    print(f"verification_json: {RunPaths(run_dir).verification_report}")
    print_summary(report)


@app.command("report")
def report_cmd(run_dir: RunDir) -> None:
    """Write report.md and a self-contained report.html into the run directory."""
    checks.run_dir(run_dir)
    from aarlab.oversight import write_report

    md, html = write_report(run_dir)  # no verification yet: RunDataMissing says to run verify
    print(f"report_md: {md}")
    print(f"report_html: {html}")
