"""A researcher process: `python -m aarlab.researchers.worker CONTEXT_JSON`.

Started by the orchestrator, one per researcher. SIGTERM or SIGINT asks the researcher to stop
at its next step; its outcome is written next to its context as `outcome.json`. Exit codes:
0 finished or stopped, 1 crashed (the orchestrator restarts it, bounded). If the orchestrator
dies, the worker is asked to stop the same way and SIGKILLed with its process group a few
seconds later, stuck or not (`aarlab.lifeline`).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from aarlab.lifeline import bind_to_parent
from aarlab.researchers.base import ResearcherContext
from aarlab.researchers.kinds import build_researcher
from aarlab.rundir import ResearcherPaths, atomic_write_text

log = logging.getLogger("aarlab.researcher")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m aarlab.researchers.worker CONTEXT_JSON", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    bind_to_parent()  # a SIGKILLed orchestrator takes its researchers with it
    ctx_path = Path(args[0])
    ctx = ResearcherContext.model_validate_json(ctx_path.read_text())
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {ctx.name} %(levelname)s %(message)s")
    researcher = build_researcher(ctx.spec)
    log.info("starting %s (%s)", ctx.name, ctx.spec)
    outcome = researcher.run(ctx, stop.is_set)
    atomic_write_text(ResearcherPaths(ctx_path.parent).outcome, outcome.model_dump_json(indent=2))
    log.info("done: %s", outcome.reason)
    return 0


if __name__ == "__main__":
    sys.exit(main())
