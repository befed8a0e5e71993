"""Metrics on word-processor documents (.docx, read with python-docx), as OSWorld's docs.py."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from rapidfuzz import fuzz

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import RefusedFileError, check_archive


def _open(path: Any) -> Any:
    if path is None or not Path(path).exists():
        return None
    check_archive(path)
    try:
        return Document(str(path))
    except Exception:  # not a docx (saved in another format, corrupt): the agent's failure
        return None


def _paragraphs(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


@metric("compare_docx_files")
def compare_docx_files(result: Any, expected: Any = None, **options: Any) -> float:
    """Paragraph text equality; options as OSWorld: `ignore_blanks` (default true: compare the
    whitespace-collapsed whole text), `ignore_case`, `ignore_order`, `delete_empty_lines`,
    `content_only` (fuzzy ratio of the whole text), `fuzzy_match` (per paragraph, ≥ 0.8)."""
    a, b = _open(result), _open(expected)
    if a is None or b is None:
        return 0.0
    pa, pb = _paragraphs(a), _paragraphs(b)
    if options.get("ignore_order"):
        pa, pb = sorted(pa), sorted(pb)
    if options.get("delete_empty_lines"):
        pa, pb = [p for p in pa if p.strip()], [p for p in pb if p.strip()]
    case = bool(options.get("ignore_case", False))

    def whole(ps: list[str]) -> str:
        text = re.sub(r"\s+", " ", "\n".join(ps)).strip()
        return text.lower() if case else text

    if options.get("content_only"):
        return fuzz.ratio(whole(pa), whole(pb)) / 100.0
    if options.get("ignore_blanks", True):
        return float(whole(pa) == whole(pb))
    if len(pa) != len(pb):
        return 0.0
    for x, y in zip(pa, pb):
        if case:
            x, y = x.lower(), y.lower()
        if options.get("fuzzy_match"):
            if fuzz.ratio(x, y) < 80:
                return 0.0
        elif x != y:
            return 0.0
    return 1.0


def _runs_bold(par: Any) -> bool:
    runs = [r for r in par.runs if r.text.strip()]
    return bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)


def _alignment(par: Any) -> str | None:
    al = par.alignment if par.alignment is not None else par.style.paragraph_format.alignment
    names = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right",
             WD_ALIGN_PARAGRAPH.JUSTIFY: "justify", WD_ALIGN_PARAGRAPH.LEFT: "left"}
    return names.get(al, None if al is None else str(al))


def open_docx(path: Any) -> Any:
    """A python-docx Document, after the archive limits (raises on a file that is not one)."""
    check_archive(path)
    return Document(str(path))


@metric("is_first_line_centered")
def is_first_line_centered(result: Any) -> float:
    """OSWorld's: the document's first paragraph (empty or not) has its own alignment set to
    centre (an alignment inherited from the style does not count)."""
    if not result:
        return 0.0
    try:
        doc = open_docx(result)
    except RefusedFileError:
        raise
    except Exception:
        return 0.0
    return float(doc.paragraphs[0].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER)


@metric("check_docx_paragraphs")
def check_docx_paragraphs(result: Any, rules: Any = None, **options: Any) -> float:
    """Per-paragraph checks: `rules["paragraphs"]` is a list of {"contains": text, and any of
    "bold": bool, "italic": bool, "style": name, "alignment": "left"|"center"|"right"|"justify"};
    the first paragraph containing the text must have every listed property."""
    doc = _open(result)
    if doc is None:
        return 0.0
    for spec in (rules or {}).get("paragraphs", []):
        par = next((p for p in doc.paragraphs if spec["contains"] in p.text), None)
        if par is None:
            return 0.0
        if "bold" in spec and _runs_bold(par) != bool(spec["bold"]):
            return 0.0
        if "italic" in spec:
            runs = [r for r in par.runs if r.text.strip()]
            if (bool(runs) and all(r.italic for r in runs)) != bool(spec["italic"]):
                return 0.0
        if "style" in spec and par.style.name != spec["style"]:
            return 0.0
        if "alignment" in spec and (_alignment(par) or "left") != spec["alignment"]:
            return 0.0
    return 1.0


@metric("compare_font_names")
def compare_font_names(result: Any, rules: dict[str, Any]) -> float:
    """OSWorld's: every run of every paragraph (empty runs too) has its own font name equal
    to `rules["font_name"]` (a run that inherits its font has name None and fails)."""
    if not result:
        return 0.0
    try:
        doc = open_docx(result)
    except RefusedFileError:
        raise
    except Exception:
        return 0.0
    want = rules["font_name"]
    return float(all(run.font.name == want for par in doc.paragraphs for run in par.runs))


@metric("check_docx_table")
def check_docx_table(result: Any, rules: Any = None, **options: Any) -> float:
    """The document has a table whose cell texts equal `rules["rows"]` (a list of lists)."""
    doc = _open(result)
    if doc is None:
        return 0.0
    want = [[str(c) for c in row] for row in (rules or {})["rows"]]
    for table in doc.tables:
        got = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if got == want:
            return 1.0
    return 0.0
