"""OSWorld's getters for application settings and documents' embedded media.

VLC and GIMP keep their settings where OSWorld's getters read them on Ubuntu
(~/.config/vlc/vlcrc, ~/.config/GIMP/2.10/<file>), since Debian ships the same versions'
layouts. Impress media getters look inside the .pptx for the slide's background image or
audio, as OSWorld does, through the same archive limits every metric uses.
"""
from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

from envs.osworld_lite.getters import cache_name, getter, read_vm_file, vm_file
from envs.osworld_lite.metrics.safe_files import check_archive
from envs.osworld_lite.session import DesktopSession

VLCRC = "/home/user/.config/vlc/vlcrc"
GIMP_DIR = "/home/user/.config/GIMP/2.10"
_REL_NS = {"r": "http://schemas.openxmlformats.org/package/2006/relationships"}
_P_BGPR = "{http://schemas.openxmlformats.org/presentationml/2006/main}bgPr"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def _copy(session: DesktopSession, path: str, dest: Any, workdir: Path) -> str | None:
    data = read_vm_file(session, path)
    if data is None:
        return None
    local = workdir / cache_name(dest)
    local.write_bytes(data)
    return str(local)


@getter("vlc_config")
def vlc_config(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """VLC's vlcrc. OSWorld fails on a missing file; here it scores the metric's own None."""
    return _copy(session, VLCRC, spec["dest"], workdir)


_VLC_STATUS = r"""
import base64, sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:8080/requests/status.xml",
                             headers={"Authorization": "Basic " + base64.b64encode(b":password").decode()})
try:
    with urllib.request.urlopen(req, timeout=5) as resp:
        sys.stdout.write(resp.read().decode("utf-8", "replace"))
except Exception as err:
    sys.stderr.write(repr(err))
    sys.exit(3)
"""


@getter("vlc_playing_info")
def vlc_playing_info(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """VLC's status.xml from its HTTP interface (loopback port 8080, password "password", as
    on OSWorld's VM), fetched inside the sandbox; None when VLC does not answer."""
    from envs.osworld_lite.getters import run_checked

    result = run_checked(session, ["/usr/bin/python3", "-I", "-c", _VLC_STATUS], timeout=15)
    if result["returncode"] != 0 or result["timed_out"] or result["overflow"]:
        return None
    local = workdir / cache_name(spec["dest"])
    local.write_text(result["stdout"])
    return str(local)


_VIDEO_TYPES = ["3gp", "3gpp", "3gpp2", "avi", "divx", "dv", "fli", "flv", "mp2t", "mp4", "mp4v-es", "mpeg",
                "mpeg-system", "msvideo", "ogg", "quicktime", "vnd.divx", "vnd.mpegurl", "vnd.rn-realvideo", "webm",
                "x-anim", "x-avi", "x-flc", "x-fli", "x-flv", "x-m4v", "x-matroska", "x-mpeg", "x-mpeg-system",
                "x-mpeg2", "x-ms-asf", "x-ms-asf-plugin", "x-ms-asx", "x-ms-wm", "x-ms-wmv", "x-ms-wmx", "x-ms-wvx",
                "x-msvideo", "x-nsv", "x-ogm", "x-theora"]


@getter("default_video_player")
def default_video_player(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """The desktop file `xdg-mime` names most often as the default for video types (with its
    newline, as OSWorld's command output), or "unknown"."""
    from collections import Counter

    from envs.osworld_lite.getters import run_checked

    script = "for t in " + " ".join(_VIDEO_TYPES) + "; do xdg-mime query default video/$t; echo @@; done"
    result = run_checked(session, ["/bin/bash", "-c", script], timeout=60)
    apps = [chunk.lstrip("\n") for chunk in result["stdout"].split("@@")[:-1]]
    apps = [a for a in apps if a]
    return Counter(apps).most_common(1)[0][0] if apps else "unknown"


@getter("gimp_config_file")
def gimp_config_file(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """A file of GIMP's config folder (`file_name`: gimprc, sessionrc, …); None if absent."""
    return _copy(session, f"{GIMP_DIR}/{cache_name(spec['file_name'])}", spec["dest"], workdir)


@getter("shortcuts_on_desktop")
def shortcuts_on_desktop(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """{file name: text} of every *.desktop file in ~/Desktop."""
    from envs.osworld_lite.getters import list_directory

    tree = list_directory(session, {"path": "/home/user/Desktop"}, workdir) or {"children": []}
    out: dict[str, str] = {}
    for child in tree.get("children", []):
        if child["name"].endswith(".desktop"):
            data = read_vm_file(session, f"/home/user/Desktop/{child['name']}")
            if data is not None:
                out[child["name"]] = data.decode("utf-8")
    return out


def _slide_target(pptx: str, slide_index: int, want: str) -> tuple[str, str] | None:
    """("zip" | "file", path) of the slide's background image (want="image") or audio."""
    check_archive(pptx)
    with zipfile.ZipFile(pptx) as archive:
        names = set(archive.namelist())
        image_id = None
        if want == "image":
            slide = f"ppt/slides/slide{slide_index + 1}.xml"
            if slide not in names:
                return None
            root = ET.fromstring(archive.read(slide))
            for bg in root.iter(_P_BGPR):
                for blip in bg.iter(_A_BLIP):
                    image_id = blip.attrib.get(_R_EMBED)
                    break
                if image_id is not None:
                    break
            if image_id is None:
                return None
        rels = f"ppt/slides/_rels/slide{slide_index + 1}.xml.rels"
        if rels not in names:
            return None
        for rel in ET.fromstring(archive.read(rels)).findall("r:Relationship", _REL_NS):
            if want not in rel.attrib.get("Type", "") or (image_id is not None and rel.attrib.get("Id") != image_id):
                continue
            target = rel.attrib["Target"]
            if target.startswith(".."):
                return "zip", posixpath.normpath(posixpath.join("ppt/slides", target))
            if not target.startswith("file://"):
                raise ValueError(f"unexpected media target {target!r}")
            return "file", target[len("file://"):]
    return None


def _slide_media(session: DesktopSession, spec: dict[str, Any], workdir: Path, want: str) -> Any:
    path = str(spec["ppt_file_path"])
    local = vm_file(session, {"path": path, "dest": posixpath.basename(path)}, workdir)
    if local is None:
        return None
    found = _slide_target(local, int(spec["slide_index"]), want)
    if found is None:
        return None
    where, member = found
    if where == "file":
        return vm_file(session, {"path": member, "dest": spec["dest"]}, workdir)
    out = workdir / "extracted" / member
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(local) as archive:
        out.write_bytes(archive.read(member))
    return str(out)


@getter("background_image_in_slide")
def background_image_in_slide(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return _slide_media(session, spec, workdir, "image")


@getter("audio_in_slide")
def audio_in_slide(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    return _slide_media(session, spec, workdir, "audio")


@getter("vm_window_size")
def vm_window_size(session: DesktopSession, spec: dict[str, Any], workdir: Path) -> Any:
    """{"width", "height"} of the first window whose WM class contains `app_class_name`
    (None when there is none)."""
    want = str(spec["app_class_name"]).lower()
    for w in session.window_info():
        if any(want in str(c).lower() for c in w["class"]):
            geometry = session._x.create_resource_object("window", w["id"]).get_geometry()  # noqa: SLF001
            return {"width": geometry.width, "height": geometry.height}
    return None
