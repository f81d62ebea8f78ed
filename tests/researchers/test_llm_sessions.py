"""LLM researchers end to end: the real `anthropic` and `openai` SDKs against a fake server
that speaks their HTTP APIs, the real hub over HTTP, and a real (unsafe-mode) sandbox on the
synthetic bundle. Each scripted reply is a list of tool calls the researcher executes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_llm import Entry, Error, FakeLLM, Turn, last_result_json, tool_results
from researcher_helpers import ADMIN_TOKEN, METHOD

from aarlab.hub import HubClient
from aarlab.researchers.anthropic_kind import AnthropicModel
from aarlab.researchers.base import ResearcherContext, ResearcherOutcome
from aarlab.researchers.kinds import build_researcher
from aarlab.researchers.llm import LLMResearcher
from aarlab.researchers.loop import LoopConfig
from aarlab.researchers.messages import ChatModel
from aarlab.researchers.openai_kind import OpenAIModel
from aarlab.researchers.pricing import price_for
from aarlab.researchers.tool_specs import TOOL_SPECS
from aarlab.rundir import read_status

SPECS = {"anthropic": "anthropic:claude-opus-4-6", "openai": "openai:gpt-4o"}


def model_factory(provider: str, url: str) -> Callable[[ResearcherContext], ChatModel]:
    def make(ctx: ResearcherContext) -> ChatModel:
        if provider == "anthropic":
            return AnthropicModel("claude-opus-4-6", api_key="test-key", base_url=url, retry_base_delay_s=0.01)
        return OpenAIModel("gpt-4o", api_key="test-key", base_url=f"{url}/v1", retry_base_delay_s=0.01)

    return make


def run(provider: str, fake: FakeLLM, ctx: ResearcherContext, script: list[Entry],
        config: LoopConfig | None = None) -> ResearcherOutcome:
    fake.script = list(script)
    researcher = LLMResearcher(SPECS[provider], model_factory(provider, fake.url), config)
    return researcher.run(ctx, lambda: False)


def transcript(ctx: ResearcherContext) -> list[dict[str, Any]]:
    return [json.loads(line) for line in ctx.transcript.read_text().splitlines()]


def research_script() -> list[Entry]:
    ids: dict[str, str] = {}

    def submit(body: dict[str, Any]) -> Turn:
        ids["snapshot"] = last_result_json(body)["id"]
        return Turn(calls=[("submit", {"predictions_path": "m1/predictions.npy",
                                       "snapshot_id": ids["snapshot"], "note": "centroid"})])

    def post(body: dict[str, Any]) -> Turn:
        return Turn(text="It beats the teacher; posting.", calls=[("forum_post", {
            "kind": "result", "title": "Nearest centroid on strong features", "body": "PGR above 0",
            "tags": ["centroid"], "snapshot_id": ids["snapshot"],
            "submission_id": last_result_json(body)["id"]})])

    return [
        Turn(text="I will start simple.", calls=[
            ("notebook_append", {"kind": "hypothesis", "text": "a centroid on strong features beats the teacher"}),
            ("write_file", {"path": "m1/method.py", "content": METHOD})]),
        Turn(calls=[("run_method", {"method_dir": "m1", "seeds": [0, 1]})]),
        Turn(calls=[("snapshot_upload", {"dir": "m1"})]),
        submit,
        post,
        Turn(calls=[("finish", {"summary": "centroid works"})]),
    ]


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_scripted_research_session(provider: str, fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext],
                                   hub_server: Any) -> None:
    ctx = make_ctx(SPECS[provider])
    outcome = run(provider, fake_llm, ctx, research_script())
    assert outcome.finished and outcome.reason == "finished"
    assert outcome.experiments == 1 and outcome.submissions == 1
    # every tool call succeeded
    for body in fake_llm.requests[1:]:
        assert [err for _, err in tool_results(body)] and not any(err for _, err in tool_results(body))
    # the hub has the result post, pointing at the snapshot and the submission
    with HubClient(hub_server.url, token=ADMIN_TOKEN) as admin:
        (post,) = admin.posts(kind="result")
        assert post.author == "anthropic-1" and post.snapshot_id and post.submission_id
        assert admin.snapshot_files(post.snapshot_id).files[0].path == "method.py"
    # cost: six calls of 100 input + 20 output tokens at the model's price
    price = price_for(provider, SPECS[provider].split(":")[1], overrides={})
    assert outcome.usd == pytest.approx(6 * (100 * price.input + 20 * price.output) / 1e6)
    assert (outcome.tokens_in, outcome.tokens_out) == (600, 120)
    # transcript, status, notebook: on the host, outside the sandbox
    events = [r["event"] for r in transcript(ctx)]
    assert events == ["session_start", *["turn"] * 6, "session_end"]
    status = read_status(ctx.status_file)
    assert status is not None and status.state == "finished" and status.submissions == 1
    assert status.best_public_pgr is not None and status.submissions_left == 4
    assert "centroid on strong features" in ctx.notebook.read_text()
    assert all(p == ("/v1/messages" if provider == "anthropic" else "/v1/chat/completions")
               for p in fake_llm.paths)


def test_anthropic_request_shape_and_prompt_caching(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    run("anthropic", fake_llm, make_ctx(), [Turn(calls=[("notebook_read", {})]),
                                            Turn(calls=[("finish", {"summary": "s"})])])
    first, second = fake_llm.requests
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "data-reweighting" not in first["system"][0]["text"]  # the direction's text, not its key
    assert "Not every weak label deserves the same weight" in first["system"][0]["text"]
    assert [t["name"] for t in first["tools"]] == [t.name for t in TOOL_SPECS]
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "input_schema" in first["tools"][0]
    assert second["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert second["messages"][1]["content"][0]["type"] == "tool_use"
    assert second["messages"][2]["content"][0]["type"] == "tool_result"


def test_openai_request_shape(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    run("openai", fake_llm, make_ctx(SPECS["openai"]), [Turn(calls=[("notebook_read", {})]),
                                                        Turn(calls=[("finish", {"summary": "s"})])])
    second = fake_llm.requests[1]
    assert second["messages"][0]["role"] == "system" and second["tools"][0]["type"] == "function"
    roles = [m["role"] for m in second["messages"]]
    assert roles == ["system", "user", "assistant", "tool"]
    assert second["messages"][3]["tool_call_id"] == second["messages"][2]["tool_calls"][0]["id"]


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
@pytest.mark.parametrize("status", [429, 500])
def test_retries_then_success(provider: str, status: int, fake_llm: FakeLLM,
                              make_ctx: Callable[..., ResearcherContext]) -> None:
    outcome = run(provider, fake_llm, make_ctx(SPECS[provider]),
                  [Error(status), Error(status), Turn(calls=[("finish", {"summary": "ok"})])])
    assert outcome.finished and len(fake_llm.requests) == 3


def test_persistent_overload_is_retried_by_our_loop_then_raises(fake_llm: FakeLLM,
                                                                 make_ctx: Callable[..., ResearcherContext]) -> None:
    from aarlab.researchers.errors import ModelError

    ctx = make_ctx()
    fake_llm.script = [Error(529)] * 20
    model = AnthropicModel("claude-opus-4-6", api_key="k", base_url=fake_llm.url, max_retries=1,
                           retry_attempts=2, retry_base_delay_s=0.01)
    with pytest.raises(ModelError, match="after 2 extra retries"):
        LLMResearcher(SPECS["anthropic"], lambda c: model).run(ctx, lambda: False)
    assert len(fake_llm.requests) == 3 * 2  # (1 + SDK retry) x (1 + 2 of ours)
    assert transcript(ctx)[-1]["event"] == "session_end" and "crashed" in transcript(ctx)[-1]["reason"]


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_tool_errors_go_back_to_the_model(provider: str, fake_llm: FakeLLM,
                                          make_ctx: Callable[..., ResearcherContext]) -> None:
    script: list[Entry] = [Turn(calls=[("read_file", {"path": "../../notebook.jsonl"})]),
                           Turn(calls=[("run_method", {"method_dir": "missing"})])]
    if provider == "openai":
        script.append(Turn(calls=[("shell", {})], raw_arguments="{not json"))
    script.append(Turn(calls=[("finish", {"summary": "s"})]))
    outcome = run(provider, fake_llm, make_ctx(SPECS[provider]), script)
    assert outcome.finished
    results = [list(tool_results(b)) for b in fake_llm.requests[1:]]
    assert results[0][0][1] and "outside your workspace" in results[0][0][0]
    assert results[1][0][1] and "no method.py" in results[1][0][0]
    if provider == "openai":
        assert results[2][0][1] and "not valid JSON" in results[2][0][0]


def test_compaction_past_the_threshold(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    ctx = make_ctx()
    script: list[Entry] = [
        Turn(calls=[("notebook_append", {"kind": "hypothesis", "text": "h1"})], input_tokens=50),
        Turn(calls=[("shell", {"command": "echo marker-from-the-kept-turn"})], input_tokens=5_000),
        Turn(text="SUMMARY: noted h1, ran echo."),  # the compaction call
        Turn(calls=[("finish", {"summary": "s"})]),
    ]
    outcome = run("anthropic", fake_llm, ctx, script, LoopConfig(compact_at_tokens=1_000, keep_turns=1))
    assert outcome.finished
    summary_req, after = fake_llm.requests[2], fake_llm.requests[3]
    assert summary_req["tool_choice"] == {"type": "none"}
    assert "Do not call tools" in summary_req["messages"][-1]["content"][-1]["text"]
    first_user = after["messages"][0]["content"][0]["text"]
    assert "SUMMARY: noted h1, ran echo." in first_user and "Begin your research" in first_user
    assert len(after["messages"]) == 3  # summary, the kept shell turn, its result
    assert after["messages"][1]["content"][0]["input"]["command"].startswith("echo marker")
    (comp,) = [r for r in transcript(ctx) if r["event"] == "compaction"]
    assert comp["summary"] == "SUMMARY: noted h1, ran echo." and comp["before_tokens"] > 1_000
    assert outcome.tokens_in == 50 + 5_000 + 100 + 100  # the summary call is paid for too


def test_budgets_stop_and_resume_continues(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    note = Turn(calls=[("notebook_append", {"kind": "result", "text": "knn gave 0.41 weak agreement"})])
    outcome = run("openai", fake_llm, make_ctx(SPECS["openai"], steps=2), [note, note, note])
    assert not outcome.finished and outcome.reason.startswith("step limit reached (2 of 2)")
    # a restart: the budget carries over; the kickoff holds the notebook and the last actions
    outcome = run("openai", fake_llm, make_ctx(SPECS["openai"], steps=4),
                  [Turn(calls=[("finish", {"summary": "s"})])])
    assert outcome.finished and outcome.tokens_in == 300
    kickoff = fake_llm.requests[-1]["messages"][1]["content"]
    assert "resuming" in kickoff and "knn gave 0.41" in kickoff and "notebook_append" in kickoff


def test_registered_kind_reads_base_url_and_key_from_env(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_llm.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    fake_llm.script = [Turn(calls=[("finish", {"summary": "s"})])]
    outcome = build_researcher("anthropic:claude-opus-4-6").run(make_ctx(), lambda: False)
    assert outcome.finished and fake_llm.requests[0]["model"] == "claude-opus-4-6"
    ctx = make_ctx(SPECS["openai"]).model_copy(update={"base_url": f"{fake_llm.url}/v1"})
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # local servers: a dummy key
    fake_llm.script = [Turn(calls=[("finish", {"summary": "s"})])]
    assert build_researcher(SPECS["openai"]).run(ctx, lambda: False).finished


def test_should_stop_is_honoured(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    fake_llm.script = []
    r = LLMResearcher(SPECS["anthropic"], model_factory("anthropic", fake_llm.url)).run(make_ctx(), lambda: True)
    assert not r.finished and r.reason == "asked to stop" and fake_llm.requests == []


def test_workspace_is_where_files_land(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    ctx = make_ctx()
    run("anthropic", fake_llm, ctx, [Turn(calls=[("shell", {"command": "echo hi > made-by-shell.txt"})]),
                                     Turn(calls=[("finish", {"summary": "s"})])])
    assert (Path(ctx.workspace) / "made-by-shell.txt").read_text() == "hi\n"


def test_scripted_session_in_bwrap(fake_llm: FakeLLM, make_ctx: Callable[..., ResearcherContext]) -> None:
    """The same research session with the real sandbox: the bundle at /bundle, cwd /workspace."""
    from aarlab.sandbox import SandboxUnavailable

    ctx = make_ctx().model_copy(update={"sandbox": "bwrap"})
    try:
        outcome = run("anthropic", fake_llm, ctx, research_script())
    except SandboxUnavailable as e:
        pytest.skip(f"bubblewrap unavailable here: {e}")
    assert outcome.finished and outcome.experiments == 1 and outcome.submissions == 1
    run_call = next(r for r in transcript(ctx) if r["event"] == "turn"
                    and r["assistant"]["tool_calls"][0]["name"] == "run_method")
    assert not run_call["tool_results"][0]["is_error"]
