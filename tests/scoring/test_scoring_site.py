"""The static site and the live viewer, opened in real headless Chromium (Playwright).

The database is real SQLite seeded through TrajectoryStore; the pages are opened from disk
(file://) and from the live Starlette server on loopback.
"""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from scoring.metrics import wilson_interval
from scoring.site import build_site
from scoring.source import StoreSource
from tests.support.prereqs import require_program
from tests.support.viewer import serve_viewer

pytestmark = [pytest.mark.browser]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STAMP = re.compile(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")


@pytest.fixture(scope="module")
def site(seeded) -> Path:
    store, _, root = seeded
    report = build_site(StoreSource(store), root / "site")
    assert report.artifacts_missing == [] and report.episodes == 9
    return root / "site"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = require_program("chromium")  # Debian's Chromium (make setup), not a downloaded one
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records dialogs (alert) instead of blocking on them."""
    context = browser.new_context()
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


@pytest.fixture(scope="module")
def live(seeded):
    """The live viewer on a free loopback port, in a thread."""
    store, _, _ = seeded
    with serve_viewer(store) as port:
        yield f"http://127.0.0.1:{port}"


def _row(page, model: str, domain: str):
    return page.locator(f'#leaderboard tr[data-model="{model}"][data-domain="{domain}"]')


def _check_leaderboard(page) -> None:
    for model, domain, solved, rate, (c, n), infra in [
        ("gpt-5.4-mini", "os", "2/3", "66.7%", (2, 3), "0"),
        ("qwen3.5-9b", "os", "1/3", "33.3%", (1, 3), "1"),
        ("oracle", "retail", "1/1", "100.0%", (1, 1), "0"),
    ]:
        row = _row(page, model, domain)
        assert row.count() == 1
        low, high = wilson_interval(c, n)
        assert row.locator("td.solved").inner_text() == solved
        assert row.locator("td.rate").inner_text() == rate
        assert row.locator("td.ci").inner_text() == f"[{100 * low:.1f}, {100 * high:.1f}]"
        assert row.locator("td.infra").inner_text().startswith(infra)
        # The bar and its whisker are drawn at the seeded rate and interval.
        bar = row.locator("svg.bar")
        assert float(bar.locator("rect.fill").get_attribute("width")) == pytest.approx(100 * c / n, abs=1e-3)
        whisker = bar.locator("line.whisker").first
        assert float(whisker.get_attribute("x1")) == pytest.approx(100 * low, abs=1e-3)
        assert float(whisker.get_attribute("x2")) == pytest.approx(100 * high, abs=1e-3)
        assert bar.bounding_box()["width"] > 50       # rendered, not collapsed
    # Hand-checked Wilson figures, so the test does not only agree with itself.
    assert _row(page, "gpt-5.4-mini", "os").locator("td.ci").inner_text() == "[20.8, 93.9]"
    assert _row(page, "qwen3.5-9b", "os").locator("td.ci").inner_text() == "[6.1, 79.2]"
    assert "qwen3.5-9b" in page.locator("#comparisons").inner_text()
    matrix = page.locator("#model-domain").inner_text()
    assert "66.7% [20.8, 93.9]" in matrix and "100.0% [20.7, 100.0]" in matrix


def _check_episode(page, expect_images: int) -> None:
    images = page.locator("img")
    assert images.count() == expect_images
    for i in range(expect_images):     # screenshots load lazily, as they come into view
        images.nth(i).scroll_into_view_if_needed()
        images.nth(i).evaluate("img => img.decode()")
    widths = page.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
    assert widths == [320] * expect_images
    # The double click at (100, 50) and the drag to (250, 150) are drawn on the screenshots.
    click = page.locator("#step-1 svg.overlay circle.click")
    assert (click.get_attribute("cx"), click.get_attribute("cy")) == ("100.0", "50.0")
    drag = page.locator("#step-2 svg.overlay line.drag")
    assert [drag.get_attribute(a) for a in ("x1", "y1", "x2", "y2")] == ["100.0", "50.0", "250.0", "150.0"]
    assert "hello <script>" in page.locator("#step-3 svg.overlay text.banner-text").text_content()
    body = page.locator("main").inner_text()
    assert "thinking about step 1" in body and "I will act 1." in body
    assert "Open the file number 1." in body
    assert "compare_text_file" in body


def _assert_inert(page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('script, [onerror], [onload]').length") == 0


def test_static_leaderboard_shows_seeded_numbers_and_intervals(site, page) -> None:
    page.goto((site / "index.html").as_uri())
    _check_leaderboard(page)
    _assert_inert(page)


def test_static_episode_page_shows_screenshots_with_actions(site, seeded, page) -> None:
    _, ids, _ = seeded
    page.goto((site / "tasks.html").as_uri())
    # The task matrix links each trial to its trajectory: follow gpt's solved t1.
    cell = page.locator('#task-matrix tr[data-task="t1"] td[data-model="gpt-5.4-mini"] a.mark')
    assert cell.inner_text() == "✓"
    assert page.locator('#task-matrix tfoot td[data-model="gpt-5.4-mini"]').inner_text() == "2/3"
    assert page.locator('#task-matrix tfoot td[data-model="qwen3.5-9b"]').inner_text() == "1/3"
    cell.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"episodes/{ids['episodes'][('gpt-5.4-mini', 't1')]}.html")
    _check_episode(page, expect_images=4)      # 3 screens acted on + the final screen
    # The other attempts at t1 (qwen's success and its infrastructure error) are linked.
    others = page.locator("#other-attempts a.mark")
    assert others.count() == 2
    others.first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"episodes/{ids['episodes'][('qwen3.5-9b', 't1', 0)]}.html")
    _assert_inert(page)


def test_injected_payloads_render_as_text_and_never_run(site, seeded, page) -> None:
    _, ids, _ = seeded
    pages = [site / "index.html", site / "tasks.html", *sorted((site / "episodes").glob("*.html"))]
    assert len(pages) == 11
    for path in pages:
        page.goto(path.as_uri())
        _assert_inert(page)
    # The tau2 page shows every payload as literal text.
    page.goto((site / "episodes" / f"{ids['episodes'][('oracle', 'tau2')]}.html").as_uri())
    text = page.locator("main").inner_text()
    assert "Cancel order #1 <script>window.__pwned = 'script'" in text
    assert "<img src=x onerror=" in text and "<svg onload=" in text
    assert "tool call · get_order_details".upper() in text.upper()
    setup = page.locator("#setup-calls").text_content()     # collapsed: not in inner_text
    assert "user_simulator call · gpt-5.4-mini" in setup and "Hi, cancel my order. <img src=x" in setup
    _assert_inert(page)


def test_csp_blocks_script_even_if_markup_slipped_through(site, seeded, page, tmp_path) -> None:
    """Second line of defence: a page whose escaping had failed still runs nothing."""
    _, ids, _ = seeded
    original = (site / "episodes" / f"{ids['episodes'][('oracle', 'tau2')]}.html").read_text()
    broken = original.replace("<main>", "<main><script>window.__pwned = 1</script>"
                                        "<img src=x onerror=\"window.__pwned = 2\">", 1)
    assert broken != original
    target = site / "episodes" / "csp-probe.html"
    target.write_text(broken)
    try:
        page.goto(target.as_uri())
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        target.unlink()


def test_live_viewer_serves_the_same_pages(site, seeded, live, page) -> None:
    _, ids, _ = seeded
    episode = ids["episodes"][("gpt-5.4-mini", "t1")]
    with httpx.Client(base_url=live) as client:
        for path in ("index.html", "tasks.html", f"episodes/{episode}.html", "style.css"):
            resp = client.get(f"/{path}")
            assert resp.status_code == 200, path
            assert STAMP.sub("", resp.text) == STAMP.sub("", (site / path).read_text()), path
        assert "default-src 'none'" in client.get("/index.html").headers["content-security-policy"]
        shot = next((site / "artifacts").glob("*.png"))
        resp = client.get(f"/artifacts/{shot.name}")
        assert resp.headers["content-type"] == "image/png" and resp.content == shot.read_bytes()
        assert client.get("/artifacts/..%2F..%2Fetc%2Fpasswd").status_code == 404
        assert client.get("/artifacts/" + "0" * 64 + ".png").status_code == 404
        assert client.get("/episodes/ep-nope.html").status_code == 404
        # A stored blob that is not a raster image is served as a download, never as a page.
        store = seeded[0]
        sha = store.put_artifact(b"<script>window.__pwned = 1</script>", "text/html")
        resp = client.get(f"/artifacts/{sha}.html")
        assert resp.headers["content-type"] == "application/octet-stream"
        assert resp.headers["content-disposition"].startswith("attachment")
        rows = client.get("/leaderboard.json").json()
        assert {(r["model"], r["successes"], r["episodes"]) for r in rows} >= {("gpt-5.4-mini", 2, 3)}

    page.goto(f"{live}/index.html")
    _check_leaderboard(page)
    _assert_inert(page)
    page.goto(f"{live}/episodes/{episode}.html")
    _check_episode(page, expect_images=4)
    _assert_inert(page)
