"""OSWorld's remaining file and system metrics: VS Code settings files, archives, e-books,
MP3 tags, result files, the clock's time zone, the clipboard.

Archives the agent made are unpacked on the host only after the archive limits, and only
zip archives whose members stay inside the unpack folder; OSWorld unpacks any format.
"""
from __future__ import annotations

import difflib
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.matching import match_value_to_rule
from envs.osworld_lite.metrics.safe_files import check_archive, check_size


def _read(path: Any) -> str:
    check_size(path)
    with open(path) as f:
        return f.read()


@metric("check_json_settings")
def check_json_settings(result: Any, expected: dict[str, Any]) -> float:
    """A JSON settings file has every expected key with the expected value."""
    if not result:
        return 0.0
    try:
        data = json.loads(_read(result))
    except (OSError, ValueError):
        return 0.0
    return float(all(key in data and data[key] == value for key, value in expected["expected"].items()))


@metric("check_json_keybindings")
def check_json_keybindings(result: Any, expected: dict[str, Any]) -> float:
    """A keybindings JSON list (read whole, else after its first line, a comment) holds the
    expected entry."""
    def load(skip_first: bool) -> Any:
        try:
            text = _read(result)
            if skip_first:
                text = text.split("\n", 1)[1] if "\n" in text else ""
            return json.loads(text)
        except Exception:
            return None
    for skip in (False, True):
        data = load(skip)
        if data is not None and isinstance(data, list):
            break
    else:
        return 0.0
    return float(expected["expected"] in data)


@metric("is_extension_installed")
def is_extension_installed(result: Any, rules: dict[str, Any]) -> float:
    if rules["type"] == "contain":
        return float(rules["expected"] in result)
    if rules["type"] == "not_contain":
        return float(rules["expected"] not in result)
    raise ValueError(f"is_extension_installed: unknown type {rules['type']!r}")


@metric("compare_config")
def compare_config(result: Any, rules: dict[str, Any]) -> float:
    """The file's whole text equals `rules["expected"]`."""
    if not result:
        return 0.0
    return float(_read(result) == rules["expected"])


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@metric("compare_zip_files")
def compare_zip_files(result: Any, expected: Any) -> float:
    """Same member names; equal bytes, or for PDFs text similarity (difflib) ≥ 0.95."""
    if not result:
        return 0.0
    check_archive(result)
    check_archive(expected)
    with zipfile.ZipFile(result) as a, zipfile.ZipFile(expected) as b:
        names = set(a.namelist())
        if names != set(b.namelist()):
            return 0.0
        for name in names:
            x, y = a.read(name), b.read(name)
            if name.lower().endswith(".pdf"):
                if difflib.SequenceMatcher(None, _pdf_text(x), _pdf_text(y)).ratio() < 0.95:
                    return 0.0
            elif x != y:
                return 0.0
    return 1.0


@metric("compare_result_files")
def compare_result_files(result: Any, expected: Any) -> float:
    """Stripped texts: a number expected is found in the result's text or equals its number
    within 1e-4; otherwise the texts are equal."""
    if not result or not expected:
        return 0.0
    got, want = _read(result).strip(), _read(expected).strip()
    try:
        want_number = float(want)
        if want in got:
            return 1.0
        return float(abs(float(got) - want_number) < 1e-4)
    except ValueError:
        return float(got == want)


@metric("is_utc_0")
def is_utc_0(result: Any) -> float:
    """`timedatectl` output whose fourth line (the time zone) ends in "+0000)"."""
    return float(result.split("\n")[3].endswith("+0000)"))


@metric("is_in_vm_clickboard")
def is_in_vm_clickboard(result: Any, expected: Any) -> float:
    """OSWorld's signature is (config, terminal_output): the result comes first and is read as
    the rules, so a task passing the clipboard text as the result fails with a TypeError there,
    and here alike."""
    want = result["expected"]
    if not isinstance(want, list):
        return float(want in expected)
    return float(all(item in expected for item in want))


@metric("check_mp3_meta")
def check_mp3_meta(result: Any, meta: dict[str, Any]) -> float:
    """Each ID3 tag (easy names: title, artist, …; several values joined by commas) matches
    its value rule."""
    from mutagen.easyid3 import EasyID3

    if result is None:
        return 0.0
    check_size(result)
    tags = EasyID3(result)
    ok = True
    for key, rule in meta.items():
        value = tags.get(key, "")
        if isinstance(value, list):
            value = ",".join(value)
        ok = ok and match_value_to_rule(value, rule)
    return float(ok)


def _epub_parts(path: str) -> list[str]:
    """toc.ncx without navPoint lines, content.opf without dc:identifier lines, and each .html
    member re-serialised, written beside the book; [] for a file that is not a zip."""
    import lxml.html

    base = path + ".dir"
    os.makedirs(base, exist_ok=True)
    out = []
    try:
        check_archive(path)
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            for member, drop in (("toc.ncx", "navPoint"), ("content.opf", "dc:identifier")):
                if member in names:
                    lines = z.read(member).decode().splitlines()
                    Path(base, member).write_text("".join(line + "\n" for line in lines if drop not in line))
                    out.append(os.path.join(base, member))
            for name in names:
                if name.endswith(".html"):
                    target = Path(base, name).resolve()
                    if not str(target).startswith(str(Path(base).resolve()) + os.sep):
                        raise ValueError(f"e-book member escapes its folder: {name!r}")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    text = "".join(ch for ch in z.read(name).decode() if ch not in "\r\n")
                    html = lxml.html.fromstring(text.encode())
                    target.write_text(lxml.html.tostring(html, pretty_print=True, encoding="unicode"))
                    out.append(str(target))
        return sorted(out)
    except zipfile.BadZipFile:
        return []


