"""`aarlab hub`: serve the research hub for a run directory."""

from __future__ import annotations

from pathlib import Path

import typer

from aarlab.cli import app
from aarlab.commands import checks
from aarlab.errors import UserError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")  # uvicorn's


def _parse_task(raw: str) -> tuple[str, Path]:
    name, sep, key_dir = raw.partition("=")
    if not sep or not name or not key_dir:
        raise UserError(f"--task {raw!r}: expected DATASET=KEY_DIR (the answer_key: line of "
                        "`aarlab prepare`)")
    path = Path(key_dir).resolve()
    checks.readable_dir(f"--task {name}", path, f"pass the answer_key: directory that "
                        f"`aarlab prepare --dataset {name}` printed")
    return name, path


@app.command("hub")
def hub(
    run_dir: Path = typer.Option(..., "--run-dir", help="holds hub.json, hub.db and admin_token"),
    task: list[str] = typer.Option([], "--task", help="DATASET=KEY_DIR (repeatable)"),
    host: str = typer.Option("127.0.0.1", help="TCP address (loopback by default)"),
    port: int | None = typer.Option(None, help="TCP port (default 8000 unless --uds is given)"),
    uds: Path | None = typer.Option(None, help="also (or only) listen on this Unix socket"),
    budget_total: int | None = typer.Option(None, help="scored submissions per researcher/dataset"),
    budget_per_hour: int | None = typer.Option(None, help="scored submissions per sliding hour"),
    log_level: str = typer.Option("info"),
) -> None:
    """Serve scoring (Ladder), forum, code store and audit log. Settings in `<run-dir>/hub.json`
    are kept across restarts; options given here update them."""
    from pydantic import ValidationError

    from aarlab.hub.config import HubConfig
    from aarlab.rundir import RunPaths

    checks.at_least("--port", port, 0)
    if port is not None and port > 65535:
        raise UserError(f"--port must be at most 65535; got {port}")
    checks.at_least("--budget-total", budget_total, 0)
    checks.at_least("--budget-per-hour", budget_per_hour, 0)
    checks.one_of("--log-level", log_level, LOG_LEVELS)
    if run_dir.exists() and not run_dir.is_dir():
        raise UserError(f"--run-dir {run_dir} is a file: pass a directory (it is created if missing)")
    path = RunPaths(run_dir).hub_config
    try:
        cfg = HubConfig.load(run_dir) if path.exists() else HubConfig()
    except (OSError, ValidationError) as e:
        raise UserError(f"cannot read {path}: {e}; fix the file or delete it to start from the "
                        "defaults") from e
    tasks = dict(cfg.tasks)
    tasks.update(_parse_task(t) for t in task)
    budgets = cfg.budgets.model_copy(update={
        k: v for k, v in {"total": budget_total, "per_hour": budget_per_hour}.items() if v is not None})
    try:
        cfg = HubConfig.model_validate({**cfg.model_dump(), "tasks": tasks, "budgets": budgets.model_dump()})
    except ValidationError as e:
        raise UserError(f"bad hub options: {e.errors()[0]['msg']}") from e
    if not cfg.tasks:
        raise UserError(f"no task to score: pass --task DATASET=KEY_DIR (or list tasks in {path})")

    from aarlab.hub.server import serve
    from aarlab.lifeline import bind_to_parent

    bind_to_parent()  # started by `aarlab run`: end with it
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg.save(run_dir)
    serve(cfg, run_dir.resolve(), host=host, port=8000 if port is None and uds is None else port,
          uds=uds, log_level=log_level)
