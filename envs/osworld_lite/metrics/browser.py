"""Metrics on browser state (URLs, tabs, page text), as OSWorld's chrome.py."""
from __future__ import annotations

import re
from typing import Any

from envs.osworld_lite.metrics import metric


def _url(result: Any) -> str | None:
    if isinstance(result, dict):
        return result.get("url")
    return None if result is None else str(result)


@metric("is_expected_url_pattern_match")
def is_expected_url_pattern_match(result: Any, rules: Any = None, **options: Any) -> float:
    """Every regex in `rules["expected"]` is found in the URL (`result` is a URL or {"url": …})."""
    url = _url(result)
    if not url:
        return 0.0
    return float(all(re.search(p, url) for p in (rules or {})["expected"]))


@metric("is_expected_active_tab")
def is_expected_active_tab(result: Any, rules: Any = None, **options: Any) -> float:
    """The active tab's URL equals `rules["url"]` (OSWorld: rules {"type": "url", "url": …})."""
    url = _url(result)
    return float(url is not None and url == (rules or {})["url"])


@metric("is_expected_tabs")
def is_expected_tabs(result: Any, rules: Any = None, **options: Any) -> float:
    """The open tabs' URLs (a list of URLs or of {"url": …}) equal `rules["urls"]`, in order."""
    if not isinstance(result, list):
        return 0.0
    return float([_url(t) for t in result] == list((rules or {})["urls"]))


@metric("check_page_text", "check_html_contains")
def check_page_text(result: Any, rules: Any = None, **options: Any) -> float:
    """The page text/HTML contains every `rules["include"]` string and no `rules["exclude"]` one."""
    if result is None:
        return 0.0
    text = str(result)
    r = rules or {}
    return float(all(s in text for s in r.get("include", [])) and not any(s in text for s in r.get("exclude", [])))
