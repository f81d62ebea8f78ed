"""`aarlab run`: the main job."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from aarlab.cli import app
from aarlab.commands import checks
from aarlab.errors import UserError

MIN_ITEMS = 20  # RunConfig's floor


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
    from pydantic import ValidationError
    from rich.console import Console

    from aarlab.run.config import RunConfig, parse_team
    from aarlab.rundir import RunPaths

    if resume is not None:
        config = RunPaths(checks.run_dir(resume)).config
        checks.readable_file("--resume", config, f"{resume} holds no run to resume; start one "
                             "with `aarlab run --run-dir DIR`")
        try:
            RunConfig.model_validate_json(config.read_text())
        except ValidationError as e:
            raise UserError(f"--resume: {config} is not a run config ({e.errors()[0]['msg']}); "
                            "restore it, or start a new run") from e
        cfg, target = RunConfig(), resume
    else:
        for option, value in (("--team", team), ("--submissions", submissions),
                              ("--submissions-per-hour", submissions_per_hour),
                              ("--parallel", parallel), ("--budget-tokens", budget_tokens)):
            checks.at_least(option, value, 1)
        checks.positive("--minutes", minutes)
        checks.positive("--budget-usd", budget_usd)
        checks.at_least("--max-items", max_items, MIN_ITEMS)
        checks.at_least("--seed", seed, 0)
        if run_dir is not None and RunPaths(run_dir).config.exists():
            raise UserError(f"{run_dir} already holds a run: continue it with --resume {run_dir}, "
                            "or pass a new --run-dir")
        checks.datasets(dataset)
        from aarlab.researchers.kinds import build_researcher

        entries = parse_team(researcher or [], team)  # SpecError: a malformed --researcher
        for entry in entries:
            build_researcher(entry.spec)  # an unknown kind fails here, not in a worker
        try:
            cfg = RunConfig(
                dataset=dataset, max_items=max_items, team=entries, minutes=minutes, budget_usd=budget_usd, budget_tokens=budget_tokens,
                submissions_total=submissions, submissions_per_hour=submissions_per_hour,
                parallel=parallel or os.cpu_count() or 1, sandbox="none" if unsafe_no_sandbox else "bwrap",
                undirected=undirected, base_url=base_url, seed=seed, verify=verify,
            )
        except ValidationError as e:
            err = e.errors()[0]
            raise UserError(f"bad run options: {err['loc'][0]}: {err['msg']}") from e
        target = run_dir or new_run_dir()

    from aarlab.run.orchestrator import Orchestrator

    console = Console(width=None if sys.stdout.isatty() else 160)  # logs: tables not squashed to 80
    # SandboxUnavailable (a UserError) says how to install bubblewrap; it is raised before the
    # run directory is written
    summary = Orchestrator(cfg, target, console, resume=resume is not None, live=live).run()
    for line in summary.lines():
        print(line)


def new_run_dir() -> Path:
    from aarlab.run.orchestrator import new_run_dir as new

    return new()
