"""OSWorld's image metrics for GIMP tasks (its gimp.py), on Pillow, NumPy and scikit-image.

Structure checks are OSWorld's: `structure_check_by_ssim` (RGB, same size required, 7-pixel
window, threshold 0.9 unless a metric names another) and `structure_check_by_mse` (RGB in
[0, 1], mean squared error under 0.03). Images open through the same size and pixel limits
every image metric uses; an unreadable image raises, as in OSWorld.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np
from PIL import Image, ImageChops, ImageStat

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.images import MAX_PIXELS
from envs.osworld_lite.metrics.safe_files import MAX_IMAGE_BYTES, RefusedFileError, check_size


def open_image(path: Any) -> Image.Image:
    check_size(path, MAX_IMAGE_BYTES)
    img = Image.open(str(path))
    if img.width * img.height > MAX_PIXELS:  # judged from the header, before decoding
        raise RefusedFileError(f"refused {os.path.basename(str(path))}: {img.width}x{img.height} pixels")
    return img


def structure_check_by_ssim(a: Image.Image, b: Image.Image, threshold: float = 0.9) -> bool:
    from skimage.metrics import structural_similarity

    if min(a.width, a.height, b.width, b.height) < 7:
        return False
    a = a if a.mode == "RGB" else a.convert("RGB")
    b = b if b.mode == "RGB" else b.convert("RGB")
    if a.size != b.size:
        return False
    x, y = np.array(a), np.array(b)
    if x.shape != y.shape:
        return False
    try:
        similarity = structural_similarity(x, y, win_size=7, channel_axis=2)
    except Exception:
        return False
    return bool(similarity >= threshold)


def structure_check_by_mse(a: Image.Image, b: Image.Image, threshold: float = 0.03) -> bool:
    if a.size != b.size:
        a = a.resize(b.size, Image.Resampling.LANCZOS)
    a = a if a.mode == "RGB" else a.convert("RGB")
    b = b if b.mode == "RGB" else b.convert("RGB")
    mse = np.mean((np.array(a, dtype=np.float32) / 255 - np.array(b, dtype=np.float32) / 255) ** 2)
    return bool(mse < threshold)


def _brightness(img: Image.Image) -> float:
    return ImageStat.Stat(img.convert("L")).mean[0]


def _normalise_brightness(img: Image.Image, target: float) -> Image.Image:
    factor = target / _brightness(img)
    return img.point(lambda x: min(255, max(0, int(x * factor))))


@metric("check_brightness_decrease_and_structure_sim")
def check_brightness_decrease_and_structure_sim(result: Any, expected: Any, threshold: float = 0.03) -> float:
    """The result is darker than the original and, both normalised to brightness 128, has the
    same structure by MSE under `threshold`."""
    if result is None or expected is None:
        return 0.0
    src, tgt = open_image(result), open_image(expected)
    darker = _brightness(tgt) > _brightness(src)
    same = structure_check_by_mse(_normalise_brightness(src, 128), _normalise_brightness(tgt, 128), threshold)
    return float(darker and same)


@metric("check_saturation_increase_and_structure_sim")
def check_saturation_increase_and_structure_sim(result: Any, expected: Any) -> float:
    """More saturated than the original, with the same hue and value channels by SSIM."""
    if result is None or expected is None:
        return 0.0
    src, tgt = open_image(result).convert("HSV"), open_image(expected).convert("HSV")
    more = np.mean(np.array(tgt.split()[1])) < np.mean(np.array(src.split()[1]))
    (h1, _, v1), (h2, _, v2) = src.split(), tgt.split()
    return float(more and structure_check_by_ssim(h1, h2) and structure_check_by_ssim(v1, v2))


@metric("check_file_exists_and_structure_sim")
def check_file_exists_and_structure_sim(result: Any, expected: Any) -> float:
    if result is None or expected is None or not os.path.isfile(result):
        return 0.0
    return float(structure_check_by_ssim(open_image(result), open_image(expected)))


@metric("check_triangle_position")
def check_triangle_position(result: Any) -> float:
    """The second-rarest colour's pixels have their centroid within 5 % of the image centre."""
    if result is None:
        return 0.0
    pixels = np.array(open_image(result))
    colors, counts = np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0, return_counts=True)
    triangle = colors[np.argsort(counts)][1]
    centroid = np.argwhere(np.all(pixels == triangle, axis=2)).mean(axis=0)
    shape = np.array(pixels.shape[:2])
    return float(bool(np.all(np.abs(centroid - shape / 2) < 0.05 * shape)))


