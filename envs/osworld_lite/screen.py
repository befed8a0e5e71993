"""Screenshots of an episode's display: mss grab → uint8 H×W×3 RGB array; PNG encoding."""
from __future__ import annotations

import io
import threading

import mss
import numpy as np
from PIL import Image

from envs.errors import InfrastructureError


class Screen:
    """Grabs the whole root window of one X display. Thread-safe."""

    def __init__(self, display_name: str):
        self.display_name = display_name
        self._lock = threading.Lock()
        self._sct = None
        self._owner: int | None = None

    def _grabber(self):
        # mss keeps per-thread X state; the env may be stepped from different worker threads.
        me = threading.get_ident()
        if self._sct is None or self._owner != me:
            self._close_grabber()
            factory = getattr(mss, "MSS", None) or mss.mss
            self._sct = factory(display=self.display_name)
            self._owner = me
        return self._sct

    def grab(self) -> np.ndarray:
        with self._lock:
            try:
                sct = self._grabber()
                shot = sct.grab(sct.monitors[0])
            except Exception as exc:
                self._close_grabber()
                raise InfrastructureError(f"cannot grab the screen of display {self.display_name}: {exc}") from exc
        bgra = np.frombuffer(shot.bgra, dtype=np.uint8).reshape(shot.height, shot.width, 4)
        return np.ascontiguousarray(bgra[:, :, 2::-1])

    def _close_grabber(self) -> None:
        if self._sct is not None:
            try:
                self._sct.close()
            except Exception:
                pass
            self._sct = None

    def close(self) -> None:
        with self._lock:
            self._close_grabber()


def encode_png(image: np.ndarray, compress_level: int = 3) -> bytes:
    """PNG bytes of an H×W×3 uint8 array (level 3: a fair size/speed balance for screenshots)."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def decode_png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
