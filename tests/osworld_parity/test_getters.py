"""OSWorld's getters against a real episode sandbox: files copied out under their `dest` names
with OSWorld's multi/gives, the asset cache, the cache folder, app settings, Chromium's profile
files; and the URL rules OSWorld's Chrome getters apply."""
from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envs.errors import InfrastructureError
from envs.osworld_lite import getters
from envs.osworld_lite.getters.chrome import PROFILE, address_bar_text, query_params
from envs.osworld_lite.metrics import UnknownMetricOption, blocker, call_metric, check_options
from envs.osworld_lite.session import DesktopSession
from tests.support.prereqs import require_desktop

URL = "https://huggingface.co/datasets/x/resolve/main/task%201/gold.xlsx"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopSession]:
    require_desktop()
    s = DesktopSession(640, 480).prepare()
    s.start()
    assets = tmp_path_factory.mktemp("assets")
    (assets / "huggingface.co/datasets/x/resolve/main/task 1").mkdir(parents=True)
    (assets / "huggingface.co/datasets/x/resolve/main/task 1/gold.xlsx").write_bytes(b"gold")
    s.options = {"osworld_assets": str(assets)}  # type: ignore[attr-defined]
    s.cache_dir = tmp_path_factory.mktemp("cache")  # type: ignore[attr-defined]
    (s.cache_dir / "diff.out").write_text("")  # type: ignore[attr-defined]
    s.sandbox.write_files({  # type: ignore[union-attr]
        "~/Documents/book.xlsx": b"book", "~/Documents/book-Sheet1.csv": b"a,b\n",
        "~/.config/vlc/vlcrc": b"[qt]\nqt-max-volume=200\n",
        "~/.config/GIMP/2.10/gimprc": b'(default-export-path "/home/user/Desktop")\n',
        "~/Desktop/docs.desktop": b"[Desktop Entry]\nName=Docs\nExec=chromium x\n",
        "~/Desktop/notes.txt": b"x",
        f"{PROFILE}/Preferences": json.dumps({
            "profile": {"name": "Work", "default_content_setting_values": {"cookies": 2}},
            "default_search_provider_data": {"template_url_data": {"short_name": "DuckDuckGo"}},
            "webkit": {"webprefs": {"default_font_size": 20}}, "enable_do_not_track": True,
            "extensions": {"settings": {"abc": {"path": "/home/user/ext", "manifest": {"name": "Helper"}}}},
        }).encode(),
        f"{PROFILE}/Bookmarks": json.dumps({"roots": {"bookmark_bar": {"children": []}}}).encode(),
        f"{PROFILE}/Cookies": _cookies(),
        f"{PROFILE}/History": _history(),
        f"{PROFILE.rsplit('/', 1)[0]}/Local State": json.dumps({
            "browser": {"enabled_labs_experiments": ["smooth-scrolling@2"]}, "intl": {"app_locale": "fr"}}).encode(),
    })
    try:
        yield s
    finally:
        s.close()


def _cookies() -> bytes:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".db") as f:
        with sqlite3.connect(f.name) as conn:
            conn.execute("CREATE TABLE cookies (creation_utc INTEGER, host_key TEXT, name TEXT)")
            conn.execute("INSERT INTO cookies VALUES (1, '.example.com', 'sid')")
        return Path(f.name).read_bytes()


def _history() -> bytes:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".db") as f:
        with sqlite3.connect(f.name) as conn:
            conn.execute("CREATE TABLE urls (id INTEGER, url TEXT, title TEXT, last_visit_time INTEGER)")
            conn.execute("INSERT INTO urls VALUES (1, 'https://example.com/', 'Example', 13300000000000000)")
        return Path(f.name).read_bytes()


