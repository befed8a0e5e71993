"""Metrics on real files written with openpyxl, python-docx, Pillow and plain I/O."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl.styles import Font
from PIL import Image

from envs.errors import UnknownIdError
from envs.osworld_lite.metrics import METRICS, call_metric, get_metric


def xlsx(path: Path, rows: list[list], title: str = "Sheet1", formulas: dict[str, str] | None = None,
         bold: tuple[str, ...] = (), freeze: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for coord, f in (formulas or {}).items():
        ws[coord] = f
    for coord in bold:
        ws[coord].font = Font(bold=True)
    ws.freeze_panes = freeze
    wb.save(path)
    return path


def docx(path: Path, paragraphs: list[str], center_first: bool = False, bold: str | None = None,
         heading: str | None = None) -> Path:
    doc = Document()
    if heading:
        doc.add_paragraph(heading, style="Heading 1")
    for text in paragraphs:
        par = doc.add_paragraph()
        run = par.add_run(text)
        if bold and bold in text:
            run.bold = True
    if center_first:
        doc.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.save(str(path))
    return path


# --- registry -------------------------------------------------------------------------------

def test_registry_has_osworld_names() -> None:
    for name in ("lite_compare_table", "compare_docx_files", "lite_compare_text_file", "check_include_exclude",
                 "exact_match", "fuzzy_match", "literal_match", "check_direct_json_object",
                 "is_expected_url_pattern_match", "check_csv", "check_list", "check_file_exists", "exists"):
        assert name in METRICS, name


def test_unknown_metric_suggests_close_names() -> None:
    with pytest.raises(UnknownIdError) as err:
        get_metric("compare_tabel")
    assert "lite_compare_table" in str(err.value)


# --- strings and JSON -------------------------------------------------------------------------

def test_exact_match() -> None:
    assert call_metric("exact_match", "4", {"expected": "4"}) == 1.0
    assert call_metric("exact_match", "4\n", {"expected": "4"}) == 0.0
    assert call_metric("exact_match", None, {"expected": "4"}) == 0.0


def test_fuzzy_match_is_a_ratio() -> None:
    assert call_metric("fuzzy_match", "Dana Smith", {"expected": "Dana Smith"}) == 1.0
    score = call_metric("fuzzy_match", "Dana Smyth", {"expected": "Dana Smith"})
    assert 0.8 < score < 1.0


def test_literal_match_types_and_case() -> None:
    assert call_metric("literal_match", "Report", "report", {"ignore_case": True}) == 1.0
    assert call_metric("literal_match", "Report", "report") == 0.0
    assert call_metric("literal_match", ["a", "b"], ["a", "b"], {"type": "list"}) == 1.0
    assert call_metric("literal_match", ["b", "a"], ["a", "b"], {"type": "list"}) == 0.0
    with pytest.raises(ValueError, match="unknown type"):
        call_metric("literal_match", "a", "a", {"type": "set"})


def test_check_include_exclude() -> None:
    rules = {"include": ["beach.jpg", "dog.jpg"], "exclude": [".jpeg"]}
    assert call_metric("check_include_exclude", "beach.jpg\ndog.jpg\n", rules) == 1.0
    assert call_metric("check_include_exclude", "beach.jpg\ndog.jpeg\n", rules) == 0.0
    assert call_metric("check_include_exclude", "beach.jpg\n", rules) == 0.0


def test_check_direct_json_object() -> None:
    rules = {"expected": {"name": "Dana", "phone": "555-0142"}}
    assert call_metric("check_direct_json_object", {"name": "Dana", "phone": "555-0142", "x": 1}, rules) == 1.0
    # OSWorld's semantics: a string result is parsed after ' -> "; values are not stripped
    assert call_metric("check_direct_json_object", "{'name': 'Dana', 'phone': '555-0142'}", rules) == 1.0
    assert call_metric("check_direct_json_object", json.dumps({"name": "Dana", "phone": " 555-0142\n"}), rules) == 0.0
    assert call_metric("check_direct_json_object", {"name": "Dana"}, rules) == 0.0
    with pytest.raises(json.JSONDecodeError):
        call_metric("check_direct_json_object", "not json", rules)
    contains = {"expected": {"title": ["Intranet", "Home"], "body": "Welcome"}, "expect_in_result": True}
    assert call_metric("check_direct_json_object", {"title": "Home", "body": "Welcome back"}, contains) == 1.0
    assert call_metric("check_direct_json_object", {"title": ["Home", "x"], "body": "Welcome"}, contains) == 1.0
    # a list of options against a string needs equality, not a substring
    assert call_metric("check_direct_json_object", {"title": "Northwind Intranet", "body": "Welcome"}, contains) == 0.0


def test_url_pattern_match() -> None:
    rules = {"expected": [r"/search\.html\?", r"q=vpn"]}
    assert call_metric("is_expected_url_pattern_match", {"url": "http://h/search.html?q=vpn"}, rules) == 1.0
    assert call_metric("is_expected_url_pattern_match", "http://h/search.html?q=vpn", rules) == 1.0
    assert call_metric("is_expected_url_pattern_match", "http://h/search.html", rules) == 0.0
    assert call_metric("is_expected_url_pattern_match", None, rules) == 0.0


# --- plain files ---------------------------------------------------------------------------

def test_compare_text_file(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_text("port = 9090\nworkers = 4\n")
    b.write_text("port = 9090\nworkers = 4")          # no final newline: same
    c.write_text("port  =  9090\n\nWorkers = 4\n")
    assert call_metric("lite_compare_text_file", str(a), str(b)) == 1.0
    assert call_metric("lite_compare_text_file", str(a), str(c)) == 0.0
    assert call_metric("lite_compare_text_file", str(a), str(c), {"ignore_blanks": True, "ignore_case": True}) == 1.0
    assert call_metric("lite_compare_text_file", str(tmp_path / "missing"), str(b)) == 0.0
    assert call_metric("lite_compare_text_file", None, str(b)) == 0.0


def test_check_csv(tmp_path: Path) -> None:
    f = tmp_path / "q3.csv"
    f.write_text("Region,Revenue\nNorth,48250\nEast,51875\n")
    rules = {"expect": [{"Region": "North", "Revenue": "48250"}], "unexpect": [{"Region": "West"}]}
    assert call_metric("check_csv", str(f), rules) == 1.0
    f.write_text("Region,Revenue\nNorth,48250\nWest,1\n")
    assert call_metric("check_csv", str(f), rules) == 0.0
    assert call_metric("check_csv", None, rules) == 0.0


def test_check_list(tmp_path: Path) -> None:
    f = tmp_path / "large.txt"
    f.write_text("conference-talk.mp4\nbackup.img\n")
    rules = {"expect": [r"conference-talk\.mp4", r"backup\.img"], "unexpect": [r"song\.mp3"]}
    assert call_metric("check_list", str(f), rules) == 1.0
    f.write_text("conference-talk.mp4\nbackup.img\nsong.mp3\n")
    assert call_metric("check_list", str(f), rules) == 0.0
    f.write_text("backup.img\n")
    assert call_metric("check_list", str(f), rules) == 0.0


def test_check_json(tmp_path: Path) -> None:
    f = tmp_path / "Bookmarks"
    f.write_text(json.dumps({"roots": {"bookmark_bar": {"children": [{"url": "http://h/team.html"}]}}}))
    key = ["roots", "bookmark_bar", "children", 0, "url"]
    assert call_metric("check_json", str(f), {"expect": [{"key": key, "method": "re", "ref": "team"}]}) == 1.0
    assert call_metric("check_json", str(f), {"expect": [{"key": key, "method": "eq", "ref": "x"}]}) == 0.0
    assert call_metric("check_json", str(f), {"expect": [{"key": ["nope"], "method": "eq", "ref": 1}]}) == 0.0


def test_file_exists_checks(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    assert call_metric("file_exists", str(f)) == 0.0
    assert call_metric("check_file_absent", str(f)) == 1.0
    f.write_text("x")
    assert call_metric("exists", str(f)) == 1.0
    # OSWorld's check_file_exists(directory, filename)
    assert call_metric("check_file_exists", str(tmp_path), "x.txt") == 1.0
    assert call_metric("check_file_exists", str(tmp_path), "y.txt") == 0.0
    assert call_metric("check_file_exists", None, "x.txt") == 0.0


# --- spreadsheets ----------------------------------------------------------------------------

def test_compare_table_whole_workbook(tmp_path: Path) -> None:
    rows = [["Region", "Revenue"], ["North", 10], ["South", 20]]
    a = xlsx(tmp_path / "a.xlsx", rows)
    b = xlsx(tmp_path / "b.xlsx", rows)
    c = xlsx(tmp_path / "c.xlsx", [["Region", "Revenue"], ["North", 10], ["South", 21]])
    d = xlsx(tmp_path / "d.xlsx", rows, title="Sales")
    assert call_metric("lite_compare_table", str(a), str(b)) == 1.0
    assert call_metric("lite_compare_table", str(a), str(c)) == 0.0
    assert call_metric("lite_compare_table", str(a), str(d)) == 0.0        # sheet names differ
    rules = {"rules": [{"type": "sheet_data", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}]}
    assert call_metric("lite_compare_table", str(a), str(d), rules) == 1.0  # data only
    assert call_metric("lite_compare_table", str(a), str(d),
                       {"rules": [{"type": "sheet_data", "sheet_idx0": "RNSheet1", "sheet_idx1": "ENSales"}]}) == 1.0


def test_compare_table_ignores_trailing_blank_cells_and_float_noise(tmp_path: Path) -> None:
    a = xlsx(tmp_path / "a.xlsx", [["x", 0.1 + 0.2], [None, None]])
    b = xlsx(tmp_path / "b.xlsx", [["x", 0.3]])
    assert call_metric("lite_compare_table", str(a), str(b)) == 1.0


def test_compare_table_check_cell(tmp_path: Path) -> None:
    f = xlsx(tmp_path / "s.xlsx", [["Region", "Revenue"], ["North", 10], ["South", 20]],
             formulas={"B4": "=SUM(B2:B3)"}, bold=("A1",))
    ok = {"rules": [
        {"type": "check_cell", "sheet_idx": "RI0", "coordinate": "B4",
         "props": {"formula": {"method": "re", "ref": r"^=SUM\(B2:B3\)$"}}},
        {"type": "check_cell", "sheet_idx": "RI0", "coordinate": "A1",
         "props": {"bold": {"method": "eq", "ref": True}, "value": {"method": "str_eq", "ref": "Region"}}},
        {"type": "check_cell", "sheet_idx": "RI0", "coordinate": "B2",
         "props": {"value": {"method": "approx:0.5", "ref": 10.4}}},
    ]}
    assert call_metric("lite_compare_table", str(f), None, ok) == 1.0
    bad = {"rules": [{"type": "check_cell", "sheet_idx": "RI0", "coordinate": "A2",
                      "props": {"bold": {"method": "eq", "ref": True}}}]}
    assert call_metric("lite_compare_table", str(f), None, bad) == 0.0
    # openpyxl stores no cached value for a formula it wrote: "value" reads None, not 30.
    cached = {"rules": [{"type": "check_cell", "sheet_idx": "RI0", "coordinate": "B4",
                         "props": {"value": {"method": "eq", "ref": 30}}}]}
    assert call_metric("lite_compare_table", str(f), None, cached) == 0.0


def test_compare_table_freeze_and_missing(tmp_path: Path) -> None:
    a = xlsx(tmp_path / "a.xlsx", [["h"], [1]], freeze="A2")
    b = xlsx(tmp_path / "b.xlsx", [["h"], [1]], freeze="A2")
    c = xlsx(tmp_path / "c.xlsx", [["h"], [1]])
    rules = {"rules": [{"type": "freeze", "sheet_idx0": "RI0", "sheet_idx1": "EI0"}]}
    assert call_metric("lite_compare_table", str(a), str(b), rules) == 1.0
    assert call_metric("lite_compare_table", str(c), str(b), rules) == 0.0
    assert call_metric("lite_compare_table", str(tmp_path / "none.xlsx"), str(b)) == 0.0
    not_xlsx = tmp_path / "fake.xlsx"
    not_xlsx.write_text("plain text saved with the wrong extension")
    assert call_metric("lite_compare_table", str(not_xlsx), str(b)) == 0.0
    with pytest.raises(ValueError, match="unsupported rule"):
        call_metric("lite_compare_table", str(a), str(b), {"rules": [{"type": "pivot_table"}]})


# --- documents -----------------------------------------------------------------------------

def test_compare_docx_files(tmp_path: Path) -> None:
    a = docx(tmp_path / "a.docx", ["Title", "The team met on Tuesday."])
    b = docx(tmp_path / "b.docx", ["Title", "The team met on Tuesday."])
    c = docx(tmp_path / "c.docx", ["Title", "The team met on Monday."])
    spaced = docx(tmp_path / "d.docx", ["Title", "", "The team  met on Tuesday."])
    assert call_metric("compare_docx_files", str(a), str(b)) == 1.0
    assert call_metric("compare_docx_files", str(a), str(c)) == 0.0
    assert call_metric("compare_docx_files", str(a), str(spaced)) == 1.0                 # ignore_blanks default
    assert call_metric("compare_docx_files", str(a), str(spaced), {"ignore_blanks": False}) == 0.0
    # OSWorld: per-paragraph fuzzy_match gives the mean similarity, not a pass/fail
    assert 0.95 < call_metric("compare_docx_files", str(a), str(spaced),
                              {"ignore_blanks": False, "delete_empty_lines": True, "fuzzy_match": True}) < 1.0
    assert 0.8 < call_metric("compare_docx_files", str(a), str(c), {"content_only": True}) < 1.0
    assert call_metric("compare_docx_files", None, str(b)) == 0.0


def test_docx_paragraph_checks(tmp_path: Path) -> None:
    f = docx(tmp_path / "memo.docx", ["Office move", "Warning: no power on Saturday.", "Boxes are labelled."],
             center_first=True, bold="Warning:")
    assert call_metric("is_first_line_centered", str(f)) == 1.0
    assert call_metric("is_first_line_centered", str(docx(tmp_path / "x.docx", ["Left"]))) == 0.0
    rules = {"paragraphs": [{"contains": "Warning:", "bold": True}, {"contains": "Boxes", "bold": False},
                            {"contains": "Office move", "alignment": "center"}]}
    assert call_metric("check_docx_paragraphs", str(f), rules) == 1.0
    assert call_metric("check_docx_paragraphs", str(f), {"paragraphs": [{"contains": "Boxes", "bold": True}]}) == 0.0
    assert call_metric("check_docx_paragraphs", str(f), {"paragraphs": [{"contains": "absent"}]}) == 0.0
    h = docx(tmp_path / "h.docx", ["Body text."], heading="Project Proposal")
    assert call_metric("check_docx_paragraphs", str(h),
                       {"paragraphs": [{"contains": "Project Proposal", "style": "Heading 1"}]}) == 1.0


def test_docx_table(tmp_path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=2, cols=2)
    for r, row in enumerate([["Name", "Phone"], ["Dana Smith", "555-0142"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.save(str(tmp_path / "t.docx"))
    rules = {"rows": [["Name", "Phone"], ["Dana Smith", "555-0142"]]}
    assert call_metric("check_docx_table", str(tmp_path / "t.docx"), rules) == 1.0
    assert call_metric("check_docx_table", str(tmp_path / "t.docx"), {"rows": [["Name"]]}) == 0.0


# --- images --------------------------------------------------------------------------------

def test_image_metrics(tmp_path: Path) -> None:
    Image.new("RGB", (640, 360), (200, 10, 10)).save(tmp_path / "a.png")
    Image.new("RGB", (640, 360), (200, 10, 10)).save(tmp_path / "fake.jpg", format="PNG")
    Image.new("L", (10, 10), 128).save(tmp_path / "g.png")
    assert call_metric("check_image_size", str(tmp_path / "a.png"), {"width": 640, "height": 360}) == 1.0
    assert call_metric("check_image_size", str(tmp_path / "a.png"), {"width": 641}) == 0.0
    assert call_metric("check_image_format", str(tmp_path / "fake.jpg"), {"format": "JPEG"}) == 0.0
    assert call_metric("check_image_format", str(tmp_path / "a.png"), {"format": "png"}) == 1.0
    assert call_metric("check_grayscale", str(tmp_path / "g.png")) == 1.0
    assert call_metric("check_grayscale", str(tmp_path / "a.png")) == 0.0
    assert call_metric("compare_images", str(tmp_path / "a.png"), str(tmp_path / "fake.jpg")) == 1.0
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(OSError):  # as OSWorld's: the evaluator scores it 0 with the reason
        call_metric("check_image_size", str(tmp_path / "broken.png"), {"width": 1})


def test_compare_table_missing_sheet_scores_zero_but_bad_rules_raise(tmp_path: Path) -> None:
    a = xlsx(tmp_path / "a.xlsx", [["h"], [1]])
    assert call_metric("lite_compare_table", str(a), None, {"rules": [
        {"type": "check_cell", "sheet_idx": "RNSummary", "coordinate": "A1",
         "props": {"value": {"method": "eq", "ref": "h"}}}]}) == 0.0
    assert call_metric("lite_compare_table", str(a), None, {"rules": [
        {"type": "check_cell", "sheet_idx": "RI3", "coordinate": "A1",
         "props": {"value": {"method": "eq", "ref": "h"}}}]}) == 0.0
    with pytest.raises(KeyError, match="props"):
        call_metric("lite_compare_table", str(a), None, {"rules": [
            {"type": "check_cell", "sheet_idx": "RI0", "coordinate": "A1"}]})