@metric("check_structure_sim")
def check_structure_sim(result: Any, expected: Any) -> float:
    if result is None or expected is None:
        return 0.0
    try:
        src, tgt = open_image(result), open_image(expected)
        if src.size != tgt.size:
            return 0.0
        return float(structure_check_by_ssim(src, tgt))
    except RefusedFileError:
        raise
    except Exception:
        return 0.0


@metric("check_structure_sim_resized")
def check_structure_sim_resized(result: Any, expected: Any) -> float:
    """The result (cropped to its opaque content when transparent) resized to the original's
    size has the same structure by SSIM."""
    if result is None or expected is None:
        return 0.0
    src, tgt = open_image(result), open_image(expected)
    if src.mode in ("RGBA", "LA") or "transparency" in src.info:
        src = src if src.mode == "RGBA" else src.convert("RGBA")
        box = src.split()[-1].getbbox()
        if box is None:
            return 0.0
        resized = src.crop(box).convert("RGB").resize(tgt.size)
    else:
        resized = src.resize(tgt.size)
    tgt = tgt if tgt.mode == "RGB" else tgt.convert("RGB")
    return float(structure_check_by_ssim(resized, tgt))


@metric("check_structure_sim_with_threshold")
def check_structure_sim_with_threshold(result: Any, expected: Any, ssim_threshold: float = 0.85) -> float:
    """SSIM ≥ `ssim_threshold` after resizing the result to the original's size (Lanczos);
    images under 7 pixels use the largest odd window that fits. (Newer than desktop-env
    1.0.2: follows OSWorld's repository.)"""
    from skimage.metrics import structural_similarity

    if result is None or expected is None:
        return 0.0
    try:
        src, tgt = open_image(result), open_image(expected)
        if src.size != tgt.size:
            src = src.resize(tgt.size, Image.Resampling.LANCZOS)
        x, y = np.array(src.convert("RGB")), np.array(tgt.convert("RGB"))
        low = min(x.shape[0], x.shape[1])
        window = 7 if low >= 7 else (low if low % 2 == 1 else low - 1)
        if window < 1:
            return 0.0
        try:
            return float(structural_similarity(x, y, win_size=window, channel_axis=2) >= ssim_threshold)
        except Exception:
            return 0.0
    except RefusedFileError:
        raise
    except Exception:
        return 0.0


@metric("check_contrast_increase_and_structure_sim")
def check_contrast_increase_and_structure_sim(result: Any, expected: Any) -> float:
    """Higher contrast (pixel standard deviation) than the original, SSIM ≥ 0.65."""
    if result is None or expected is None:
        return 0.0
    src, tgt = open_image(result), open_image(expected)
    higher = np.std(np.asarray(tgt, dtype=np.float32)) < np.std(np.asarray(src, dtype=np.float32))
    return float(higher and structure_check_by_ssim(src, tgt, threshold=0.65))


@metric("check_config_status")
def check_config_status(result: Any, rule: dict[str, Any]) -> float:
    """A line of a GIMP config file (`(key … value)`) has the key (or two key words) and ends
    in the value."""
    if result is None:
        return 0.0
    check_size(result)
    with open(result) as f:
        lines = f.readlines()
    key = rule["key"]
    for line in lines:
        if line.startswith("#") or line == "\n":
            continue
        items = line.strip().lstrip("(").rstrip(")\n").split()
        if isinstance(key, str):
            if items[0] == key and items[-1] == rule["value"]:
                return 1.0
        elif isinstance(key, list) and len(key) == 2:
            if items[0] == key[0] and items[1] == key[1] and items[-1] == rule["value"]:
                return 1.0
    return 0.0


