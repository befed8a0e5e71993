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


def perceptual_hash(image: Any, hash_size: int = 8, highfreq_factor: int = 4) -> Any:
    """The DCT perceptual hash (imagehash's phash): grayscale, resized to 32x32 with Lanczos,
    2-D DCT, top-left 8x8 compared with its median."""
    import numpy as np
    from PIL import Image
    from scipy.fftpack import dct

    size = hash_size * highfreq_factor
    pixels = np.asarray(image.convert("L").resize((size, size), Image.Resampling.LANCZOS))
    coeffs = dct(dct(pixels, axis=0), axis=1)[:hash_size, :hash_size]
    return coeffs > np.median(coeffs)


def _pdf_images(path: str) -> list[Any]:
    import io

    from PIL import Image

    out = []
    for page in _reader(path).pages:
        for item in page.images:
            try:
                out.append(Image.open(io.BytesIO(item.data)))
            except Exception:
                continue  # an image Pillow cannot read is skipped, as in OSWorld
    return out


@metric("compare_pdf_images")
def compare_pdf_images(result: Any, expected: Any) -> float:
    """The share of the PDFs' images (in page order) whose perceptual hashes differ in at most
    5 bits; 1 when neither has images, 0 when their counts differ."""
    import os

    if not result or not expected or not (os.path.exists(result) and os.path.exists(expected)):
        return 0.0
    try:
        a, b = _pdf_images(result), _pdf_images(expected)
    except Exception:
        return 0.0
    if len(a) != len(b):
        return 0.0
    if not a:
        return 1.0
    close = sum(int((perceptual_hash(x) != perceptual_hash(y)).sum()) <= 5 for x, y in zip(a, b))
    return close / len(a)
