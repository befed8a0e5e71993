"""Metrics on browser state (URLs, tabs, bookmarks, profile settings), as OSWorld's chrome.py.

URLs compare as OSWorld's `compare_urls` does: a missing scheme reads as http, the host is
lower-cased and cut to subdomain + registrable name (a `www` subdomain and the public suffix
dropped, so `www.example.com` and `example.org` compare equal, as in OSWorld), a lone "/" path is
dropped; params, query and fragment count. The public-suffix list is tldextract's bundled
snapshot: nothing is fetched while scoring.
"""
from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import ParseResult, urlparse, urlunparse

import tldextract

from envs.osworld_lite.metrics import metric

_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=())   # bundled list, no network
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+\-.]*://")


def normalize_url(url: str, full: bool = True) -> str:
    parsed = urlparse(url if _SCHEME.match(url) else f"http://{url}")
    parts = _SUFFIXES(parsed.netloc.lower())
    sub = "" if parts.subdomain == "www" else parts.subdomain
    netloc = f"{sub}.{parts.domain}" if sub else parts.domain
    return urlunparse(ParseResult(
        scheme=parsed.scheme.lower(), netloc=netloc, path=parsed.path if parsed.path != "/" else "",
        params=parsed.params if full else "", query=parsed.query if full else "",
        fragment=parsed.fragment if full else ""))


def compare_urls(a: str | None, b: str | None, full: bool = True) -> bool:
    if a is None or b is None:
        return a == b
    return normalize_url(a, full) == normalize_url(b, full)


def _tab_url(result: Any) -> Any:
    return result.get("url") if isinstance(result, dict) else result


@metric("is_expected_active_tab")
def is_expected_active_tab(result: Any, rule: dict[str, Any]) -> float:
    """The active tab's URL (a URL or {"url": …}) equals `rule["url"]` after normalisation."""
    if not result:
        return 0.0
    if rule["type"] != "url":
        return 0.0
    return float(compare_urls(rule["url"], _tab_url(result)))


@metric("is_expected_active_tab_approximate")
def is_expected_active_tab_approximate(result: Any, rule: dict[str, Any]) -> float:
    """As is_expected_active_tab but literal URLs with the query string removed."""
    if not result:
        return 0.0
    if rule["type"] != "url":
        return 0.0

    def strip_query(url: str) -> str:
        return urlunparse(urlparse(url)._replace(query=""))
    return float(strip_query(rule["url"]) == strip_query(_tab_url(result)))


@metric("is_expected_url_pattern_match")
def is_expected_url_pattern_match(result: Any, rules: dict[str, Any]) -> float:
    """Every regex in `rules["expected"]` is found in the URL (`result` is a URL or {"url": …})."""
    if not result:
        return 0.0
    if isinstance(result, str):
        url = result
    elif isinstance(result, dict) and "url" in result:
        url = result["url"]
    else:
        return 0.0
    return float(all(re.search(p, url) for p in rules["expected"]))


@metric("is_expected_tabs")
def is_expected_tabs(result: Any, rule: dict[str, Any]) -> float:
    """The open tabs' URLs equal `rule["urls"]` as multisets-by-normalised-URL (same count,
    each expected URL matched by some open tab: OSWorld's are_lists_equal)."""
    if not result or rule["type"] != "url":
        return 0.0
    expected, actual = rule["urls"], [t["url"] for t in result]
    if len(expected) != len(actual):
        return 0.0
    return float(all(any(compare_urls(e, a) for a in actual) for e in expected))


