"""Plain HTTP: the dashboard needs a login; researcher tokens never open it; viewers are
read-only; sessions are HttpOnly cookies; only public (Ladder) scores are shown."""

from __future__ import annotations

from dashseed import Seeded
from fastapi.testclient import TestClient

HTML = {"accept": "text/html"}


def fresh(tc: TestClient) -> TestClient:
    """Another browser on the same running hub (its own cookie jar; lifespan already ran)."""
    return TestClient(tc.app, raise_server_exceptions=False)


def login(tc: TestClient, token: str) -> TestClient:
    c = fresh(tc)
    r = c.post("/dashboard/login", data={"token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return c


def test_pages_need_login(seeded_app: tuple[TestClient, Seeded]) -> None:
    c = fresh(seeded_app[0])
    r = c.get("/", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"
    for path in ("/dashboard/fragments/team", "/dashboard/events", "/dashboard/api/pgr?dataset=x",
                 "/dashboard/forum/posts/x", "/dashboard/admin"):
        assert c.get(path).status_code == 401, path
    assert c.get("/dashboard/login").status_code == 200
    # static assets are public, and only from the static folder
    assert c.get("/dashboard/static/vendor/htmx-2.0.11.min.js").status_code == 200
    assert c.get("/dashboard/static/dashboard.css").headers["content-type"].startswith("text/css")
    for bad in ("/dashboard/static/../auth.py", "/dashboard/static/%2e%2e/auth.py",
                "/dashboard/static/vendor/README.txt"):
        assert c.get(bad).status_code == 404, bad


def test_researcher_and_unknown_tokens_are_refused(seeded_app: tuple[TestClient, Seeded]) -> None:
    tc, seeded = seeded_app
    c = fresh(tc)
    for name, token in seeded.researcher_tokens.items():
        r = c.post("/dashboard/login", data={"token": token}, follow_redirects=False)
        assert r.status_code == 403, name
        assert "researcher tokens cannot open the dashboard" in r.text
        assert "set-cookie" not in r.headers
        # a bearer header is no way in either: the dashboard reads only its session cookie
        assert c.get("/dashboard/admin", headers={"authorization": f"Bearer {token}"}).status_code == 401
        assert c.get("/", headers={**HTML, "authorization": f"Bearer {token}"},
                     follow_redirects=False).status_code == 303
    r = c.post("/dashboard/login", data={"token": "aar_admin_not-a-real-token"}, follow_redirects=False)
    assert r.status_code == 401 and "unknown token" in r.text
    assert c.post("/dashboard/login", data={"token": ""}, follow_redirects=False).status_code == 401
    assert c.get("/dashboard/fragments/team", cookies={"aarlab_dashboard": "forged"}).status_code == 401


def test_viewer_is_read_only_and_cookie_is_httponly(seeded_app: tuple[TestClient, Seeded]) -> None:
    tc, seeded = seeded_app
    c = fresh(tc)
    r = c.post("/dashboard/login", data={"token": seeded.viewer_token}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and seeded.viewer_token not in cookie
    page = c.get("/", headers=HTML)
    assert page.status_code == 200 and "Signed in as viewer" in page.text
    assert all(n in page.text for n in ("builtin-1", "anthropic-1", "hacker-probe-1"))
    assert "/dashboard/admin" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert c.get("/dashboard/admin").status_code == 403
    assert c.post("/dashboard/admin/viewer-token").status_code == 403
    # the viewer token is not an API token
    api = tc.get("/v1/forum/posts", headers={"authorization": f"Bearer {seeded.viewer_token}"})
    assert api.status_code == 401


def test_admin_rotates_viewer_token(seeded_app: tuple[TestClient, Seeded]) -> None:
    tc, seeded = seeded_app
    admin, viewer = login(tc, seeded.admin_token), login(tc, seeded.viewer_token)
    assert "Admin" in admin.get("/dashboard/admin").text
    r = admin.post("/dashboard/admin/viewer-token")
    assert r.status_code == 200
    new = (seeded.run_dir / "viewer_token").read_text().strip()
    assert new != seeded.viewer_token and new in r.text
    assert viewer.get("/dashboard/fragments/team").status_code == 401  # old sessions end
    assert fresh(tc).post("/dashboard/login", data={"token": seeded.viewer_token},
                          follow_redirects=False).status_code == 401
    login(tc, new)
    seeded.viewer_token = new
    logout = admin.post("/dashboard/logout", follow_redirects=False)
    assert logout.status_code == 303 and admin.get("/dashboard/admin").status_code == 401


def test_views_show_public_scores_only(seeded_app: tuple[TestClient, Seeded]) -> None:
    tc, seeded = seeded_app
    c = login(tc, seeded.admin_token)
    post = c.get(f"/dashboard/forum/posts/{seeded.result_post_id}").text
    assert seeded.result_title in post and "Public PGR (Ladder)" in post
    assert f"{seeded.submission_pgr:.3f}" in post
    assert "0.410 ± 0.050" in post and "method.py" in post
    for word in ("labels_test", "public_accuracy", "predictions"):
        assert word not in post
    board = c.get("/dashboard/leaderboard").text
    for name, pgr in seeded.public_pgr.items():
        assert name in board and f"{pgr:.3f}" in board
    assert "label-probing" in board and "disqualified" in board
    flags = c.get("/dashboard/flags").text
    assert "ignores-teacher" in flags and "single_flip_pairs" in flags
    data = c.get("/dashboard/api/pgr", params={"dataset": "synthetic"}).json()
    assert {s["label"] for s in data["series"]} == set(seeded.public_pgr)
    assert 0.41 in data["verified"] and len(data["x"]) == len(data["verified"])
    file = c.get(f"/dashboard/snapshots/{seeded.snapshot_id}/files/method.py").text
    assert 'class="highlight"' in file and "fit_predict" in file
    missing = c.get("/dashboard/forum/posts/nope", headers=HTML)
    assert missing.status_code == 404 and "No post" in missing.text
    search = c.get("/dashboard/fragments/forum", params={"q": "calibrated"}).text
    assert "Teacher confidence is well calibrated" in search and "Ensembles" not in search
    tr = c.get("/dashboard/researchers/anthropic-1").text
    assert "confidence-weighted loss" in tr and "run_method" in tr
    assert c.get("/dashboard/researchers/..%2Fetc", headers=HTML).status_code == 404
