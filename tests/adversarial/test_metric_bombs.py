"""Hostile agent-made files (zip bombs, billion laughs, huge text) score 0 fast, with a reason."""
from __future__ import annotations

import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document

from envs.osworld_lite.evaluator import evaluate_task
from envs.osworld_lite.metrics.safe_files import ArchiveLimits, RefusedFileError, _scan_member, check_archive
from envs.osworld_lite.task import parse_task

MiB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _workbook(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def _document(path: Path, paragraphs: list[str]) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def _rewrite(source: Path, dest: Path, member: str, write: Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]) -> Path:
    """Copy an OOXML archive, replacing one member's content with what `write` streams in."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == member:
                write(out, zipfile.ZipInfo(member))
            else:
                out.writestr(info, src.read(info))
    return dest


def _padding(total: int, declare: int | None = None) -> Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]:
    """Stream `total` bytes of whitespace after an XML prolog; optionally lie about the size."""
    def write(out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as stream:
            stream.write(b'<?xml version="1.0"?>')
            block = b" " * MiB
            for _ in range(total // MiB):
                stream.write(block)
        if declare is not None:
            out.filelist[-1].file_size = declare  # the central directory records this size
    return write


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bombs")


@pytest.fixture(scope="module")
def normal_xlsx(tmp: Path) -> Path:
    return _workbook(tmp / "normal.xlsx", [["item", "qty"], ["apples", 3]])


@pytest.fixture(scope="module")
def normal_docx(tmp: Path) -> Path:
    return _document(tmp / "normal.docx", ["Quarterly report", "All figures in USD."])


def _score(func: str, result: Path, expected: Path | None = None, **options: Any) -> tuple[float, str, float, int]:
    """(reward, recorded error, seconds, peak traced bytes) for one metric through the evaluator."""
    evaluator: dict[str, Any] = {"func": func, "result": {"type": "vm_file", "path": "~/out"}}
    if expected is not None:
        evaluator["expected"] = {"type": "vm_file", "path": "~/expected"}
    if options:
        evaluator["options"] = options
    task = parse_task({"id": "bomb", "instruction": "x", "evaluator": evaluator})
    paths = {"~/out": str(result), "~/expected": str(expected)}
    tracemalloc.start()
    start = time.perf_counter()
    try:
        ev = evaluate_task(task, lambda spec: paths[spec["path"]], "DONE")
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return ev.reward, ev.details["metrics"][0].get("error", ""), elapsed, peak


def test_normal_files_still_score(normal_xlsx: Path, normal_docx: Path, tmp: Path) -> None:
    same_xlsx = _workbook(tmp / "same.xlsx", [["item", "qty"], ["apples", 3]])
    assert _score("lite_compare_table", same_xlsx, normal_xlsx)[:2] == (1.0, "")
    other_xlsx = _workbook(tmp / "other.xlsx", [["item", "qty"], ["pears", 3]])
    assert _score("lite_compare_table", other_xlsx, normal_xlsx)[:2] == (0.0, "")
    same_docx = _document(tmp / "same.docx", ["Quarterly report", "All figures in USD."])
    assert _score("compare_docx_files", same_docx, normal_docx)[:2] == (1.0, "")
    text = tmp / "a.txt"
    text.write_text("hello\n")
    assert _score("lite_compare_text_file", text, text)[:2] == (1.0, "")


def test_ten_gigabyte_declared_xlsx_is_refused(normal_xlsx: Path, tmp: Path) -> None:
    bomb = _rewrite(normal_xlsx, tmp / "declared.xlsx", SHEET, _padding(300 * MiB, declare=10 * 1024 * MiB))
    assert bomb.stat().st_size < 2 * MiB
    reward, error, elapsed, peak = _score("lite_compare_table", bomb, normal_xlsx)
    assert reward == 0.0 and "RefusedFileError" in error and "declares" in error
    assert elapsed < 1.0 and peak < 16 * MiB


def test_highly_compressed_member_is_refused(normal_xlsx: Path, tmp: Path) -> None:
    bomb = _rewrite(normal_xlsx, tmp / "ratio.xlsx", SHEET, _padding(100 * MiB))
    reward, error, elapsed, peak = _score("lite_compare_table", bomb, normal_xlsx, rules=[{"type": "sheet_count", "count": 1}])
    assert reward == 0.0 and "expands" in error
    assert elapsed < 1.0 and peak < 16 * MiB


def test_member_lying_about_its_size_is_refused_while_streaming(normal_xlsx: Path, tmp: Path) -> None:
    bomb = _rewrite(normal_xlsx, tmp / "liar.xlsx", SHEET, _padding(300 * MiB, declare=4096))
    reward, error, elapsed, peak = _score("lite_compare_table", bomb, normal_xlsx)
    assert reward == 0.0 and "RefusedFileError" in error
    assert elapsed < 2.0 and peak < 16 * MiB


def test_streaming_budget_counts_what_is_actually_decompressed(normal_xlsx: Path, tmp: Path) -> None:
    # CPython's zipfile stops at a member's declared size, so a lying header fails its CRC check
    # (test above); the budget is still enforced on the bytes really decompressed.
    padded = _rewrite(normal_xlsx, tmp / "padded.xlsx", SHEET, _padding(3 * MiB))
    loose = ArchiveLimits(max_ratio=1e9)
    check_archive(padded, loose)
    with zipfile.ZipFile(padded) as archive:
        info = archive.getinfo(SHEET)
        assert _scan_member("padded.xlsx", archive, info, 4 * MiB, loose) == info.file_size
        with pytest.raises(RefusedFileError, match="once decompressed"):
            _scan_member("padded.xlsx", archive, info, 2 * MiB, loose)


def test_too_many_members_are_refused(tmp: Path) -> None:
    many = tmp / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(2_001):
            z.writestr(f"xl/m{i}.xml", "<a/>")
    reward, error, _, _ = _score("lite_compare_table", many)
    assert reward == 0.0 and "2001 archive members" in error


def _laughs(encoding: str, prolog: str) -> Callable[[zipfile.ZipFile, zipfile.ZipInfo], None]:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = (f'{prolog}<!DOCTYPE w:document [<!ENTITY lol0 "lol">{entities}]>'
           f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')

    def write(out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        out.writestr(info, xml.encode(encoding))
    return write


@pytest.mark.parametrize("encoding, prolog", [
    ("utf-8", '<?xml version="1.0"?>'),
    ("utf-16", '<?xml version="1.0" encoding="UTF-16"?>'),
    ("utf-32-be", ""),
    ("utf-8", " " * (3 * 1024 * 1024 + 5)),   # the declaration starts in a later read chunk
], ids=["utf-8", "utf-16", "utf-32-be", "padded"])
def test_billion_laughs_docx_is_refused(normal_docx: Path, tmp: Path, encoding: str, prolog: str) -> None:
    bomb = _rewrite(normal_docx, tmp / f"laughs-{encoding}.docx", "word/document.xml", _laughs(encoding, prolog))
    for func, expected in (("compare_docx_files", normal_docx), ("is_first_line_centered", None)):
        reward, error, elapsed, peak = _score(func, bomb, expected)
        assert reward == 0.0 and "DTD or entities" in error
        assert elapsed < 1.0 and peak < 16 * MiB


def test_xml_in_an_encoding_the_scan_cannot_read_is_refused(normal_docx: Path, tmp: Path) -> None:
    def write(out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        out.writestr(info, b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-<x/>')
    bomb = _rewrite(normal_docx, tmp / "utf7.docx", "word/document.xml", write)
    reward, error, _, _ = _score("compare_docx_files", bomb, normal_docx)
    assert reward == 0.0 and "UTF-7" in error


def test_huge_text_result_is_refused(tmp: Path) -> None:
    big = tmp / "big.csv"
    with big.open("wb") as f:
        f.truncate(64 * MiB)  # sparse: costs no disk
    for func, expected in (("lite_compare_text_file", big), ("check_csv", big), ("check_list", big)):
        reward, error, elapsed, peak = _score(func, big, expected)
        assert reward == 0.0 and "over the limit" in error, func
        assert elapsed < 1.0 and peak < 16 * MiB


def test_non_zip_files_are_left_to_the_parser(tmp: Path) -> None:
    text = tmp / "not-a-workbook.xlsx"
    text.write_text("a,b\n1,2\n")
    check_archive(text)
    assert _score("lite_compare_table", text)[:2] == (0.0, "")
