"""The orchestrator's contract: `python -m aarlab.researchers.worker CONTEXT_JSON` runs an LLM
researcher in its own process (the fake server's URL and a key come from the environment)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from fake_llm import FakeLLM, Turn

from aarlab.researchers.base import ResearcherContext, ResearcherOutcome


def test_worker_process_runs_an_openai_researcher(fake_llm: FakeLLM,
                                                  make_ctx: Callable[..., ResearcherContext]) -> None:
    ctx = make_ctx("openai:qwen3-32b").model_copy(update={"base_url": f"{fake_llm.url}/v1"})
    ctx_file = ctx.transcript.parent / "context.json"
    ctx_file.write_text(ctx.model_dump_json())
    fake_llm.script = [Turn(calls=[("notebook_append", {"kind": "hypothesis", "text": "h"})]),
                       Turn(calls=[("finish", {"summary": "done"})])]
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    p = subprocess.run([sys.executable, "-m", "aarlab.researchers.worker", str(ctx_file)],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = ResearcherOutcome.model_validate_json((ctx_file.parent / "outcome.json").read_text())
    assert out.finished and out.usd == 0.0 and out.tokens_in == 200  # a local model costs nothing
    assert fake_llm.requests[0]["model"] == "qwen3-32b"
