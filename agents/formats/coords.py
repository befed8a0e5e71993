"""Coordinate conventions between model outputs and screen pixels.

* ``"relative"`` (default for Qwen3.5): the Qwen3-VL convention, a 0–1000 grid over the
  screenshot in both axes, whatever its size: ``x_px = x / 1000 * width``.
* ``"absolute"``: pixels of the image the model actually saw. vLLM's Qwen processor resizes
  every image with `smart_resize` (sides multiples of 32 within a pixel budget), so the model's
  pixels are converted back with the ratio screen / resized image.
* OpenAI's computer tool answers in pixels of the screenshot it was sent (`scale` = screen
  pixels per screenshot pixel, 1.0 unless the agent downscales screenshots).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Convention = Literal["relative", "absolute"]
GRID = 1000

# Qwen3-VL / Qwen3.5 vision: patch 16 × spatial merge 2; processor pixel budget.
QWEN_FACTOR = 32
QWEN_MIN_PIXELS = 65_536
QWEN_MAX_PIXELS = 16_777_216


def smart_resize(height: int, width: int, factor: int = QWEN_FACTOR,
                 min_pixels: int = QWEN_MIN_PIXELS, max_pixels: int = QWEN_MAX_PIXELS) -> tuple[int, int]:
    """The (height, width) Qwen's image processor resizes an image to (same rounding rules)."""
    if height <= 0 or width <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    if max(height, width) / min(height, width) > 200:
        raise ValueError(f"aspect ratio too extreme for the Qwen processor: {width}x{height}")
    h = max(factor, round(height / factor) * factor)
    w = max(factor, round(width / factor) * factor)
    if h * w > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h = max(factor, math.floor(height / beta / factor) * factor)
        w = max(factor, math.floor(width / beta / factor) * factor)
    elif h * w < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h = math.ceil(height * beta / factor) * factor
        w = math.ceil(width * beta / factor) * factor
    return h, w


def _clamp(v: int, hi: int) -> int:
    return max(0, min(hi - 1, v))


@dataclass(frozen=True)
class CoordinateSpace:
    """Maps a model's (x, y) to screen pixels and back."""

    screen_width: int
    screen_height: int
    convention: Convention = "relative"
    image_width: int | None = None     # the model's image size ("absolute"); default smart_resize
    image_height: int | None = None

    def __post_init__(self) -> None:
        if self.convention not in ("relative", "absolute"):
            raise ValueError(f"unknown coordinate convention {self.convention!r} "
                             "(expected 'relative' or 'absolute')")
        if self.screen_width <= 0 or self.screen_height <= 0:
            raise ValueError("screen size must be positive")
        if self.convention == "absolute" and self.image_width is None:
            h, w = smart_resize(self.screen_height, self.screen_width)
            object.__setattr__(self, "image_width", w)
            object.__setattr__(self, "image_height", h)

    @property
    def model_width(self) -> int:
        return GRID if self.convention == "relative" else int(self.image_width)  # type: ignore[arg-type]

    @property
    def model_height(self) -> int:
        return GRID if self.convention == "relative" else int(self.image_height)  # type: ignore[arg-type]

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """Model coordinates -> screen pixels (clamped onto the screen)."""
        sx = round(float(x) * self.screen_width / self.model_width)
        sy = round(float(y) * self.screen_height / self.model_height)
        return _clamp(sx, self.screen_width), _clamp(sy, self.screen_height)

    def from_screen(self, x: float, y: float) -> tuple[int, int]:
        """Screen pixels -> model coordinates (what a trained model should output)."""
        mx = round(float(x) * self.model_width / self.screen_width)
        my = round(float(y) * self.model_height / self.screen_height)
        return _clamp(mx, self.model_width + (1 if self.convention == "relative" else 0)), \
            _clamp(my, self.model_height + (1 if self.convention == "relative" else 0))
