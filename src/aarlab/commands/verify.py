"""`aarlab verify RUN_DIR` and `aarlab report RUN_DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aarlab.cli import app

RunDir = Annotated[Path, typer.Argument(help="the run directory", exists=True, file_okay=False)]


@app.command("verify")
def verify_cmd(
    run_dir: RunDir,
    seeds: Annotated[int | None, typer.Option(help="fresh seeds (1000..1000+N-1)")] = None,
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
    from aarlab.oversight import config_for_run, print_summary, verify_run

    cfg = config_for_run(run_dir, seeds=list(range(1000, 1000 + seeds)) if seeds else None,
                         top_k=top_k, heldout=heldout or None, sandbox=sandbox, timeout_s=timeout,
                         baselines=baseline or None)
    cfg.prepare_heldout, cfg.push = prepare, push
    try:
        report = verify_run(run_dir, cfg)
    except FileNotFoundError as e:  # no hub database, no prepared task: the user can fix it
        print(f"error: {e}")
        raise typer.Exit(2) from e
    print(f"verification_json: {run_dir / 'verification' / 'verification.json'}")
    print_summary(report)


@app.command("report")
def report_cmd(run_dir: RunDir) -> None:
    """Write report.md and a self-contained report.html into the run directory."""
    from aarlab.oversight import write_report

    try:
        md, html = write_report(run_dir)
    except FileNotFoundError as e:
        print(f"error: {e}")
        raise typer.Exit(2) from e
    print(f"report_md: {md}")
    print(f"report_html: {html}")
