"""The researcher behind every LLM kind: build the tools, the prompt and the loop; resume.

A kind supplies only `make_model(ctx) -> ChatModel`. `run_session` takes its dependencies
ready-made, so tests can drive it with any sandbox, hub and model.
"""

from __future__ import annotations

from collections.abc import Callable

from aarlab.researchers.base import (
    ResearcherContext,
    ResearcherOutcome,
    ResearcherStatus,
    write_status,
)
from aarlab.researchers.budget import Meter
from aarlab.researchers.errors import SpecError
from aarlab.researchers.loop import LoopConfig, run_loop
from aarlab.researchers.messages import ChatModel
from aarlab.researchers.prompts import kickoff_message, system_prompt
from aarlab.researchers.tools import Toolbox
from aarlab.researchers.transcript import Transcript, resume_state


def model_of(spec: str) -> str:
    """`anthropic:claude-opus-4-6` -> `claude-opus-4-6`; a spec without a model is refused."""
    _, _, model = spec.partition(":")
    if not model.strip():
        raise SpecError(f"researcher spec {spec!r} needs a model, e.g. {spec.split(':')[0]}:MODEL")
    return model.strip()


class LLMResearcher:
    def __init__(self, spec: str, make_model: Callable[[ResearcherContext], ChatModel],
                 loop_config: LoopConfig | None = None) -> None:
        self.spec = spec
        self.make_model = make_model
        self.loop_config = loop_config or LoopConfig.from_settings()

    def run(self, ctx: ResearcherContext, should_stop: Callable[[], bool]) -> ResearcherOutcome:
        from aarlab.researchers.wiring import researcher_deps

        model = self.make_model(ctx)
        with researcher_deps(ctx) as toolbox:
            return run_session(ctx, model, toolbox, should_stop, self.loop_config)


def run_session(ctx: ResearcherContext, model: ChatModel, toolbox: Toolbox,
                should_stop: Callable[[], bool], loop_config: LoopConfig | None = None) -> ResearcherOutcome:
    transcript = Transcript(ctx.transcript)
    past = resume_state(transcript)
    meter = Meter(ctx.budgets, past.totals)
    toolbox.experiments, toolbox.submissions = past.experiments, past.submissions
    toolbox.submissions_left, toolbox.best_public_pgr = past.submissions_left, past.best_public_pgr
    status = ResearcherStatus(name=ctx.name, direction=ctx.direction)

    def on_activity(state: str, activity: str) -> None:
        t = meter.totals
        status.state, status.activity = state, activity
        status.experiments, status.submissions = toolbox.experiments, toolbox.submissions
        status.submissions_left, status.best_public_pgr = toolbox.submissions_left, toolbox.best_public_pgr
        status.tokens_in, status.tokens_out, status.usd = t.tokens_in, t.tokens_out, t.usd
        write_status(ctx, status)

    resumed = past.sessions > 0 or bool(toolbox.notebook.entries())
    kickoff = kickoff_message(
        ctx.dataset, notebook=toolbox.notebook.render() if resumed else None,
        summary=past.summary, recent=past.recent) if resumed else kickoff_message(ctx.dataset)
    system = system_prompt(ctx.name, ctx.dataset, ctx.direction, bundle=toolbox.bundle_path)
    transcript.log("session_start", name=ctx.name, spec=ctx.spec, provider=model.provider,
                   model=model.model, resumed=resumed, direction=ctx.direction, system=system)
    on_activity("thinking", "starting")
    try:
        result = run_loop(model, toolbox, system, kickoff, transcript, meter, should_stop,
                          loop_config, on_activity)
    except BaseException as e:
        transcript.log("session_end", finished=False, reason=f"crashed: {type(e).__name__}: {e}",
                       totals=meter.totals)
        on_activity("crashed", f"{type(e).__name__}: {e}"[:200])
        raise
    transcript.log("session_end", finished=result.finished, reason=result.reason,
                   summary=result.summary, totals=meter.totals)
    on_activity("finished" if result.finished else "idle", result.reason)
    t = meter.totals
    return ResearcherOutcome(name=ctx.name, finished=result.finished, reason=result.reason,
                             experiments=toolbox.experiments, submissions=toolbox.submissions,
                             tokens_in=t.tokens_in, tokens_out=t.tokens_out, usd=round(t.usd, 6))

