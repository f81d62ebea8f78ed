"""`aarlab run`: the main job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from aarlab.cli import app
from aarlab.researchers.kinds import build_researcher
from aarlab.run.config import RunConfig, parse_team
from aarlab.run.orchestrator import Orchestrator, new_run_dir
from aarlab.sandbox import SandboxUnavailable
from aarlab.w2s.datasets import DatasetError, get_dataset

console = Console(width=None if sys.stdout.isatty() else 160)  # logs: tables not squashed to 80


@app.command("run")
def run_cmd(
    researcher: Annotated[list[str] | None, typer.Option(
        "--researcher", "-r", help="KIND[=COUNT], repeatable: builtin, anthropic:MODEL, openai:MODEL, hacker:KIND")] = None,
    team: Annotated[int | None, typer.Option(help="team size for a single --researcher kind")] = None,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="the hill-climbing dataset")] = "tweets",
    max_items: Annotated[int | None, typer.Option(help="use at most this many items of the dataset (quick runs)")] = None,
    minutes: Annotated[float, typer.Option(help="wall-clock budget of the whole run")] = 10.0,
    budget_usd: Annotated[float | None, typer.Option(help="stop when the team has spent this much")] = None,
    budget_tokens: Annotated[int | None, typer.Option(help="stop after this many LLM tokens")] = None,
    submissions: Annotated[int, typer.Option(help="scored submissions per researcher (total)")] = 40,
    submissions_per_hour: Annotated[int, typer.Option(help="scored submissions per researcher per hour")] = 120,
    parallel: Annotated[int | None, typer.Option(help="experiments at once (default: cores)")] = None,
    base_url: Annotated[str | None, typer.Option(help="LLM API base URL (OpenAI-compatible servers)")] = None,
    undirected: Annotated[bool, typer.Option(help="give every researcher the same prompt")] = False,
    unsafe_no_sandbox: Annotated[bool, typer.Option(
        "--unsafe-no-sandbox", help="run researchers' commands with NO isolation (no bubblewrap)")] = False,
    verify: Annotated[bool, typer.Option("--verify/--no-verify", help="verify results at the end")] = True,
    seed: Annotated[int, typer.Option(help="run seed")] = 0,
    run_dir: Annotated[Path | None, typer.Option(help="run directory (default runs/<timestamp>)")] = None,
    resume: Annotated[Path | None, typer.Option(help="continue a killed or stopped run")] = None,
    live: Annotated[bool, typer.Option("--live/--no-live", help="live team view")] = True,
) -> None:
    """Run a team of researchers on a W2S task, then verify and summarise."""
    if resume is not None:
        if not (resume / "config.json").exists():
            console.print(f"[red]error:[/red] {resume} holds no run (no config.json)")
            raise typer.Exit(2)
        make = lambda: Orchestrator(RunConfig(), resume, console, resume=True, live=live)  # noqa: E731
    else:
        try:
            entries = parse_team(researcher or [], team)
            for entry in entries:
                build_researcher(entry.spec)  # an unknown kind fails here, not in a worker
            get_dataset(dataset)
        except (ValueError, DatasetError) as e:
            console.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2) from e
        try:
            cfg = RunConfig(
                dataset=dataset, max_items=max_items, team=entries, minutes=minutes, budget_usd=budget_usd, budget_tokens=budget_tokens,
                submissions_total=submissions, submissions_per_hour=submissions_per_hour,
                parallel=parallel or os.cpu_count() or 1, sandbox="none" if unsafe_no_sandbox else "bwrap",
                undirected=undirected, base_url=base_url, seed=seed, verify=verify,
            )
        except ValidationError as e:
            console.print(f"[red]error:[/red] bad run options: {e.errors()[0]['loc'][0]}: {e.errors()[0]['msg']}")
            raise typer.Exit(2) from e
        target = run_dir or new_run_dir()
        make = lambda: Orchestrator(cfg, target, console, live=live)  # noqa: E731
    try:
        summary = make().run()
    except SandboxUnavailable as e:
        console.print(f"[red]error:[/red] cannot sandbox the researchers: {e}")
        raise typer.Exit(2) from e
    for line in summary.lines():
        print(line)