@metric("compare_epub")
def compare_epub(result: Any, expected: Any) -> float:
    """Mean line-diff ratio of the books' normalised parts (over the result's part count)."""
    from envs.osworld_lite.metrics.general import diff_text_file

    if result is None:
        return 0.0
    a, b = _epub_parts(result), _epub_parts(expected)
    score = sum(diff_text_file(x, y) for x, y in zip(a, b))
    return score / len(a) if a else score


def _unpack_zip(path: str, folder: str) -> None:
    check_archive(path)
    root = Path(folder).resolve()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            target = (root / info.filename).resolve()
            if target != root and not str(target).startswith(str(root) + os.sep):
                raise ValueError(f"archive member escapes the unpack folder: {info.filename!r}")
        z.extractall(root)


@metric("compare_archive")
def compare_archive(result: Any, expected: Any, file_path: str = "", file_type: str = "text", **options: Any) -> float:
    """Both archives unpacked; the files under `file_path` have the same names and score, on
    average, by the `file_type` metric (text, pdf, docx, ppt, image, csv, table); other
    options go to that metric. Only zip archives are unpacked here."""
    from envs.osworld_lite.metrics import get_metric

    if not result:
        return 0.0
    if not (zipfile.is_zipfile(result) and zipfile.is_zipfile(expected)):
        raise ValueError("compare_archive unpacks zip archives only here")
    pred, gold = os.path.splitext(result)[0] + "_pred", os.path.splitext(expected)[0] + "_gold"
    shutil.rmtree(pred, ignore_errors=True)
    os.makedirs(pred)
    _unpack_zip(result, pred)
    if not os.path.exists(gold):
        os.makedirs(gold)
        _unpack_zip(expected, gold)
    a = sorted(os.listdir(os.path.join(pred, file_path)))
    b = sorted(os.listdir(os.path.join(gold, file_path)))
    if a != b:
        return 0.0
    names = {"text": "compare_text_file", "pdf": "compare_pdfs", "docx": "compare_docx_files",
             "ppt": "compare_pptx_files", "image": "compare_images", "csv": "compare_csv", "table": "compare_table"}
    if file_type not in names:
        raise ValueError(f"compare_archive: unsupported file type {file_type!r}")
    compare = get_metric(names[file_type])
    total = sum(compare(os.path.join(pred, file_path, x), os.path.join(gold, file_path, y), **options)
                for x, y in zip(a, b))
    return total / len(a)


@metric("compare_answer")
def compare_answer(result: Any, rules: dict[str, Any]) -> float:
    if not result:
        return 0.0
    return float(result == rules["expected"])


@metric("file_contains")
def file_contains(result: Any, config: dict[str, Any]) -> float:
    """Every `config["expected"]` string is in the text file (0 when it cannot be read)."""
    if not result:
        return 0.0
    try:
        text = _read(result)
        return float(all(t in text for t in config["expected"]))
    except Exception:
        return 0.0


@metric("check_text_enlarged")
def check_text_enlarged(result: Any) -> float:
    """A text scaling factor (gsettings output) above 1."""
    return float(float(result) > 1.0)


@metric("check_gnome_favorite_apps")
def check_gnome_favorite_apps(result: Any, rule: dict[str, Any]) -> float:
    """The favourite-apps list (gsettings' Python-like list) has exactly the expected apps.
    OSWorld evaluates the text with eval(); here only a literal is read."""
    import ast

    apps = ast.literal_eval(result)
    return float(len(apps) == len(rule["expected"]) and set(apps) == set(rule["expected"]))


@metric("check_moved_jpgs")
def check_moved_jpgs(result: Any, rule: dict[str, Any]) -> float:
    """A directory tree's children are exactly the expected names."""
    moved = [node["name"] for node in result["children"]]
    return float(len(moved) == len(rule["expected"]) and set(moved) == set(rule["expected"]))


@metric("is_included_all_json_objects")
def is_included_all_json_objects(result: Any, expected: Any) -> float:
    """OSWorld's argument order is (gold, result): every key of the first JSON file has the
    same value in the second."""
    if not result or not expected:
        return 0.0
    gold, got = json.loads(_read(result)), json.loads(_read(expected))
    return float(all(k in got and gold[k] == got[k] for k in gold))


@metric("compare_terminal_and_txt")
def compare_terminal_and_txt(result: Any, expected: Any) -> float:
    """OSWorld's argument order is (txt_file, terminal_output): the file's text equals it."""
    if not result or not expected:
        return 0.0
    return float(expected == _read(result))


def _normalise_python(text: str) -> str:
    lines = text.splitlines()
    i = 0
    while i < len(lines) and i < 3:
        s = lines[i].strip()
        if s.startswith(("#!", "# -*- coding:", "# coding:", "# coding=")):
            i += 1
            continue
        break
    return "\n".join(line.expandtabs(4).rstrip() for line in lines[i:] if line.strip())


@metric("compare_python_pure_text")
def compare_python_pure_text(result: Any, expected: Any) -> float:
    """Python sources equal once a shebang/coding header, blank lines and trailing spaces are
    dropped and tabs expanded."""
    if not result or not expected:
        return 0.0
    try:
        return float(_normalise_python(_read(result)) == _normalise_python(_read(expected)))
    except (OSError, UnicodeDecodeError):
        return 0.0
