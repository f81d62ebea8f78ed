"""`aarlab hub`: serve the research hub for a run directory."""

from __future__ import annotations

from pathlib import Path

import typer

from aarlab.cli import app
from aarlab.hub.config import HUB_CONFIG_FILE, HubConfig


def _parse_task(raw: str) -> tuple[str, Path]:
    name, sep, key_dir = raw.partition("=")
    if not sep or not name or not key_dir:
        raise typer.BadParameter(f"--task {raw!r}: expected DATASET=KEY_DIR")
    return name, Path(key_dir).resolve()


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
    from aarlab.hub.server import serve
    from aarlab.lifeline import bind_to_parent

    bind_to_parent()  # started by `aarlab run`: end with it

    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / HUB_CONFIG_FILE
    cfg = HubConfig.load(run_dir) if path.exists() else HubConfig()
    tasks = dict(cfg.tasks)
    tasks.update(_parse_task(t) for t in task)
    budgets = cfg.budgets.model_copy(update={
        k: v for k, v in {"total": budget_total, "per_hour": budget_per_hour}.items() if v is not None})
    cfg = HubConfig.model_validate({**cfg.model_dump(), "tasks": tasks, "budgets": budgets.model_dump()})
    if not cfg.tasks:
        raise typer.BadParameter("no task to score: pass --task DATASET=KEY_DIR (or list tasks in "
                                 f"{path})")
    cfg.save(run_dir)
    serve(cfg, run_dir.resolve(), host=host, port=8000 if port is None and uds is None else port,
          uds=uds, log_level=log_level)
