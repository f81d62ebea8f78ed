"""Forum: full-text search on both backends, filters, result-post rules, comments, votes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aarlab.hub import HubClient, HubError
from aarlab.snapshot import pack
from aarlab.w2s.answer_key import AnswerKey


def _snapshot(client: HubClient, tmp_path, text: str = "x = 1\n") -> str:  # type: ignore[no-untyped-def]
    src = tmp_path / f"code-{abs(hash(text))}"
    src.mkdir(parents=True)
    (src / "method.py").write_text(text)
    return client.upload_snapshot(pack(src)).id


def test_full_text_search_and_filters(alice: HubClient, bob: HubClient) -> None:
    a = alice.create_post("insight", "Confidence weighting helps", tags=["loss", "weighting"],
                          body="Weighting the weak labels by teacher confidence improved PGR.")
    b = bob.create_post("hypothesis", "Auxiliary losses", tags=["loss"],
                        body="An auxiliary confidence loss might regularise the student.")
    c = bob.create_post("error", "OOM in the sandbox", body="The run crashed with out of memory.")
    ids = lambda posts: {p.id for p in posts}  # noqa: E731
    assert ids(alice.posts(q="confidence")) == {a.id, b.id}
    assert ids(alice.posts(q="weights")) == {a.id}  # stemmed: weights ~ weighting
    assert ids(alice.posts(q="confidence teacher")) == {a.id}  # all words must match
    assert ids(alice.posts(q="memory")) == {c.id}
    assert alice.posts(q="nothing-like-this") == []
    assert alice.posts(q="'\"*) OR NEAR(") == []  # query syntax cannot be injected
    assert ids(alice.posts(kind="hypothesis")) == {b.id}
    assert ids(alice.posts(tag="loss")) == {a.id, b.id}
    assert ids(alice.posts(author="bob")) == {b.id, c.id}
    assert ids(alice.posts(q="loss", author="alice")) == {a.id}
    assert ids(alice.posts(since=datetime.now(UTC) + timedelta(hours=1))) == set()
    assert len(alice.posts(limit=2)) == 2
    # edits are searchable; deleted posts are not
    bob.edit_post(c.id, body="Fixed by lowering the batch size.")
    assert ids(alice.posts(q="batch")) == {c.id} and alice.posts(q="memory") == []
    bob.delete_post(c.id)
    assert alice.posts(q="batch") == []


def test_result_post_needs_own_submission_and_snapshot(alice: HubClient, bob: HubClient,
                                                       key: AnswerKey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sid = _snapshot(alice, tmp_path)
    sub = alice.submit("toy", key.ceiling_p_test[0], snapshot_id=sid)
    bob_sub = bob.submit("toy", key.weak_p_test)
    unbound = alice.submit("toy", key.ceiling_p_test[0])  # scored, but no code recorded with it
    bad = [dict(snapshot_id=None, submission_id=sub.id),
           dict(snapshot_id=sid, submission_id=unbound.id),  # a claim is bound to its code
           dict(snapshot_id=sid, submission_id=None),
           dict(snapshot_id="0" * 64, submission_id=sub.id),
           dict(snapshot_id=sid, submission_id=bob_sub.id),
           dict(snapshot_id=_snapshot(alice, tmp_path, "y = 2\n"), submission_id=sub.id)]
    for links in bad:
        with pytest.raises(HubError) as e:
            alice.create_post("result", "PGR 0.9", **links)  # type: ignore[arg-type]
        assert e.value.status == 422, links
    post = alice.create_post("result", "PGR 0.9 with confidence weighting", snapshot_id=sid,
                             submission_id=sub.id, tags=["result"])
    assert post.dataset == "toy" and post.author == "alice"
    assert [p.id for p in bob.posts(kind="result")] == [post.id]


def test_a_result_of_code_already_on_the_forum_names_its_author(
        alice: HubClient, bob: HubClient, key: AnswerKey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sid = _snapshot(alice, tmp_path / "alice")
    sub = alice.submit("toy", key.ceiling_p_test[0], snapshot_id=sid)
    post = alice.create_post("result", "PGR 0.9", snapshot_id=sid, submission_id=sub.id)
    assert _snapshot(bob, tmp_path / "bob") == sid  # the same code, packed again: the same id
    bob_sub = bob.submit("toy", key.ceiling_p_test[0], snapshot_id=sid)
    with pytest.raises(HubError) as e:
        bob.create_post("result", "PGR 0.9 too", snapshot_id=sid, submission_id=bob_sub.id)
    assert e.value.status == 409 and "alice" in e.value.message and post.id in e.value.message
    bob.comment(post.id, "Same code here.")  # what is still open to bob
    assert bob.create_post("insight", "it replicates", snapshot_id=sid).kind == "insight"


def test_comments_votes_and_verified_column(hub: HubClient, alice: HubClient, bob: HubClient,
                                            key: AnswerKey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sid = _snapshot(alice, tmp_path)
    sub = alice.submit("toy", key.ceiling_p_test[0], snapshot_id=sid)
    post = alice.create_post("result", "a result", snapshot_id=sid, submission_id=sub.id)
    bob.comment(post.id, "Replicated on my side.")
    assert bob.vote(post.id, 1).score == 1
    assert bob.vote(post.id, -1).score == -1  # one vote per researcher, changeable
    with pytest.raises(HubError) as e:
        alice.vote(post.id, 1)
    assert e.value.status == 422
    detail = bob.post(post.id)
    assert detail.n_comments == 1 and detail.comments[0].author == "bob" and detail.score == -1
    v = hub.set_verified(post.id, pgr=0.41, se=0.05, ci95=(0.31, 0.51), n_seeds=5,
                         flags=["seed-variance"], detail="fresh seeds")
    assert v.ci95 == (0.31, 0.51)
    row = alice.leaderboard("toy").rows[0]
    assert row.verified is not None and row.verified.pgr == 0.41 and row.verified.flags == ["seed-variance"]
    with pytest.raises(HubError) as e2:
        hub.set_verified("nope", pgr=0.1)
    assert e2.value.status == 404
