"""OSWorld's evaluator getters, against an episode's sandbox and browser.

`resolve(session, spec, workdir)` turns a getter spec (`{"type": "vm_file", "path": …}`) into
the value a metric compares, with OSWorld's semantics: a host path for files, written under the
spec's `dest` name in `workdir` (the evaluation's folder, OSWorld's cache dir; read by the host
itself through the sandbox's pinned root, so symlinks resolve inside the sandbox, never on the
host; FIFOs, devices and oversized files count as absent), command output (commands the host
starts in the sandbox's namespaces, out of the agent's reach), a directory tree, browser state
over CDP (only from the Chromium the session launched), or the accessibility tree as OSWorld's
XML. This module holds the registry and the core getters; assets.py (asset cache, cache
folder), chrome.py (browser and Chromium profile) and apps.py (app settings, slide media)
register the rest. `UNSUPPORTED` names OSWorld's getter types that cannot run here, with why.
Missing things give None; a broken environment raises InfrastructureError (SandboxBroken for
parts inside the sandbox); an evaluation process killed by someone other than the host, or a
DevTools port served by an impostor, raises EvaluationTampered; an unknown type ValueError.
"""
from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from envs.errors import EvaluationTampered, InfrastructureError
from envs.osworld_lite import a11y, cdp
from envs.osworld_lite.config_steps import command_argv, expand_home
from envs.osworld_lite.sandbox import SANDBOX_HOME, SANDBOX_TOOLS, ResultTooLarge, SandboxBroken
from envs.osworld_lite.session import DesktopSession

Getter = Callable[[DesktopSession, dict[str, Any], Path], Any]
GETTERS: dict[str, Getter] = {}
# OSWorld getter types that cannot run here, with the reason (a task using one is blocked).
UNSUPPORTED: dict[str, str] = {
    "vscode_config": "needs VS Code, which Debian does not ship",
    "googledrive_file": "needs a Google account (Google Drive)",
    "info_from_website": "needs the live web",
    "page_info": "needs the live web",
    "pdf_from_url": "needs the live web",
    "active_tab_html_parse": "needs the live web (parses a live site's page)",
    "gotoRecreationPage_and_get_html_content": "needs the live web",
    "url_path_parse": "needs the live web (a live shopping site's URL layout)",
    "rule_relativeTime": "needs the live web (dates on live booking sites)",
    "vm_wallpaper": "needs GNOME Shell's wallpaper setting",
    "vm_terminal_output": "needs GNOME Terminal's accessibility text",
    "chrome_saved_address": "reads Chrome's address settings page (Google Chrome's autofill)",
    "extensions_installed_from_shop": "OSWorld lists the evaluating host's own folder, not the VM's",
    "conference_city_in_order": "OSWorld's getter reads a file after closing it (always fails)",
    "macys_product_url_parse": "needs the live web (a live shopping site's URL layout)",
    "number_of_search_results": "needs the live web",
    "timezone_from_ip": "asks a web service for the machine's time zone",
    "replay": "replays pyautogui actions as evaluation (not a getter of state)",
}


def getter(*names: str) -> Callable[[Getter], Getter]:
    def deco(fn: Getter) -> Getter:
        for name in names:
            GETTERS[name] = fn
        return fn
    return deco


