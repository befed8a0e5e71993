"""OSWorld's setup-step semantics that need no desktop: placeholders, `until`, URL matching,
the browse-history database, Chrome's window names."""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from envs.osworld_lite.config_steps import (
    CLIENT_PASSWORD, add_visits, chromium_window_name, fill_placeholders, same_url, until_met,
)
from tests.support.osworld_standins import make_standin


def test_placeholders_fill_half_sizes_first() -> None:
    cmd = ["python3", "-c", "pyautogui.click({SCREEN_WIDTH_HALF}, {SCREEN_HEIGHT_HALF}); w={SCREEN_WIDTH}x{SCREEN_HEIGHT}"]
    assert fill_placeholders(cmd, 1280, 720) == ["python3", "-c", "pyautogui.click(640, 360); w=1280x720"]
    assert fill_placeholders("echo {CLIENT_PASSWORD} | sudo -S true", 10, 10) == \
        f"echo {CLIENT_PASSWORD} | sudo -S true"


def test_until_matches_returncode_or_output() -> None:
    result = {"returncode": 1, "stdout": "window ready\n", "stderr": ""}
    assert until_met({"stdout": "ready"}, result)
    assert until_met({"returncode": 1}, result)
    assert not until_met({"returncode": 0}, result)
    assert not until_met({"stderr": "ready"}, result)


def test_same_url_as_osworld_compare_urls() -> None:
    assert same_url("https://www.example.com/", "https://example.com")
    assert same_url("example.com/a", "http://www.example.com/a")
    assert same_url("https://www.airbnb.com/x", "https://www.airbnb.fr/x")   # the public suffix is dropped
    assert not same_url("https://example.com/a", "http://example.com/a")     # the scheme counts
    assert not same_url("https://example.com/a?q=1", "https://example.com/a")
    assert not same_url("https://example.com/a/", "https://example.com/a")   # only a bare "/" is dropped


def test_add_visits_writes_osworld_rows(tmp_path: Path) -> None:
    empty = tmp_path / "history_empty.sqlite"
    make_standin(empty, "https://h/history_empty.sqlite")
    data = add_visits(empty.read_bytes(), [("https://a.example/", "A", 3600), ("https://b.example/", "B", 0)])
    out = tmp_path / "History"
    out.write_bytes(data)
    with sqlite3.connect(out) as conn:
        urls = conn.execute("SELECT id, url, title, visit_count, last_visit_time FROM urls ORDER BY id").fetchall()
        visits = conn.execute("SELECT url, visit_time, transition FROM visits ORDER BY id").fetchall()
    now = (datetime.now() - datetime(1601, 1, 1)).total_seconds() * 1_000_000  # local time, as OSWorld
    assert [(u[1], u[2], u[3]) for u in urls] == [("https://a.example/", "A", 1), ("https://b.example/", "B", 1)]
    assert abs(urls[0][4] - (now - 3600e6)) < 5e6 and abs(urls[1][4] - now) < 5e6
    assert [(v[0], v[1], v[2]) for v in visits] == [(u[0], u[4], 805306368) for u in urls]


def test_chrome_window_names_map_to_chromium() -> None:
    assert chromium_window_name("Google Chrome") == "Chromium"
    assert chromium_window_name("New Tab - Google Chrome") == "New Tab - Chromium"
    assert chromium_window_name("google-chrome") == "chromium"
