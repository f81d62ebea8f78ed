from __future__ import annotations

import pytest

from aarlab.researchers.base import RESEARCHER_KINDS, researcher_name
from aarlab.researchers.directions import DIRECTIONS, get_direction
from aarlab.researchers.kinds import UnknownKind, build_researcher
from aarlab.researchers.llm import LLMResearcher, model_of
from aarlab.researchers.prompts import kickoff_message, system_prompt


@pytest.mark.parametrize("spec", ["anthropic:claude-opus-4-6", "openai:qwen3-32b"])
def test_llm_kinds_register_and_build(spec: str) -> None:
    r = build_researcher(spec)
    assert isinstance(r, LLMResearcher) and spec.split(":")[0] in RESEARCHER_KINDS
    assert researcher_name(spec, 1) == f"{spec.split(':')[0]}-1"  # the model is not in the name


def test_specs_need_a_model() -> None:
    assert model_of("openai:meta/llama-3:8b") == "meta/llama-3:8b"
    with pytest.raises(ValueError, match="needs a model"):
        build_researcher("anthropic")
    with pytest.raises(UnknownKind):
        build_researcher("gemini:x")


def test_nine_directions_and_the_prompt() -> None:
    assert len(DIRECTIONS) == 9 and len({d.key for d in DIRECTIONS}) == 9
    assert get_direction(None) is None
    with pytest.raises(KeyError):
        get_direction("nope")
    for d in DIRECTIONS:
        p = system_prompt("anthropic-1", "tweets", d.key)
        assert d.text in p and "PGR" in p and "Ladder" in p and "fit_predict(bundle, seed)" in p
        assert "`submit`" in p and "`finish`" in p
    undirected = {system_prompt("anthropic-1", "tweets", None)}
    undirected.add(system_prompt("anthropic-1", "tweets", ""))
    assert len(undirected) == 1 and "no assigned direction" in undirected.pop()


def test_kickoff_resume_carries_notebook_and_summary() -> None:
    assert "Begin your research" in kickoff_message("tweets")
    k = kickoff_message("tweets", notebook="[1] result: knn 0.4", summary="tried knn", recent="- submit(...)")
    assert "resuming" in k and "knn 0.4" in k and "tried knn" in k and "submit(" in k