@metric("is_expected_bookmarks")
def is_expected_bookmarks(result: Any, rule: dict[str, Any]) -> float:
    """Bookmark-bar checks on the Bookmarks `roots`: folder names, site URLs, or the URLs in a
    "Liked Authors" folder (each expected entry a URL or a list of acceptable URLs)."""
    if not result:
        return 0.0
    bar = result["bookmark_bar"]["children"]
    kind = rule["type"]
    if kind == "bookmark_bar_folders_names":
        return float({b["name"] for b in bar if b["type"] == "folder"} == set(rule["names"]))
    if kind == "bookmark_bar_websites_urls":
        return float({b["url"] for b in bar if b["type"] == "url"} == set(rule["urls"]))
    if kind == "liked_authors_websites_urls":
        folder = next((b for b in bar if b["type"] == "folder" and b["name"] == "Liked Authors"), None)
        if folder is None:
            return 0.0
        liked = {b["url"] for b in folder["children"] if b["type"] == "url"}
        choices = [[u] if isinstance(u, str) else u for u in rule["urls"]]
        return float(any(set(combo) == liked for combo in itertools.product(*choices)))
    raise ValueError(f"is_expected_bookmarks: unknown rule type {kind!r}")


@metric("is_expected_search_query")
def is_expected_search_query(result: Any, rules: dict[str, Any]) -> float:
    if not result:
        return 0.0
    return float(re.search(rules["expect"]["pattern"], result["url"]) is not None)


@metric("is_expected_installed_extensions")
def is_expected_installed_extensions(result: Any, expected: dict[str, Any]) -> float:
    if not result:
        return 0.0
    return float(set(expected["expected"]).issubset(set(result)))


@metric("is_cookie_deleted")
def is_cookie_deleted(result: Any, rule: dict[str, Any]) -> float:
    """No cookie row's host (column 1) matches any of `rule["domains"]` (URL-normalised)."""
    if rule["type"] != "domains":
        raise ValueError(f"is_cookie_deleted: unknown rule type {rule['type']!r}")
    hosts = [row[1] for row in result]
    return float(not any(compare_urls(d, h) for d in rule["domains"] for h in hosts))


@metric("is_shortcut_on_desktop")
def is_shortcut_on_desktop(result: Any, rule: dict[str, Any]) -> float:
    """Some desktop file has the line `Name=<name>` (type name) or `Exec=<exec>` (type exec)."""
    kind = rule["type"]
    if kind not in ("name", "exec"):
        raise ValueError(f"is_shortcut_on_desktop: unsupported rule type {kind!r}")
    line = ("Name=" + rule["name"] if kind == "name" else "Exec=" + rule["exec"]) + "\n"
    return float(any(line in text for text in result.values()))


@metric("check_font_size")
def check_font_size(result: Any, rule: dict[str, Any]) -> float:
    size = result["default_font_size"]
    if rule["type"] == "value":
        return float(size == rule["value"])
    if rule["type"] == "range":
        return float(rule["min"] < size < rule["max"])
    raise ValueError(f"check_font_size: unknown rule type {rule['type']!r}")


@metric("is_added_to_steam_cart")
def is_added_to_steam_cart(result: Any, rule: dict[str, Any]) -> float:
    return float(all(item in result["content"] for item in rule["items"]))


@metric("check_page_text", "check_html_contains")
def check_page_text(result: Any, rules: Any = None) -> float:
    """osworld-lite's own: the page text/HTML contains every `rules["include"]` string and no
    `rules["exclude"]` one."""
    if result is None:
        return 0.0
    text = str(result)
    r = rules or {}
    return float(all(s in text for s in r.get("include", [])) and not any(s in text for s in r.get("exclude", [])))


@metric("check_enabled_experiments")
def check_enabled_experiments(result: Any, rule: dict[str, Any]) -> float:
    """The enabled chrome://flags experiments (names before "@"), in order, are `rule["names"]`."""
    if rule["type"] != "names":
        raise ValueError(f"check_enabled_experiments: unknown rule type {rule['type']!r}")
    return float([e.split("@")[0] for e in result] == rule["names"])


@metric("check_history_deleted")
def check_history_deleted(result: Any, rule: dict[str, Any]) -> float:
    """No history URL contains any of `rule["keywords"]`."""
    if rule["type"] != "keywords":
        raise ValueError(f"check_history_deleted: unknown rule type {rule['type']!r}")
    urls = [row[0] for row in result]
    return float(not any(k in u for k in rule["keywords"] for u in urls))