@metric("check_image_size")
def check_image_size(result: Any, rule: dict[str, Any]) -> float:
    """OSWorld's: the image's `width`/`height` (those given); with `ignore_transparent` (or any
    image with a transparency key, as OSWorld's operator precedence has it) the opaque box's."""
    if result is None:
        return 0.0
    img = open_image(result)
    if (rule.get("ignore_transparent", False) and img.mode in ("RGBA", "LA")) or "transparency" in img.info:
        img = img if img.mode == "RGBA" else img.convert("RGBA")
        box = img.split()[-1].getbbox()
        width, height = (0, 0) if box is None else (box[2] - box[0], box[3] - box[1])
    else:
        width, height = img.size
    ok_h = rule.get("height") is None or height == rule["height"]
    ok_w = rule.get("width") is None or width == rule["width"]
    return float(ok_h and ok_w)


@metric("check_palette_and_structure_sim")
def check_palette_and_structure_sim(result: Any, expected: Any) -> float:
    """The result is a palette image with the original's structure by SSIM."""
    if result is None or expected is None or not os.path.exists(result) or not os.path.exists(expected):
        return 0.0
    try:
        src, tgt = open_image(result), open_image(expected)
        src.load()
        tgt.load()
        return float(src.mode == "P" and structure_check_by_ssim(src.convert("RGB"), tgt))
    except RefusedFileError:
        raise
    except Exception:
        return 0.0


@metric("check_textbox_on_leftside")
def check_textbox_on_leftside(result: Any) -> float:
    """The leftmost dark pixel (gray < 128) lies in the left 5 % of the image."""
    if result is None:
        return 0.0
    img = open_image(result)
    gray = np.array(img.convert("L"))
    dark_columns = np.where((gray < 128).any(axis=0))[0]
    leftmost = int(dark_columns[0]) if dark_columns.size else img.width
    return float(leftmost < img.width * 0.05)


@metric("check_green_background")
def check_green_background(result: Any, expected: Any) -> float:
    """Wherever the mask image is not black, the result's pixel is green-dominant. Pixels are
    indexed [x, y] as OSWorld does (rows by x), which fits square images."""
    if result is None or expected is None:
        return 0.0
    src, tgt = open_image(result), open_image(expected)
    sp, tp = np.array(src), np.array(tgt)
    for x in range(tgt.width):
        for y in range(tgt.height):
            if tuple(tp[x, y][:3]) != (0, 0, 0):
                r, g, b = sp[x, y][:3]
                if not (g > r and g > b):
                    return 0.0
    return 1.0


@metric("check_image_file_size")
def check_image_file_size(result: Any, rule: dict[str, Any]) -> float:
    if result is None:
        return 0.0
    return float(os.path.getsize(result) < rule["max_size"])


@metric("compare_image_list")
def compare_image_list(result: Any, expected: Any) -> float:
    """Pixel-identical images pairwise (the result resized to the gold size and converted to
    its mode first)."""
    if not isinstance(result, list):
        result, expected = [result], [expected]
    for pred_path, gold_path in zip(result, expected):
        if not pred_path or not gold_path:
            return 0.0
        pred, gold = open_image(pred_path), open_image(gold_path)
        if pred.size != gold.size:
            pred = pred.resize(gold.size, Image.Resampling.LANCZOS)
        if pred.mode != gold.mode:
            pred = pred.convert(gold.mode)
        if ImageChops.difference(pred, gold).getbbox():
            return 0.0
    return 1.0


@metric("check_image_mirror")
def check_image_mirror(result: Any, expected: Any) -> float:
    """The result is the original flipped left to right (SSIM ≥ 0.99)."""
    if result is None or expected is None:
        return 0.0
    src, tgt = open_image(result), open_image(expected)
    return float(structure_check_by_ssim(src.transpose(Image.Transpose.FLIP_LEFT_RIGHT), tgt, 0.99))


@metric("decrease_brightness")
def decrease_brightness(result: Any, expected: Any) -> float:
    """The first image is brighter (mean gray) than the second."""
    def mean(path: Any) -> float:
        pixels = list(open_image(path).convert("L").getdata())
        return sum(pixels) / len(pixels)
    return float(mean(result) > mean(expected))


@metric("increase_saturation")
def increase_saturation(result: Any, expected: Any) -> float:
    """The first image is less saturated (mean HSV saturation) than the second."""
    def mean(path: Any) -> float:
        return ImageStat.Stat(open_image(path).convert("HSV").split()[1]).mean[0]
    return float(mean(result) < mean(expected))