def resolve(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return getters.resolve(session, spec, workdir)


def test_vm_file_dest_names_and_gives(session: DesktopSession, tmp_path: Path) -> None:
    one = resolve(session, {"type": "vm_file", "path": "/home/user/Documents/book.xlsx", "dest": "result.xlsx"}, tmp_path)
    assert one == str(tmp_path / "result.xlsx") and Path(one).read_bytes() == b"book"
    spec = {"type": "vm_file", "multi": True, "gives": [0],
            "path": ["/home/user/Documents/book.xlsx", "/home/user/Documents/book-Sheet1.csv"],
            "dest": ["book.xlsx", "book-Sheet1.csv"]}
    # one given file comes as itself, and its sibling is there too (sheet_print reads it)
    assert resolve(session, spec, tmp_path) == str(tmp_path / "book.xlsx")
    assert (tmp_path / "book-Sheet1.csv").read_text() == "a,b\n"
    both = resolve(session, {**spec, "gives": [0, 1]}, tmp_path)
    assert both == [str(tmp_path / "book.xlsx"), str(tmp_path / "book-Sheet1.csv")]
    missing = resolve(session, {**spec, "path": ["~/nothing.xlsx", "~/Documents/book.xlsx"], "gives": [0, 1]}, tmp_path)
    assert missing[0] is None and missing[1] is not None
    stamped = resolve(session, {"type": "vm_file", "path": "~/Documents/book.xlsx", "dest": "b.xlsx",
                                "time_suffix": True, "time_format": "%Y"}, tmp_path)
    assert Path(stamped).name.startswith("b_20") and Path(stamped).suffix == ".xlsx"
    with pytest.raises(ValueError, match="multi"):
        resolve(session, {"type": "vm_file", "path": ["a", "b"], "dest": ["a", "b"]}, tmp_path)
    with pytest.raises(ValueError, match="plain file name"):
        resolve(session, {"type": "vm_file", "path": "~/Documents/book.xlsx", "dest": "../escape"}, tmp_path)


def test_cloud_file_comes_from_the_asset_cache(session: DesktopSession, tmp_path: Path) -> None:
    got = resolve(session, {"type": "cloud_file", "path": URL, "dest": "gold.xlsx"}, tmp_path)
    assert Path(got).read_bytes() == b"gold" and Path(got).name == "gold.xlsx"
    with pytest.raises(InfrastructureError, match="asset missing"):
        resolve(session, {"type": "cloud_file", "path": URL.replace("gold", "other"), "dest": "o.xlsx"}, tmp_path)


def test_cache_file_and_app_settings(session: DesktopSession, tmp_path: Path) -> None:
    assert Path(resolve(session, {"type": "cache_file", "path": "diff.out"}, tmp_path)).read_text() == ""
    with pytest.raises(InfrastructureError):
        resolve(session, {"type": "cache_file", "path": "never-written.out"}, tmp_path)
    vlcrc = resolve(session, {"type": "vlc_config", "dest": "vlcrc"}, tmp_path)
    assert call_metric("check_qt_max_volume", vlcrc, {"expected_qt_max_volume": 200}) == 1.0
    gimprc = resolve(session, {"type": "gimp_config_file", "file_name": "gimprc", "dest": "gimprc"}, tmp_path)
    assert "default-export-path" in Path(gimprc).read_text()
    assert resolve(session, {"type": "gimp_config_file", "file_name": "sessionrc", "dest": "s"}, tmp_path) is None
    shortcuts = resolve(session, {"type": "shortcuts_on_desktop"}, tmp_path)
    assert list(shortcuts) == ["docs.desktop"]
    assert call_metric("is_shortcut_on_desktop", shortcuts, {"type": "name", "name": "Docs"}) == 1.0


def test_chromium_profile_readers(session: DesktopSession, tmp_path: Path) -> None:
    def get(kind: str, **extra: Any) -> Any:
        return resolve(session, {"type": kind, **extra}, tmp_path)
    assert get("profile_name") == "Work"
    assert get("default_search_engine") == "DuckDuckGo"
    assert get("chrome_font_size") == {"default_font_size": 20}
    assert get("enable_do_not_track") == "true"
    assert get("data_delete_automacally") == "true"
    assert get("new_startup_page") == "true"       # no "session" key: OSWorld's answer
    assert get("find_unpacked_extension_path") == ["/home/user/ext"]
    assert get("find_installed_extension_name") == ["Helper"]
    assert get("bookmarks") == {"bookmark_bar": {"children": []}}
    assert get("cookie_data", dest="Cookies") == [(1, ".example.com", "sid")]
    assert get("history", dest="History") == [("https://example.com/", "Example", 13300000000000000)]
    assert get("enabled_experiments") == ["smooth-scrolling@2"]
    assert get("chrome_language") == "fr"
    assert get("enable_safe_browsing") == "false"
    assert get("enable_enhanced_safety_browsing") == "false"
    assert call_metric("check_enabled_experiments", get("enabled_experiments"),
                       {"type": "names", "names": ["smooth-scrolling"]}) == 1.0
    assert call_metric("check_history_deleted", get("history", dest="History"),
                       {"type": "keywords", "keywords": ["example"]}) == 0.0
    assert isinstance(get("default_video_player"), str)


def test_address_bar_and_query_rules() -> None:
    assert address_bar_text("https://www.example.com/a?q=1") == "example.com/a?q=1"
    assert address_bar_text("http://example.com/") == "example.com/"
    assert address_bar_text("chrome://settings/") == "chrome://settings/"
    url = "https://www." + address_bar_text("https://www.shop.com/s?brand=Acme,Zed&size=&sort=price")
    assert query_params(url, {"parse_keys": ["brand", "size", "color"]}) == {"brand": "Acme,Zed", "size": "", "color": ""}
    assert query_params(url, {"parse_keys": ["brand", "sort"], "replace": {"sort": "order"}, "split_list": True}) \
        == {"brand": ["Acme", "Zed"], "order": ["price"]}


def test_unknown_options_raise_and_blockers_name_them() -> None:
    with pytest.raises(UnknownMetricOption, match="ignore_spaces"):
        check_options("compare_text_file", {"ignore_blanks": True, "ignore_spaces": True})
    with pytest.raises(UnknownMetricOption):
        call_metric("exact_match", "a", {"expected": "a"}, {"strict": True})
    assert blocker("compare_text_file", {"ignore_blanks": True}) is None
    assert "ignore_spaces" in (blocker("compare_text_file", {"ignore_spaces": True}) or "")
    assert "librosa" in (blocker("compare_audios", {}) or "")
    assert blocker("no_such_metric") == "metric not available: no_such_metric"
    assert blocker("compare_table", {"rules": [{"type": "style"}, {"type": "sheet_data"}]}) is None
    assert "heatmap" in (blocker("compare_table", {"rules": [{"type": "heatmap"}, {"type": "sheet_data"}]}) or "")


def test_slide_background_image(session: DesktopSession, tmp_path: Path) -> None:
    """background_image_in_slide finds the picture a slide's background fill points at."""
    from pptx import Presentation
    from PIL import Image

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 128, 0)).save(buf, "PNG")
    picture = slide.shapes.add_picture(io.BytesIO(buf.getvalue()), 0, 0)
    rid = picture._element.blipFill.blip.rEmbed  # noqa: SLF001  the image part's relationship id
    ns = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    from lxml import etree
    c_sld = slide._element.find(f"{{{ns}}}cSld")  # noqa: SLF001
    bg = etree.Element(f"{{{ns}}}bg")
    bg_pr = etree.SubElement(bg, f"{{{ns}}}bgPr")
    fill = etree.SubElement(bg_pr, f"{{{a}}}blipFill")
    etree.SubElement(fill, f"{{{a}}}blip", {f"{{{r}}}embed": rid})
    etree.SubElement(bg_pr, f"{{{a}}}effectLst")
    c_sld.insert(0, bg)
    out = io.BytesIO()
    prs.save(out)
    session.sandbox.write_files({"~/deck.pptx": out.getvalue()})  # type: ignore[union-attr]
    got = resolve(session, {"type": "background_image_in_slide", "ppt_file_path": "/home/user/deck.pptx",
                            "slide_index": 0, "dest": "bg.png"}, tmp_path)
    assert got is not None and Image.open(got).getpixel((1, 1)) == (0, 128, 0)
    assert resolve(session, {"type": "audio_in_slide", "ppt_file_path": "/home/user/deck.pptx",
                             "slide_index": 0, "dest": "a.mp3"}, tmp_path) is None


