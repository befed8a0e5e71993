"""OSWorld's Chrome getters, answered from the Chromium the session launched.

URLs: OSWorld reads the active tab's URL from the address bar in the accessibility tree,
where Chrome elides the `https://`/`http://` scheme and a leading `www.`, and then prefixes the
task's `goto_prefix` (default "https://"). Here the URL comes from DevTools and is elided the
same way, so `goto_prefix` rebuilds it exactly as OSWorld's getter does (`goto_prefix: ""`
gives the bare address-bar text; `chrome://…` pages keep their scheme).

Profile readers read the files Chrome keeps in its profile folder (Preferences, Bookmarks,
Cookies); OSWorld's Ubuntu VM keeps them under ~/.config/google-chrome/Default, osworld-lite's
Chromium under ~/.config/chromium/Default. Their defaults for a missing or unreadable file are
OSWorld's own (some odd, e.g. "Google" for a missing Preferences file: kept, since a task
scores against them).
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from envs.osworld_lite.getters import _bridge, cache_name, getter, read_vm_file
from envs.osworld_lite.session import DesktopSession

PROFILE = "/home/user/.config/chromium/Default"


def address_bar_text(url: str) -> str:
    """The text Chrome's address bar shows for `url` (scheme and `www.` elided for http(s))."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            url = url[len(scheme):]
            return url[4:] if url.startswith("www.") else url
    return url


def active_url(session: DesktopSession, spec: dict[str, Any]) -> str | None:
    """OSWorld's get_active_url_from_accessTree: `goto_prefix` + the address-bar text."""
    bridge = _bridge(session)
    tab = bridge.active_tab() if bridge else None
    url = tab.get("url") if tab else None
    if not url:
        return None
    return f"{spec.get('goto_prefix', 'https://')}{address_bar_text(url)}"


