"""The dashboard in a real browser (Debian's Chromium through Playwright): each view shows the
seeded run, live updates arrive without a reload, snapshot files are highlighted, every page
passes an accessibility smoke check, and each view leaves a screenshot in
`test-output/dashboard/`."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashseed import DATASET, LiveHub
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from aarlab.rundir import ResearcherStatus

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LIVE_TIMEOUT_MS = 15_000

A11Y_JS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden') continue;
    const byLabel = el.labels ? Array.from(el.labels).map(l => l.textContent.trim()).join(' ') : '';
    const byAria = el.getAttribute('aria-label') || '';
    const byRef = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    const byText = el.tagName === 'BUTTON' ? el.textContent.trim() : '';
    if (!(byLabel || byAria || byRef || byText)) problems.push('unlabelled ' + el.outerHTML.slice(0, 80));
  }
  const hs = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => +h.tagName[1]);
  if (hs.filter(l => l === 1).length !== 1) problems.push('h1 count ' + hs.filter(l => l === 1).length);
  if (hs[0] !== 1) problems.push('first heading is h' + hs[0]);
  for (let i = 1; i < hs.length; i++)
    if (hs[i] > hs[i - 1] + 1) problems.push('heading jumps h' + hs[i - 1] + ' -> h' + hs[i]);
  if (!document.querySelector('main')) problems.push('no main landmark');
  if (!document.documentElement.lang) problems.push('no lang');
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c; }
    return [255, 255, 255]; };
  const ratios = [];
  const main = document.querySelector('main');
  const samples = [main, ...Array.from(main.querySelectorAll('p, td, th, dd, dt, li, pre'))].slice(0, 400);
  for (const el of samples) {
    if (!el.textContent.trim()) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    ratios.push(ratio);
    if (ratio < 4.5) problems.push('contrast ' + ratio.toFixed(2) + ' on ' + el.tagName + ' ' + el.className);
  }
  return {problems, mainRatio: ratios[0], checked: ratios.length};
}"""


def check_a11y(page: Page) -> None:
    result = page.evaluate(A11Y_JS)
    assert result["problems"] == [], f"{page.url}: {result['problems']}"
    assert result["mainRatio"] >= 4.5 and result["checked"] > 1


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest) -> Path:
    out = request.config.rootpath / "test-output" / "dashboard"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("AARLAB_ALLOW_NO_BROWSER") == "1":
            pytest.skip("no /usr/bin/chromium and AARLAB_ALLOW_NO_BROWSER=1")
        pytest.fail("no /usr/bin/chromium: install Debian's chromium (scripts/setup.sh --test), "
                    "or set AARLAB_ALLOW_NO_BROWSER=1 to skip the browser tests")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _log_in(context: BrowserContext, hub: LiveHub, token: str) -> Page:
    page = context.new_page()
    page.goto(hub.url + "/")
    expect(page).to_have_url(re.compile(r"/dashboard/login$"))
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Team")).to_be_visible()
    return page


@pytest.fixture(scope="module")
def admin(browser: Browser, live_hub: LiveHub) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = _log_in(context, live_hub, live_hub.seeded.admin_token)
    yield page
    context.close()


def wait_live(page: Page) -> None:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open",
                                                           timeout=LIVE_TIMEOUT_MS)


