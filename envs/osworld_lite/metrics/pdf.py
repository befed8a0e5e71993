"""Metrics on PDF files (OSWorld's check_pdf_pages and compare_pdfs), read with pypdf.

OSWorld's compare_pdfs extracts text with PyMuPDF; pypdf's extraction can differ in
whitespace and ordering on complex layouts, so a fuzzy score there can differ slightly
(exact on simple text PDFs, which the parity suite checks).
"""
from __future__ import annotations

import operator
from typing import Any

from rapidfuzz import fuzz

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import check_size

MAX_PDF_BYTES = 64 * 1024 * 1024


def _reader(path: str) -> Any:
    from pypdf import PdfReader

    check_size(path, MAX_PDF_BYTES)
    return PdfReader(path)


@metric("check_pdf_pages")
def check_pdf_pages(result: Any, rules: dict[str, Any]) -> float:
    """The page count compared with `rules["ref_value"]` by `rules["relation"]` (eq, ge, …)."""
    if result is None:
        return 0.0
    return float(getattr(operator, rules["relation"])(len(_reader(result).pages), rules["ref_value"]))


def pdf_text(path: str) -> str:
    return "".join((page.extract_text() or "") + "\n" for page in _reader(path).pages).strip()


@metric("compare_pdfs")
def compare_pdfs(result: Any, expected: Any) -> float:
    """Mean fuzzy ratio of the texts of pairs of PDFs (a pair that cannot be read adds 0)."""
    if not isinstance(expected, list):
        result, expected = [result], [expected]
    score = 0.0
    for a, b in zip(result, expected):
        try:
            score += fuzz.ratio(pdf_text(a), pdf_text(b)) / 100
        except Exception:
            continue
    return score / len(expected)
