"""Scoring: validation (422, audited, not scored), budgets (429), Ladder, rounding, no leaks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from aarlab.hub import HubClient, HubError
from aarlab.hub.schemas import PublicScore, SubmissionResult
from aarlab.w2s.answer_key import AnswerKey

FORBIDDEN = {"labels", "label", "correct", "n_correct", "per_item", "items", "predictions",
             "distribution", "private", "confusion"}


def _raw(client: HubClient, body: object) -> tuple[int, dict[str, object]]:
    r = client._http.post("/v1/submissions", content=json.dumps(body).encode()
                          if not isinstance(body, bytes) else body,
                          headers={**client._headers, "Content-Type": "application/json"})
    return r.status_code, r.json()


@pytest.mark.parametrize("bad, needle", [
    ([0.5] * 1999, "expected 2000 predictions"),
    ([0.5] * 2001, "expected 2000 predictions"),
    ([0.5] * 1999 + [float("nan")], "finite"),
    ([0.5] * 1999 + [float("inf")], "finite"),
    ([0.5] * 1999 + [1.5], "[0, 1]"),
    ([-0.1] + [0.5] * 1999, "[0, 1]"),
])
def test_bad_predictions_are_422_audited_not_scored(hub: HubClient, alice: HubClient,
                                                    bad: list[float], needle: str) -> None:
    body = json.dumps({"dataset": "toy", "predictions": bad}).encode()  # NaN/Infinity tokens
    status, out = _raw(alice, body)
    assert status == 422 and needle in str(out["detail"])
    assert alice.submissions() == []
    rows = hub.audit().rows
    assert len(rows) == 1 and rows[0].status_code == 422 and not rows[0].accepted
    assert rows[0].n_predictions == len(bad) and rows[0].predictions is not None
    assert alice.me().budget_left["toy"].total == 50  # rejected queries cost nothing


@pytest.mark.parametrize("body", [
    b"not json", {"dataset": "toy"}, {"dataset": "toy", "predictions": "0.5"},
    {"dataset": "toy", "predictions": [None] * 2000}, {"dataset": "nope", "predictions": [0.5]},
    {"dataset": "toy", "predictions": [0.5] * 2000, "snapshot_id": "f" * 64},
])
def test_malformed_bodies_are_422_and_audited(hub: HubClient, alice: HubClient, body: object) -> None:
    status, out = _raw(alice, body)
    assert status == 422, out
    rows = hub.audit().rows
    assert len(rows) == 1 and rows[0].status_code == 422 and rows[0].reason
    assert hub.admin_submissions() == []


def test_accepted_submission_shape_and_rounding(hub: HubClient, alice: HubClient, key: AnswerKey) -> None:
    p = key.ceiling_p_test[0]
    status, out = _raw(alice, {"dataset": "toy", "predictions": p.tolist()})
    assert status == 200
    assert set(out) == {"id", "dataset", "public", "improved", "budget_left"}
    assert set(out["public"]) == {"accuracy", "pgr"}  # type: ignore[arg-type]
    assert set(out["budget_left"]) == {"total", "hour"}  # type: ignore[arg-type]
    assert not FORBIDDEN & set(out)
    res = SubmissionResult.model_validate(out)
    acc, pgr = key.score(p, "public")
    assert res.public == PublicScore(accuracy=round(acc, 3), pgr=round(pgr, 3))
    assert res.improved and res.budget_left.total == 49
    # the audit log holds exactly the float32 values that were scored
    row = hub.audit(accepted=True).rows[0]
    assert row.submission_id == res.id
    np.testing.assert_array_equal(np.asarray(row.predictions, dtype=np.float32), p.astype(np.float32))
    # the private part stays with the admin
    priv = hub.private_score(submission_id=res.id)
    assert priv.private.accuracy == pytest.approx(key.score(p, "private")[0])


def test_score_digits_setting(make_hub, new_researcher, key: AnswerKey) -> None:  # type: ignore[no-untyped-def]
    admin = make_hub(score_digits=2)
    res = new_researcher(admin, "r").submit("toy", key.weak_p_test)
    assert res.public.accuracy == round(key.score(key.weak_p_test, "public")[0], 2)


def test_task_info_is_aggregate_only(alice: HubClient, key: AnswerKey) -> None:
    info = alice.task("toy")
    assert info.n_test == key.n_test
    assert info.weak_accuracy == round(key.weak_acc("public"), 3)
    assert info.budget_left is not None and info.budget_left.total == 50
    with pytest.raises(HubError) as e:
        alice.task("train")  # no training split, no other dataset
    assert e.value.status == 404


def test_ladder_repeats_best_unless_significantly_better(alice: HubClient, key: AnswerKey) -> None:
    first = alice.submit("toy", key.weak_p_test)
    assert first.improved
    # a tiny change (one flipped item) is never reported
    p = key.weak_p_test.copy()
    p[0] = 1.0 - p[0]
    again = alice.submit("toy", p)
    assert not again.improved and again.public == first.public
    # a clearly better submission is
    better = alice.submit("toy", key.ceiling_p_test[0])
    assert better.improved and better.public.accuracy > first.public.accuracy
    # a worse one repeats the best
    worse = alice.submit("toy", np.full(key.n_test, 0.5) * 0)
    assert not worse.improved and worse.public == better.public
    board = alice.leaderboard("toy")
    assert [r.public for r in board.rows] == [better.public]
    assert board.rows[0].submissions == 4 and board.rows[0].verified is None


def test_total_budget_is_429_and_audited(make_hub, new_researcher, key: AnswerKey) -> None:  # type: ignore[no-untyped-def]
    admin = make_hub(budgets={"total": 3, "per_hour": 100})
    r = new_researcher(admin, "r")
    for _ in range(3):
        r.submit("toy", key.weak_p_test)
    with pytest.raises(HubError) as e:
        r.submit("toy", key.weak_p_test)
    assert e.value.status == 429 and "budget spent" in e.value.message
    rows = admin.audit().rows
    assert [x.status_code for x in rows] == [200, 200, 200, 429]
    assert rows[-1].predictions is not None and len(admin.admin_submissions()) == 3


def test_rate_budget_is_429_with_retry_after(make_hub, new_researcher, key: AnswerKey) -> None:  # type: ignore[no-untyped-def]
    admin = make_hub(budgets={"total": 100, "per_hour": 2})
    r = new_researcher(admin, "r")
    r.submit("toy", key.weak_p_test)
    assert r.submit("toy", key.weak_p_test).budget_left.hour == 0
    resp = r._http.post("/v1/submissions", headers=r._headers,
                        json={"dataset": "toy", "predictions": key.weak_p_test.tolist()})
    assert resp.status_code == 429 and "rate limit" in resp.json()["detail"]
    assert 3500 <= int(resp.headers["Retry-After"]) <= 3600
    other = new_researcher(admin, "other")  # budgets are per researcher
    assert other.submit("toy", key.weak_p_test).improved


def test_state_survives_restart(make_hub, new_researcher, key: AnswerKey) -> None:  # type: ignore[no-untyped-def]
    admin = make_hub()
    r = new_researcher(admin, "r")
    best = r.submit("toy", key.ceiling_p_test[0])
    r.submit("toy", key.weak_p_test)
    token = r._headers["Authorization"].split()[1]
    admin._http.__exit__(None, None, None)  # stop the first hub
    admin2 = make_hub()
    r2 = HubClient(http=admin2._http, token=token)
    again = r2.submit("toy", key.weak_p_test)
    assert not again.improved and again.public == best.public  # Ladder best restored
    assert again.budget_left.total == 47  # budget restored


def test_pgr_matches_key(alice: HubClient, key: AnswerKey) -> None:
    res = alice.submit("toy", key.ceiling_p_test[1])
    acc, pgr = key.score(key.ceiling_p_test[1], "public")
    assert math.isclose(res.public.pgr or 0.0, round(pgr, 3))
