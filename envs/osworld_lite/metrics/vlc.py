"""OSWorld's VLC metrics: settings read from vlcrc, the playing state, the window size.

The vlcrc checks scan every line containing `key=`, commented-out defaults (`#key=value`)
included, and keep the last one, starting from VLC's default: OSWorld's exact reading.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlparse

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import check_size


def _text(path: Any) -> str:
    check_size(path)
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def _last_setting(config: str, key: str, default: str) -> str:
    value = default
    for line in config.split("\n"):
        if key in line:
            value = line.split("=")[-1].strip()
    return value


def _setting_metric(result: Any, rule: dict[str, Any], rule_key: str, key: str, default: str) -> float:
    config = _text(result)
    expected = rule[rule_key]
    if isinstance(expected, int):
        expected = str(expected)
    return float(_last_setting(config, key, default) == expected)


@metric("check_qt_bgcone")
def check_qt_bgcone(result: Any, rule: dict[str, Any]) -> float:
    return _setting_metric(result, rule, "expected_qt_bgcone", "qt-bgcone=", "1")


@metric("check_qt_max_volume")
def check_qt_max_volume(result: Any, rule: dict[str, Any]) -> float:
    return _setting_metric(result, rule, "expected_qt_max_volume", "qt-max-volume=", "125")


@metric("check_qt_minimal_view")
def check_qt_minimal_view(result: Any, rule: dict[str, Any]) -> float:
    return _setting_metric(result, rule, "expected_qt_minimal_view", "qt-minimal-view=", "0")


@metric("check_one_instance_when_started_from_file")
def check_one_instance_when_started_from_file(result: Any, rule: dict[str, Any]) -> float:
    return _setting_metric(result, rule, "expected_one_instance_when_started_from_file",
                           "one-instance-when-started-from-file=", "1")


@metric("check_global_key_play_pause")
def check_global_key_play_pause(result: Any, rule: dict[str, Any]) -> float:
    """"1" when the last `global-key-play-pause=` line binds a key, "0" when empty or absent."""
    config = _text(result)
    expected = rule["expected_global_key_play_pause"]
    if isinstance(expected, int):
        expected = str(expected)
    value = "0"
    for line in config.split("\n"):
        if "global-key-play-pause=" in line:
            value = "0" if line.split("=")[-1].strip() == "" else "1"
    return float(value == expected)


@metric("check_qt_slider_colours")
def check_qt_slider_colours(result: Any, rule: dict[str, Any]) -> float:
    """`type` match: the colours string equals the expected one; blackish: every colour's
    channels are under 100."""
    config = _text(result)
    colours = _last_setting(config, "qt-slider-colours", "153;210;153;20;210;20;255;199;15;245;39;29")
    try:
        if rule["type"] == "match":
            return float(colours == rule["expected_qt_slider_colours"])
        if rule["type"] == "blackish":
            values = [int(x) for x in colours.split(";")]
            triples = list(zip(values[0::3], values[1::3], values[2::3]))
            return float(all(all(v < 100 for v in rgb) for rgb in triples))
    except Exception:  # OSWorld scores a malformed setting 0
        return 0.0
    return 0.0


@metric("is_vlc_recordings_folder")
def is_vlc_recordings_folder(result: Any, rule: dict[str, Any]) -> float:
    """The first uncommented line mentioning input-record-path sets the expected folder."""
    config = _text(result)
    for line in config.split("\n"):
        if line.startswith("#") or not line.strip():
            continue
        if "input-record-path" in line:
            return float(line.split("=")[-1].strip() == rule["recording_file_path"])
    return 0.0


@metric("is_vlc_fullscreen")
def is_vlc_fullscreen(result: Any, expected: Any) -> float:
    if expected is None or result is None:
        return 0.0
    return float(result["width"] == expected["width"] and result["height"] == expected["height"])


_FILE_FIELDS = ["filename", "title", "uri", "location", "name"]
_URL_PATHS = ['information/category[@name="meta"]/info[@name="url"]',
              'information/category[@name="meta"]/info[@name="URI"]',
              'information/category[@name="meta"]/info[@name="location"]',
              'information/category[@name="meta"]/info[@name="title"]',
              'information/category[@name="meta"]/info[@name="filename"]',
              'information/category[@name="Stream 0"]/info[@name="Codec"]',
              'information/category[@name="Stream 0"]/info[@name="Type"]',
              'information/category[@name="Stream 0"]/info[@name="Language"]']


def _first_text(tree: ET.Element, paths: list[str]) -> str | None:
    for path in paths:
        el = tree.find(path)
        if el is not None and el.text:
            return el.text
    return None


@metric("is_vlc_playing")
def is_vlc_playing(result: Any, rule: dict[str, Any]) -> float:
    """VLC's status.xml says playing, and the playing item matches `rule` (type file_name or url)."""
    tree = ET.fromstring(_text(result))
    if tree.find("state").text != "playing":  # type: ignore[union-attr]
        return 0.0
    if rule["type"] == "file_name":
        info = _first_text(tree, [f'information/category[@name="meta"]/info[@name="{n}"]' for n in _FILE_FIELDS])
        if not info:
            return 0.0
        want = rule["file_name"]
        return float(os.path.basename(info) == want or info.endswith(want))
    if rule["type"] == "url":
        info = _first_text(tree, _URL_PATHS)
        if not info:
            return 0.0
        want = rule["url"]
        if want in info or info.endswith(want):
            return 1.0
        try:
            parsed = urlparse(want)
            if info == os.path.basename(parsed.path):
                return 1.0
            if "://" in info:
                actual = urlparse(info)
                if parsed.netloc == actual.netloc and parsed.path in actual.path:
                    return 1.0
        except ValueError:
            pass
        return 0.0
    return 0.0