def resolve(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    kind = spec.get("type")
    if kind not in GETTERS:
        raise ValueError(f"unknown getter type {kind!r}; known: {', '.join(sorted(GETTERS))}")
    return GETTERS[kind](session, spec, workdir)


def _abs(path: str) -> str:
    path = expand_home(str(path))
    return path if path.startswith("/") else f"{SANDBOX_HOME}/{path}"


def cache_name(name: Any) -> str:
    """A `dest` name of a getter spec: a plain file name inside the evaluation folder."""
    text = str(name)
    if not text or "/" in text or "\\" in text or text in (".", "..") or "\0" in text:
        raise ValueError(f"a getter's dest must be a plain file name, got {name!r}")
    return text


def paths_and_dests(spec: dict[str, Any]) -> tuple[list[Any], list[str], set[int]]:
    """OSWorld's `multi`/`gives` convention: one `path`/`dest` pair, or with `multi` two
    lists; `gives` (default [0]) picks which files the metric receives."""
    if spec.get("multi", False):
        paths, dests = spec["path"], spec["dest"]
        if not isinstance(paths, list) or not isinstance(dests, list):
            raise ValueError("a getter with multi: true needs lists for path and dest")
    else:
        if isinstance(spec["path"], list):
            raise ValueError("a getter with a list of paths needs multi: true (as OSWorld)")
        paths = [spec["path"]]
        dests = [spec.get("dest") or os.path.basename(str(spec["path"]))]
    gives = spec.get("gives", [0])
    if not isinstance(gives, list):
        raise ValueError(f"gives must be a list of indices, got {gives!r}")
    return list(paths), [cache_name(d) for d in dests], {int(i) for i in gives}


def given(paths: list[str | None]) -> Any:
    """OSWorld returns a lone given file as itself, several as a list."""
    return paths[0] if len(paths) == 1 else paths


def read_vm_file(session: DesktopSession, path: str) -> bytes | None:
    """A file's bytes from the sandbox; None when absent, a directory or too large to grade."""
    try:
        return session.sandbox.read_file(_abs(path))  # type: ignore[union-attr]
    except (IsADirectoryError, ResultTooLarge):
        return None  # no file a metric could read: no credit


@getter("vm_file", "file")
def vm_file(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """OSWorld's vm_file: copy each file to the evaluation folder under its `dest` name (all of
    them, so a metric finds siblings such as the CSV exports `sheet_print` reads); return the
    `gives` ones, None for a file that is absent."""
    paths, dests, gives = paths_and_dests(spec)
    if spec.get("time_suffix", False) and not spec.get("multi", False):
        # OSWorld names a single copy after the grading clock: name_YYYYmmdd_HHMMSS.ext
        stem, ext = os.path.splitext(dests[0])
        dests = [cache_name(f"{stem}_{datetime.now().strftime(spec.get('time_format', '%Y%m%d_%H%M%S'))}{ext}")]
    out: list[str | None] = []
    for i, (path, dest) in enumerate(zip(paths, dests, strict=True)):
        data = read_vm_file(session, str(path))
        local = workdir / dest
        if data is not None:
            local.write_bytes(data)
        if i in gives:
            out.append(None if data is None else str(local))
    return given(out)


@getter("vm_command_line", "vm_command_error")
def vm_command_line(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """The command's stdout (stderr for vm_command_error), run inside the sandbox."""
    argv = command_argv(spec["command"], bool(spec.get("shell", False)))
    result = run_checked(session, argv, timeout=float(spec.get("timeout", 60)))
    if _PROCPS_REFUSES in result["stderr"]:
        # procps (ps, pgrep, top) needs /proc/self, which an evaluation process outside the
        # agent's PID namespace does not have: its (empty) output must not be graded.
        raise InfrastructureError(f"this evaluation command needs procps, which cannot run outside the "
                                  f"agent's PID namespace; read /proc/[0-9]*/cmdline instead: {spec['command']!r}")
    if result["timed_out"] or result["overflow"]:
        return None
    return result["stderr"] if spec["type"] == "vm_command_error" else result["stdout"]


_PROCPS_REFUSES = "Error, do this: mount -t proc proc /proc"


def run_checked(session: DesktopSession, argv: list[str], timeout: float) -> dict[str, Any]:
    """`Sandbox.run` for evaluation: an evaluation process that died of SIGKILL the host did
    not send was killed by someone else (nothing of the agent should reach it)."""
    result = session.sandbox.run(argv, timeout=timeout)  # type: ignore[union-attr]
    if result["returncode"] == -signal.SIGKILL and not result["killed_by_host"]:
        raise EvaluationTampered(f"an evaluation command was killed by someone other than the host: {argv[:3]}")
    return result


@getter("rule")
def rule(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return spec.get("rules")


_LIST_DIR = r"""
import json, os, sys
def walk(p, depth):
    is_dir = os.path.isdir(p) and not os.path.islink(p)
    node = {"name": os.path.basename(p) or p, "type": "directory" if is_dir else "file"}
    if node["type"] == "directory" and depth < 8:
        try:
            names = sorted(os.listdir(p))[:1000]
        except OSError:
            names = []
        node["children"] = [walk(os.path.join(p, c), depth + 1) for c in names]
    return node
p = sys.argv[1]
print(json.dumps(walk(p, 0) if os.path.exists(p) else None))
"""


@getter("list_directory", "vm_directory")
def list_directory(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """OSWorld's directory tree: {"name", "type", "children": [...]} (None when absent)."""
    result = run_checked(session, ["/usr/bin/python3", "-I", "-c", _LIST_DIR, _abs(spec["path"])], timeout=30)
    if result["timed_out"] or result["overflow"]:
        return None  # a tree too large to list in time: nothing a metric could use
    if result["returncode"] != 0:
        raise SandboxBroken(f"list_directory failed: {result['stderr'][-300:]}")
    return json.loads(result["stdout"])


def _bridge(session: DesktopSession) -> cdp.CdpBridge | None:
    return session.devtools(timeout=10)


@getter("active_tab_info")
def active_tab_info(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    bridge = _bridge(session)
    tab = bridge.active_tab() if bridge else None
    if tab is None:
        return None
    return {"title": tab.get("title", ""), "url": tab.get("url", ""), "content": cdp.active_tab_html(bridge)}


@getter("active_tab_url")
def active_tab_url(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    bridge = _bridge(session)
    tab = bridge.active_tab() if bridge else None
    return tab.get("url") if tab else None


@getter("active_tab_html", "page_html")
def active_tab_html(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    bridge = _bridge(session)
    return cdp.active_tab_html(bridge) if bridge and bridge.active_tab() else None


@getter("open_tabs_info")
def open_tabs_info(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """Every open tab, in tab-strip order as far as DevTools tells it: [{"title", "url"}]."""
    bridge = _bridge(session)
    if bridge is None:
        return None
    return [{"title": t.get("title", ""), "url": t.get("url", "")} for t in reversed(bridge.pages())]


@getter("accessibility_tree")
def accessibility_tree(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """OSWorld's accessibility-tree XML of the desktop (sandbox_helpers/a11y_xml.py), which
    its metrics select from by CSS or XPath; None when the dump fails or runs out of time."""
    result = run_checked(session, ["/usr/bin/python3", "-I", f"{SANDBOX_TOOLS}/a11y_xml.py", "20000", "10"],
                         timeout=20)
    if result["timed_out"] or result["overflow"] or result["returncode"] != 0:
        return None
    return result["stdout"]


@getter("lite_accessibility_text")
def accessibility_text(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """osworld-lite's own: the linearised tree the agent observes (one tab-separated line per node)."""
    return a11y.accessibility_tree(session.sandbox, session.width, session.height, bridge=_bridge(session))  # type: ignore[arg-type]


@getter("time_diff_range")
def time_diff_range(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return spec.get("diff_range_in_minutes")


@getter("vm_screen_size")
def vm_screen_size(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return {"width": session.width, "height": session.height}


@getter("vm_window_names")
def vm_window_names(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return [w["name"] for w in session.window_info()]


# Importing the modules fills the registry with OSWorld's other getter types.
from envs.osworld_lite.getters import assets, chrome, apps  # noqa: E402,F401
