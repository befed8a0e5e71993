"""Metrics on image files (Pillow), as OSWorld's gimp/vlc image checks."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import MAX_IMAGE_BYTES, RefusedFileError, check_size


MAX_PIXELS = 50_000_000


def _open(path: Any) -> Image.Image | None:
    if path is None or not Path(path).exists():
        return None
    check_size(path, MAX_IMAGE_BYTES)
    try:
        img = Image.open(str(path))
        if img.width * img.height > MAX_PIXELS:  # judged from the header, before decoding
            raise RefusedFileError(f"refused {Path(path).name}: {img.width}x{img.height} pixels, "
                                   f"over the limit of {MAX_PIXELS}")
        img.load()
        return img
    except (UnidentifiedImageError, OSError):
        return None


@metric("check_image_format")
def check_image_format(result: Any, rules: Any = None, **options: Any) -> float:
    """The file really is an image in format `rules["format"]` (e.g. "PNG", "JPEG"), whatever its name."""
    img = _open(result)
    return float(img is not None and img.format == str((rules or {})["format"]).upper())


@metric("check_image_mode", "check_grayscale")
def check_image_mode(result: Any, rules: Any = None, **options: Any) -> float:
    """Grayscale check: the image's pixels have equal R, G and B (or a single-band mode)."""
    img = _open(result)
    if img is None:
        return 0.0
    if img.mode in ("L", "LA", "1", "I", "F"):
        return 1.0
    arr = np.asarray(img.convert("RGB")).astype(int)
    return float(np.abs(arr[..., 0] - arr[..., 1]).max() <= 2 and np.abs(arr[..., 1] - arr[..., 2]).max() <= 2)


@metric("compare_images")
def compare_images(result: Any, expected: Any, reference_base_result: float | None = None) -> float:
    """OSWorld's: SSIM of the two images in grayscale, both resized (Lanczos) to the smaller
    size by (width, height) order; with `reference_base_result` b, the score is
    (ssim - b) / (1 - b) when ssim ≥ b + 0.01, else 0."""
    if not result or not expected:
        return 0.0
    from skimage.metrics import structural_similarity

    for path in (result, expected):
        check_size(path, MAX_IMAGE_BYTES)
    a, b = Image.open(result).convert("L"), Image.open(expected).convert("L")
    size = min(a.size, b.size)
    a, b = a.resize(size, Image.Resampling.LANCZOS), b.resize(size, Image.Resampling.LANCZOS)
    score = float(structural_similarity(np.array(a), np.array(b)))
    if reference_base_result is None:
        return score
    if score >= reference_base_result + 0.01:
        return (score - reference_base_result) / (1 - reference_base_result)
    return 0.0


@metric("lite_compare_images")
def lite_compare_images(result: Any, expected: Any = None, tolerance: float = 2) -> float:
    """osworld-lite's own: same size and pixels (mean absolute difference ≤ `tolerance` of 255)."""
    a, b = _open(result), _open(expected)
    if a is None or b is None or a.size != b.size:
        return 0.0
    diff = np.abs(np.asarray(a.convert("RGB")).astype(int) - np.asarray(b.convert("RGB")).astype(int))
    return float(diff.mean() <= float(tolerance))