@pytest.mark.slow
def test_accessibility_tree_is_osworlds_xml(tmp_path: Path) -> None:
    """The accessibility_tree getter gives OSWorld's XML (role elements, st:/attr:/cp:
    attributes) that check_accessibility_tree selects from; Thunderbird's (Gecko) tree is on it."""
    from envs.osworld_lite.apps import launch_spec

    require_desktop()
    s = DesktopSession(1024, 768).prepare()
    s.start()
    try:
        s.install_libreoffice_profile()
        s.launch(launch_spec(["/usr/bin/thunderbird"]))
        xml = resolve(s, {"type": "accessibility_tree"}, tmp_path)
        assert xml.startswith("<desktop-frame")
        rules = [{"xpath": "//application[@name='Thunderbird']/frame[@st:showing='true']"}]
        assert call_metric("check_accessibility_tree", xml, rules) == 1.0
        assert call_metric("check_accessibility_tree", xml, [{"selectors": ["application[name=Thunderbird] frame"],
                                                              "text": "no such text", "exact": True}]) == 0.0
    finally:
        s.close()


@pytest.mark.slow
def test_vlc_playing_info_from_its_http_interface(tmp_path: Path) -> None:
    """VLC started as OSWorld's tasks start it answers on its HTTP interface, as on the VM."""
    import math
    import struct
    import wave

    from envs.osworld_lite.apps import launch_spec

    require_desktop()
    sound = tmp_path / "tone.wav"
    with wave.open(str(sound), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 5))) for i in range(8000 * 30)))
    s = DesktopSession(1024, 768).prepare()
    s.start()
    try:
        s.install_libreoffice_profile()
        s.sandbox.write_files({"~/Desktop/tone.wav": sound.read_bytes()})  # type: ignore[union-attr]
        s.launch(launch_spec("VLC_VERBOSE=-1 vlc --no-audio --no-video-title-show /home/user/Desktop/tone.wav",
                             shell=True))
        status = None
        for _ in range(20):  # the HTTP interface comes up just after the window
            status = resolve(s, {"type": "vlc_playing_info", "dest": "status.xml"}, tmp_path)
            if status and call_metric("is_vlc_playing", status, {"type": "file_name", "file_name": "tone.wav"}):
                break
            import time
            time.sleep(0.5)
        assert status is not None
        assert call_metric("is_vlc_playing", status, {"type": "file_name", "file_name": "tone.wav"}) == 1.0
        assert call_metric("is_vlc_playing", status, {"type": "file_name", "file_name": "other.mp4"}) == 0.0
    finally:
        s.close()
