"""Tokens and roles: researchers never reach admin data or others' posts; bad tokens fail."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from aarlab.hub import HubClient, HubError
from aarlab.w2s.answer_key import AnswerKey

ADMIN_GETS = ["/v1/admin/audit", "/v1/admin/submissions", "/v1/admin/verified", "/v1/researchers"]


def _status(client: HubClient, method: str, path: str, **kw: object) -> int:
    try:
        client._request(method, path, **kw)
    except HubError as e:
        return e.status
    return 200


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_researcher_cannot_read_admin_endpoints(alice: HubClient, path: str) -> None:
    assert _status(alice, "GET", path) == 403


def test_researcher_cannot_call_admin_actions(alice: HubClient, bob: HubClient) -> None:
    me = bob.me()
    assert _status(alice, "POST", "/v1/researchers", json={"name": "mallory"}) == 403
    assert _status(alice, "POST", f"/v1/researchers/{me.id}/revoke") == 403
    assert _status(alice, "POST", f"/v1/researchers/{me.id}/tokens") == 403
    assert _status(alice, "POST", "/v1/admin/private-score", json={"submission_id": "x"}) == 403
    assert _status(alice, "POST", "/v1/admin/verified", json={"post_id": "x"}) == 403


def test_unknown_and_missing_tokens_are_401(hub: HubClient) -> None:
    anon = HubClient(http=hub._http)
    assert _status(anon, "GET", "/v1/tasks") == 401
    forged = HubClient(http=hub._http, token="aar_r_not-a-real-token")
    assert _status(forged, "GET", "/v1/tasks") == 401
    assert _status(forged, "POST", "/v1/submissions", json={"dataset": "toy", "predictions": []}) == 401


def test_revoked_token_is_403_and_audited(hub: HubClient, alice: HubClient) -> None:
    rid = alice.me().id
    hub.revoke(rid)
    with pytest.raises(HubError) as e:
        alice.me()
    assert e.value.status == 403 and "revoked" in e.value.message
    assert _status(alice, "POST", "/v1/submissions", json={"dataset": "toy", "predictions": [0.5]}) == 403
    rows = hub.audit(researcher=rid).rows
    assert [r.status_code for r in rows] == [403]
    with pytest.raises(HubError) as e2:
        hub.reissue_token(rid)
    assert e2.value.status == 409


def test_reissued_token_works_and_old_one_stays_until_revoked(hub: HubClient, alice: HubClient) -> None:
    rid = alice.me().id
    new = HubClient(http=hub._http, token=hub.reissue_token(rid).token)
    assert new.me().id == rid == alice.me().id


def test_duplicate_name_is_409(hub: HubClient, alice: HubClient) -> None:
    with pytest.raises(HubError) as e:
        hub.create_researcher("alice")
    assert e.value.status == 409


def test_admin_is_not_a_researcher(hub: HubClient) -> None:
    assert _status(hub, "GET", "/v1/researchers/me") == 403
    assert _status(hub, "POST", "/v1/forum/posts", json={"kind": "insight", "title": "x"}) == 403
    assert _status(hub, "POST", "/v1/submissions", json={"dataset": "toy", "predictions": []}) == 403


def test_cannot_edit_or_delete_others_posts(alice: HubClient, bob: HubClient) -> None:
    post = alice.create_post("insight", "alice's idea", body="text", tags=["a"])
    for call in (lambda: bob.edit_post(post.id, title="pwned"), lambda: bob.delete_post(post.id)):
        with pytest.raises(HubError) as e:
            call()
        assert e.value.status == 403
    assert alice.post(post.id).title == "alice's idea"
    alice.edit_post(post.id, title="alice's idea, v2")
    assert bob.post(post.id).title == "alice's idea, v2"
    alice.delete_post(post.id)
    assert _status(bob, "GET", f"/v1/forum/posts/{post.id}") == 404


def test_admin_token_file_is_private_and_stable(hub: HubClient, tmp_path: Path) -> None:
    path = tmp_path / "run" / "admin_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = path.read_text().strip()
    assert hub._headers["Authorization"] == f"Bearer {token}"


def test_tokens_are_stored_hashed(hub: HubClient, alice: HubClient) -> None:
    from sqlalchemy import select

    from aarlab.hub.models import Token

    state = hub._http.app.state.hub  # type: ignore[attr-defined]
    token = alice._headers["Authorization"].split()[1]
    with state.read() as s:
        stored = list(s.scalars(select(Token.token_hash)))
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_researcher_sees_only_own_submissions(alice: HubClient, bob: HubClient, key: AnswerKey) -> None:
    alice.submit("toy", key.weak_p_test)
    assert len(alice.submissions()) == 1
    assert bob.submissions() == []