@getter("active_url_from_accessTree")
def active_url_from_access_tree(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return active_url(session, spec)


@getter("active_tab_url_parse")
def active_tab_url_parse(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """The first value of each query parameter in `parse_keys` ('' when absent); `replace`
    renames keys, `split_list` splits each value on commas."""
    url = active_url(session, spec)
    return None if url is None else query_params(url, spec)


def query_params(url: str, spec: dict[str, Any]) -> dict[str, Any]:
    """OSWorld's active_tab_url_parse on a URL: `parse_keys`' first values, renamed by
    `replace`, split on commas with `split_list`."""
    query = parse_qs(urlparse(url).query)
    params: dict[str, Any] = {key: query.get(key, [""])[0] for key in spec["parse_keys"]}
    for old, new in (spec.get("replace") or {}).items():
        params[new] = params.pop(old)
    if spec.get("split_list", False):
        params = {key: value.split(",") for key, value in params.items()}
    return params


@getter("url_dashPart")
def url_dash_part(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """One '/'-separated part of the active URL (`partIndex`), its query cut with
    `needDeleteId`; `returnType` "string" or "json" ({key: part})."""
    url = active_url(session, spec)
    if url is None:
        return None
    parts = url.split("/")
    index = int(spec["partIndex"])
    if index >= len(parts):
        return None
    part = parts[index]
    if spec.get("needDeleteId", False):
        part = part.split("?")[0]
    if spec["returnType"] == "string":
        return part
    if spec["returnType"] == "json":
        return {spec["key"]: part}
    return None


def _json_object(session: DesktopSession, path: str) -> dict[str, Any] | None:
    """A JSON object file of Chromium's (Preferences, Local State); None if absent or not one."""
    data = read_vm_file(session, path)
    if data is None:
        return None
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _preferences(session: DesktopSession) -> dict[str, Any] | None:
    return _json_object(session, f"{PROFILE}/Preferences")


@getter("bookmarks")
def bookmarks(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """The `roots` of Chrome's Bookmarks file ([] when there is none, as OSWorld)."""
    data = read_vm_file(session, f"{PROFILE}/Bookmarks")
    if not data:
        return []
    return json.loads(data).get("roots", {})


@getter("default_search_engine")
def default_search_engine(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    if prefs is None:
        return "Google"
    return prefs.get("default_search_provider_data", {}).get("template_url_data", {}).get("short_name", "Google")


@getter("profile_name")
def profile_name(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    return None if prefs is None else prefs.get("profile", {}).get("name")


@getter("enable_do_not_track")
def enable_do_not_track(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    return "true" if prefs is not None and prefs.get("enable_do_not_track", {}) else "false"


@getter("data_delete_automacally")
def data_delete_automatically(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """"true" when the profile has any default content-setting values (OSWorld's test)."""
    prefs = _preferences(session)
    if prefs is None or "profile" not in prefs:
        return "Google"
    return "true" if prefs["profile"].get("default_content_setting_values") is not None else "false"


@getter("new_startup_page")
def new_startup_page(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    if prefs is None:
        return "Google"
    if "session" not in prefs:
        return "true"
    return "true" if prefs.get("session", {}).get("restore_on_startup", {}) == 5 else "false"


@getter("chrome_font_size")
def chrome_font_size(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    if prefs is None:
        return {"default_fixed_font_size": 13, "default_font_size": 16}
    return prefs.get("webkit", {}).get("webprefs", {
        "default_fixed_font_size": 13, "default_font_size": 16, "minimum_font_size": 13})


def _extensions(session: DesktopSession, field: str) -> Any:
    prefs = _preferences(session)
    if prefs is None:
        return "Google"
    try:
        settings = prefs.get("extensions", {}).get("settings", {})
        if field == "path":
            return [settings[key]["path"] for key in settings]
        return [settings[key]["manifest"]["name"] for key in settings]
    except (KeyError, TypeError):
        return "Google"


@getter("find_unpacked_extension_path")
def find_unpacked_extension_path(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return _extensions(session, "path")


@getter("find_installed_extension_name")
def find_installed_extension_name(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return _extensions(session, "name")


@getter("cookie_data")
def cookie_data(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """Every row of the profile's `cookies` table (None when it cannot be read)."""
    data = read_vm_file(session, f"{PROFILE}/Cookies")
    if data is None:
        return None
    local = workdir / cache_name(spec.get("dest", "Cookies"))
    local.write_bytes(data)
    try:
        with sqlite3.connect(f"file:{local}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT * FROM cookies").fetchall()
    except sqlite3.Error:
        return None


def _local_state(session: DesktopSession) -> dict[str, Any] | None:
    return _json_object(session, f"{PROFILE.rsplit('/', 1)[0]}/Local State")


@getter("enabled_experiments")
def enabled_experiments(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """chrome://flags experiments turned on ("Local State"), [] when unreadable."""
    state = _local_state(session)
    return [] if state is None else state.get("browser", {}).get("enabled_labs_experiments", [])


@getter("chrome_language")
def chrome_language(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    state = _local_state(session)
    return "en-US" if state is None else state.get("intl", {}).get("app_locale", "en-US")


@getter("enable_safe_browsing")
def enable_safe_browsing(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    if prefs is None:
        return "false"
    safe = prefs.get("safebrowsing", {})
    return "true" if bool(safe.get("enhanced", False)) or bool(safe.get("enabled", False)) else "false"


@getter("enable_enhanced_safety_browsing")
def enable_enhanced_safety_browsing(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    prefs = _preferences(session)
    if prefs is None:
        return "Google"
    return "true" if prefs.get("safebrowsing", {}).get("enhanced", {}) else "false"


@getter("history")
def history(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """(url, title, last_visit_time) of every row of the profile's History `urls` table."""
    data = read_vm_file(session, f"{PROFILE}/History")
    if data is None:
        return None
    local = workdir / cache_name(spec.get("dest", "History"))
    local.write_bytes(data)
    try:
        with sqlite3.connect(f"file:{local}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT url, title, last_visit_time FROM urls").fetchall()
    except sqlite3.Error:
        return None