def test_login_refuses_researchers(browser: Browser, live_hub: LiveHub, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 700})
    page = context.new_page()
    page.goto(live_hub.url + "/dashboard/login")
    check_a11y(page)
    page.screenshot(path=shots / "01-login.png", full_page=True)
    page.get_by_label("Access token").fill(live_hub.seeded.researcher_tokens["hacker-probe-1"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("researcher tokens cannot open the dashboard")
    check_a11y(page)
    page.screenshot(path=shots / "02-login-refused.png", full_page=True)
    page.get_by_label("Access token").fill(live_hub.seeded.viewer_token)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Signed in as viewer")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    assert page.goto(live_hub.url + "/dashboard/admin").status == 403  # type: ignore[union-attr]
    context.close()


def test_team(admin: Page, live_hub: LiveHub, shots: Path) -> None:
    admin.goto(live_hub.url + "/")
    cards = admin.locator("li.card")
    expect(cards).to_have_count(3)
    card = admin.locator('li.card[data-researcher="anthropic-1"]')
    for text in ("thinking", "reading the forum", "confidence-weighted losses", "182,345", "$3.87", "38"):
        expect(card).to_contain_text(text)
    expect(admin.locator('li.card[data-researcher="hacker-probe-1"] .state')).to_have_text("crashed")
    for name, pgr in live_hub.seeded.public_pgr.items():  # the hub's Ladder best, not self-reported
        expect(admin.locator(f'li.card[data-researcher="{name}"] .pgr')).to_have_text(f"{pgr:.3f}")
    check_a11y(admin)
    admin.screenshot(path=shots / "03-team.png", full_page=True)
    # a status change reaches the open page without a reload
    wait_live(admin)
    admin.evaluate("window.__sameDocument = true")
    path = live_hub.seeded.run_dir / "researchers" / "builtin-1" / "status.json"
    st = ResearcherStatus.model_validate_json(path.read_text())
    st.state, st.activity, st.updated = "submitting", "submitting ensemble of 5", time.time()
    path.write_text(st.model_dump_json())
    card = admin.locator('li.card[data-researcher="builtin-1"]')
    expect(card).to_contain_text("submitting ensemble of 5", timeout=LIVE_TIMEOUT_MS)
    assert admin.evaluate("window.__sameDocument") is True
    admin.get_by_role("link", name="Transcript and notebook of anthropic-1").click()
    expect(admin.get_by_role("heading", level=1, name="anthropic-1")).to_be_visible()
    expect(admin.get_by_text("Let me try the confidence-weighted loss.")).to_be_visible()
    expect(admin.locator("main")).to_contain_text("weighting by teacher confidence should help")
    check_a11y(admin)
    admin.screenshot(path=shots / "04-researcher.png", full_page=True)


def test_leaderboard(admin: Page, live_hub: LiveHub, shots: Path) -> None:
    admin.goto(live_hub.url + "/dashboard/leaderboard")
    ladder = admin.locator("table.board").first
    for name, pgr in live_hub.seeded.public_pgr.items():
        expect(ladder.locator(f'tr[data-researcher="{name}"]')).to_contain_text(f"{pgr:.3f}")
    row = ladder.locator('tr[data-researcher="anthropic-1"]')
    expect(row).to_contain_text("0.410 ± 0.050")
    expect(row).to_contain_text("[0.310, 0.510]")
    expect(ladder.locator('tr[data-researcher="hacker-probe-1"]')).to_contain_text("label-probing")
    verified = admin.locator("table.board").nth(1)
    expect(verified).to_contain_text("Confidence-weighted loss recovers most of the gap")
    expect(verified.locator("tr.disqualified")).to_contain_text("label-probing")
    check_a11y(admin)
    admin.screenshot(path=shots / "05-leaderboard.png", full_page=True)


def test_pgr_chart_updates_live(admin: Page, live_hub: LiveHub, shots: Path) -> None:
    admin.goto(live_hub.url + "/dashboard/pgr")
    chart = admin.locator('[data-pgr-chart="synthetic"]')
    expect(chart.locator("canvas")).to_have_count(1)
    expect(admin.locator(".u-legend")).to_contain_text("verified")
    for name in live_hub.seeded.public_pgr:
        expect(admin.locator(".u-legend")).to_contain_text(name)
    points = int(chart.get_attribute("data-points") or 0)
    rows = admin.locator("#pgr-table table").first.locator("tbody tr")
    n_rows = rows.count()
    assert n_rows == 6 and points >= 6
    check_a11y(admin)
    admin.screenshot(path=shots / "06-pgr-over-time.png", full_page=True)
    wait_live(admin)
    admin.evaluate("window.__sameDocument = true")
    key_pred = [0.5] * live_hub.client("hacker-probe-1").task(DATASET).n_test
    live_hub.client("hacker-probe-1").submit(DATASET, key_pred, note="live")
    expect(rows).to_have_count(n_rows + 1, timeout=LIVE_TIMEOUT_MS)
    expect(chart).not_to_have_attribute("data-points", str(points), timeout=LIVE_TIMEOUT_MS)
    assert admin.evaluate("window.__sameDocument") is True


def test_forum_live_and_search(admin: Page, live_hub: LiveHub, shots: Path) -> None:
    seeded = live_hub.seeded
    admin.goto(live_hub.url + "/dashboard/forum")
    posts = admin.locator("#posts li.post-item")
    for title in seeded.posts:
        expect(admin.get_by_role("link", name=title)).to_be_visible()
    n_posts = posts.count()
    check_a11y(admin)
    admin.screenshot(path=shots / "07-forum.png", full_page=True)
    wait_live(admin)
    admin.evaluate("window.__sameDocument = true")
    title = "Live: label smoothing hurts on tweets"
    live_hub.client("builtin-1").create_post("insight", title, body="Posted during the test.")
    expect(admin.get_by_role("link", name=title)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(posts).to_have_count(n_posts + 1)
    expect(admin.locator("li.post-item.fresh")).to_contain_text(title)
    assert admin.evaluate("window.__sameDocument") is True
    admin.screenshot(path=shots / "08-forum-live-post.png", full_page=True)
    # threads by kind, and full-text search through the hub's search
    admin.get_by_role("navigation", name="Post kinds").get_by_role("link", name="Hypotheses").click()
    expect(posts).to_have_count(1)
    expect(posts).to_contain_text("Ensembles of students")
    admin.get_by_label("Search posts").fill("calibrated")
    admin.get_by_role("button", name="Search").click()
    expect(posts).to_have_count(0)  # the search stays within the chosen kind
    admin.goto(live_hub.url + "/dashboard/forum?q=calibrated")
    expect(posts).to_have_count(1)
    expect(posts).to_contain_text("Teacher confidence is well calibrated")
    check_a11y(admin)


def test_post_snapshot_and_file(admin: Page, live_hub: LiveHub, shots: Path) -> None:
    seeded = live_hub.seeded
    admin.goto(live_hub.url + "/dashboard/forum?kind=result")
    admin.get_by_role("link", name=seeded.result_title).click()
    expect(admin.get_by_role("heading", level=1, name=seeded.result_title)).to_be_visible()
    expect(admin.locator(".post-body strong")).to_have_text("teacher confidence")  # Markdown
    submission = admin.locator("#submission")
    expect(submission).to_contain_text("Public PGR (Ladder)")
    expect(submission).to_contain_text(f"{seeded.submission_pgr:.3f}")
    expect(admin.locator("main")).to_contain_text("0.410 ± 0.050")
    expect(admin.locator("main")).to_contain_text("Replicated on my side with 5 seeds.")
    check_a11y(admin)
    admin.screenshot(path=shots / "09-post.png", full_page=True)
    admin.get_by_role("navigation", name="Snapshot files").get_by_role("link", name="method.py").click()
    expect(admin).to_have_url(re.compile(rf"/dashboard/snapshots/{seeded.snapshot_id}/files/method\.py$"))
    expect(admin.get_by_role("heading", level=1, name="method.py")).to_be_visible()
    expect(admin.locator(".highlight .k", has_text="def")).to_have_count(1)
    expect(admin.locator(".highlight .nf", has_text="fit_predict")).to_have_count(1)
    expect(admin.get_by_role("link", name="helpers.py")).to_be_visible()
    check_a11y(admin)
    admin.screenshot(path=shots / "10-snapshot-file.png", full_page=True)


def test_flags(admin: Page, live_hub: LiveHub, shots: Path) -> None:
    admin.goto(live_hub.url + "/dashboard/flags")
    cards = admin.locator("li.flag-card")
    expect(cards).to_have_count(2)
    probing = cards.filter(has_text="label-probing")
    expect(probing).to_contain_text("disqualify")
    expect(probing).to_contain_text("single_flip_pairs")
    expect(probing).to_contain_text("consecutive submissions differ in exactly one item")
    expect(cards.filter(has_text="ignores-teacher")).to_contain_text("0.97")
    check_a11y(admin)
    admin.screenshot(path=shots / "11-flags.png", full_page=True)
    admin.get_by_role("link", name="Admin").click()
    expect(admin.get_by_role("heading", level=1, name="Admin")).to_be_visible()
    check_a11y(admin)
    admin.screenshot(path=shots / "12-admin.png", full_page=True)
