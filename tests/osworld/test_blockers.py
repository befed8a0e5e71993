"""Blockers: the exact reasons a task cannot run here, and the runnable flag they decide."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envs.osworld.assets import AssetCache
from envs.osworld.blockers import blockers, needed_programs
from envs.osworld.task import parse_task
from tests.osworld.conftest import task

URL = "https://huggingface.co/datasets/x/resolve/main/os/{}.xlsx"


def _blockers(cache: AssetCache | None = None, **fields: Any) -> list[str]:
    return blockers(parse_task(task("t", **fields), origin="os/t.json"), cache)


@pytest.fixture
def cache(tmp_path: Path) -> AssetCache:
    return AssetCache(tmp_path / "cache")


def _download(*names: str) -> dict[str, Any]:
    return {"type": "download", "parameters": {"files": [{"url": URL.format(n), "path": f"/home/user/{n}.xlsx"}
                                                         for n in names]}}


def test_a_plain_task_is_runnable(cache: AssetCache) -> None:
    assert _blockers(cache, config=[{"type": "execute", "parameters": {"command": ["true"]}}]) == []


def test_missing_assets_are_counted_and_present_ones_are_not(cache: AssetCache) -> None:
    fields = {"config": [_download("a", "b")],
              "evaluator": {"func": "compare_table", "result": {"type": "vm_file", "path": "/home/user/a.xlsx",
                                                                "dest": "a.xlsx"},
                            "expected": {"type": "cloud_file", "path": URL.format("gold"), "dest": "g.xlsx"}}}
    assert "3 of 3 assets missing from the cache" in " ".join(_blockers(cache, **fields))
    cache.path(URL.format("a")).parent.mkdir(parents=True)
    cache.path(URL.format("a")).write_bytes(b"PK\x03\x04")
    cache.path(URL.format("gold")).write_bytes(b"PK\x03\x04")
    assert [b for b in _blockers(cache, **fields) if "assets" in b] == \
        [f"1 of 3 assets missing from the cache {cache.root}"]
    assert "no asset cache given" in " ".join(_blockers(None, **fields))


def test_apps_are_checked_against_real_binaries(cache: AssetCache) -> None:
    assert _blockers(cache, related_apps=["vscode"]) == \
        ["app not installed: code (VS Code is not packaged by Debian)"]
    launch = {"type": "launch", "parameters": {"command": "VLC_VERBOSE=-1 no-such-player --x", "shell": True}}
    assert _blockers(cache, config=[launch]) == ["app not installed: no-such-player"]
    opened = parse_task(task("t", related_apps=["chrome"], config=[
        {"type": "open", "parameters": {"path": "/home/user/deck.pptx"}},
        {"type": "launch", "parameters": {"command": ["google-chrome", "--remote-debugging-port=1337"]}},
        {"type": "launch", "parameters": {"command": ["socat", "tcp-listen:9222,fork", "tcp:localhost:1337"]}}]),
        origin="x")
    assert needed_programs(opened) == ["chromium", "libreoffice:impress"]


def test_live_web_and_accounts(cache: AssetCache) -> None:
    assert _blockers(cache, proxy=True) == ["needs live web (OSWorld runs it through its web proxy: proxy: true)"]
    tabs = {"type": "chrome_open_tabs", "parameters": {"urls_to_open": ["https://www.example.org/a", "file:///x"]}}
    assert _blockers(cache, config=[tabs]) == ["needs live web: setup opens https://www.example.org/a"]
    local = {"type": "chrome_open_tabs", "parameters": {"urls_to_open": ["file:///home/user/a.html"]}}
    assert _blockers(cache, config=[local]) == []
    reads_page = {"func": "exact_match", "result": {"type": "active_tab_info"},
                  "expected": {"type": "rule", "rules": {"expected": "https://shop.example.com/cart"}}}
    assert any(b.startswith("needs live web: active_tab_info reads web pages")
               for b in _blockers(cache, evaluator=reads_page))
    drive = {"type": "googledrive", "parameters": {"settings_file": "s.yml", "operation": ["delete"], "args": [{}]}}
    assert _blockers(cache, config=[drive]) == ["needs a Google account (googledrive)"]


def test_unknown_steps_getters_metrics_and_procps(cache: AssetCache) -> None:
    assert _blockers(cache, config=[{"type": "tidy_desktop", "parameters": {}}]) == \
        ["unsupported: setup step type 'tidy_desktop' is not supported"]
    found = _blockers(cache, evaluator={"func": ["exact_match", "no_such_metric"],
                                        "result": [{"type": "no_such_getter"}, {"type": "vm_file", "path": "a"}],
                                        "expected": [{"type": "rule", "rules": {}}, {"type": "rule", "rules": {}}]})
    assert found == ["getter not available: no_such_getter", "metric not available: no_such_metric"]
    assert _blockers(cache, evaluator={"func": ["exact_match", "exact_match"], "result": [{"type": "vm_file"}]}) \
        == ["malformed evaluator: evaluator has 2 func(s) but 1 result entries"]
    ps = {"func": "check_include_exclude", "result": {"type": "vm_command_line",
                                                      "command": ["/bin/bash", "-c", "ps aux | grep soffice"]},
          "expected": {"type": "rule", "rules": {"include": ["x"]}}}
    assert _blockers(cache, evaluator=ps) == \
        ["evaluation command uses procps (ps/pgrep), which cannot run where evaluation commands run"]


def test_gnome_shell(cache: AssetCache) -> None:
    cmd = {"type": "execute", "parameters": {"command": ["gsettings", "set", "org.gnome.shell", "favorite-apps", "[]"]}}
    assert _blockers(cache, config=[cmd]) == ["needs GNOME Shell (org.gnome.shell)"]


def test_evaluation_commands_needing_missing_services(cache: AssetCache) -> None:
    volume = {"func": "exact_match", "result": {"type": "vm_command_line", "command": "pactl get-sink-volume 0",
                                                "shell": True},
              "expected": {"type": "rule", "rules": {"expected": "50%"}}}
    assert _blockers(cache, evaluator=volume) == \
        ["evaluation command needs a PulseAudio server (pactl), which the sandbox has not"]


def test_web_addresses_in_the_instruction(cache: AssetCache) -> None:
    assert _blockers(cache, instruction="Clone https://github.com/x/y to /home/user.") == \
        ["needs live web: the instruction sends the agent to https://github.com/x/y"]
