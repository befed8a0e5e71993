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


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _odt_paragraphs(path: str) -> list[str]:
    """Each text:p's own text plus its text:span children's own text (as OSWorld reads .odt)."""
    import zipfile

    from lxml import etree

    check_archive(path)
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("content.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
    out = []
    for par in root.iter(f"{{{_ODF_TEXT}}}p"):
        parts = [par.text or ""]
        for child in par:
            if child.tag == f"{{{_ODF_TEXT}}}span":
                parts.append(child.text or "")
                parts.extend(grand.tail or "" for grand in child)
            parts.append(child.tail or "")
        out.append("".join(parts))
    return out


@metric("compare_docx_files")
def compare_docx_files(result: Any, expected: Any, ignore_blanks: bool = True, ignore_case: bool = False,
                       ignore_order: bool = False, content_only: bool = False, fuzzy_match: bool = False,
                       delete_empty_lines: bool = False) -> float:
    """OSWorld's: paragraph texts of two .docx (or two .odt) files. `content_only` gives the
    fuzzy ratio of the whitespace-collapsed texts; `ignore_blanks` (default) compares those
    texts for equality (their fuzzy ratio with `fuzzy_match`); otherwise paragraph by paragraph,
    equal count required, equal texts (mean fuzzy ratio with `fuzzy_match`)."""
    if not result or not expected:
        return 0.0
    a_path, b_path = str(result), str(expected)
    try:
        if a_path.endswith(".docx") and b_path.endswith(".docx"):
            pa, pb = _paragraphs(open_docx(a_path)), _paragraphs(open_docx(b_path))
        elif a_path.endswith(".odt") and b_path.endswith(".odt"):
            pa, pb = _odt_paragraphs(a_path), _odt_paragraphs(b_path)
        else:
            return 0.0
    except RefusedFileError:
        raise
    except Exception:  # not a document: the agent's failure
        return 0.0
    if ignore_order:
        pa, pb = sorted(pa), sorted(pb)
    if delete_empty_lines:
        pa, pb = [p for p in pa if p.strip()], [p for p in pb if p.strip()]

    def whole(ps: list[str]) -> str:
        text = re.sub(r"\s+", " ", "\n".join(ps)).strip()
        return text.lower() if ignore_case else text

    if content_only:
        return fuzz.ratio(whole(pa), whole(pb)) / 100.0
    if ignore_blanks:
        if fuzzy_match:
            return fuzz.ratio(whole(pa), whole(pb)) / 100.0
        return float(whole(pa) == whole(pb))
    if len(pa) != len(pb):
        return 0.0
    if fuzzy_match:
        if not pa:
            return 1.0
        pairs = [(x.lower(), y.lower()) if ignore_case else (x, y) for x, y in zip(pa, pb)]
        return sum(fuzz.ratio(x, y) / 100.0 for x, y in pairs) / len(pa)
    for x, y in zip(pa, pb):
        if ignore_case:
            x, y = x.lower(), y.lower()
        if x != y:
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


@metric("lite_is_first_line_centered")
def lite_is_first_line_centered(result: Any) -> float:
    """osworld-lite's own: the first non-empty paragraph is centred (its own alignment or its
    style's), where OSWorld's looks at the very first paragraph's own alignment."""
    doc = _open(result)
    if doc is None:
        return 0.0
    first = next((p for p in doc.paragraphs if p.text.strip()), None)
    return float(first is not None and _alignment(first) == "center")


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
