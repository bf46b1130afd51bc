"""Scaling decoded frames: one reused swscale context (`Scaler`, every exact path), and OpenCV on
the YUV planes for the opt-in coarse detection decode (`shrink`, `scenes.fast_decode`).

Why `shrink`: scene detection looks at every frame of a video, and swscale's area filter with a BGR
conversion cost ~1.2 ms per 720p frame here, as much as decoding it (`benchmarks/bench_scenes.py`,
before `Scaler`). OpenCV's area resize of the three 4:2:0 planes and its I420 -> BGR conversion at the
small size cost ~0.6 ms for the same 256 px image, through a zero-copy view of the decoder's planes.
The image differs from swscale's by a few grey levels (chroma is averaged over the plane, then
converted), enough to move cuts that sit on the detector's threshold, hence opt-in.

Only 8-bit 4:2:0 video (yuv420p, the common case) takes that path, and only for BGR or RGB output
shrinking by at least 2x; everything else (other pixel formats, full-range "yuvj", upscaling) goes
through swscale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_CODES: dict[str, int] = {}
# swscale's area averaging: the right filter for downscaling, and ~30% faster than its default
# (bicubic) on 720p -> 256 px (benchmarks/bench_scenes.py); detection and keyframes only shrink frames.
_DOWNSCALE = "AREA"


class Scaler:
    """Frames to (w, h) arrays in one pixel format through one swscale context, on the calling thread.

    Why: `VideoFrame.to_ndarray(width=...)` builds a new reformatter (and swscale context, with its
    filter tables) for every frame and lets swscale start its own threads; one reused context on one
    thread gives the same pixels for ~40% less CPU (0.53 -> 0.32 ms per 720p frame shrunk to 256 px),
    which counts where every frame of a video is scaled (shot detection)."""

    def __init__(self, w: int, h: int, pix_fmt: str) -> None:
        from av.video.reformatter import VideoReformatter

        self.w, self.h, self.pix_fmt = w, h, pix_fmt
        self._ctx = VideoReformatter()
        self._one_thread = True

    def __call__(self, frame: Any) -> np.ndarray:
        if self._one_thread:
            try:
                out = self._ctx.reformat(frame, self.w, self.h, self.pix_fmt, interpolation=_DOWNSCALE, threads=1)
                return np.asarray(out.to_ndarray())
            except TypeError:  # a PyAV whose reformat() has no `threads` yet
                self._one_thread = False
        return np.asarray(
            self._ctx.reformat(frame, self.w, self.h, self.pix_fmt, interpolation=_DOWNSCALE).to_ndarray()
        )


def _plane(frame: Any, i: int) -> np.ndarray:
    """A zero-copy (height, width) view of plane `i` (rows may be padded to `line_size`)."""
    p = frame.planes[i]
    return np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width]


def can_shrink(frame: Any, w: int, h: int, pix_fmt: str) -> bool:
    """Whether `shrink` handles this frame: 8-bit limited-range 4:2:0 to BGR/RGB, at least 2x smaller."""
    return (
        pix_fmt in ("bgr24", "rgb24")
        and frame.format.name == "yuv420p"
        and w % 2 == 0
        and h % 2 == 0
        and frame.width >= 2 * w
        and frame.height >= 2 * h
    )


def shrink(frame: Any, w: int, h: int, pix_fmt: str) -> np.ndarray:
    """The frame scaled to (w, h) as an HxWx3 uint8 array in `pix_fmt` (bgr24 or rgb24)."""
    import cv2

    if not _CODES:
        _CODES.update(bgr24=cv2.COLOR_YUV2BGR_I420, rgb24=cv2.COLOR_YUV2RGB_I420)
    out = np.empty((h * 3 // 2, w), np.uint8)
    cv2.resize(_plane(frame, 0), (w, h), dst=out[:h], interpolation=cv2.INTER_AREA)
    q = (w // 2) * (h // 2)
    chroma = out[h:].reshape(-1)
    cv2.resize(_plane(frame, 1), (w // 2, h // 2), dst=chroma[:q].reshape(h // 2, w // 2), interpolation=cv2.INTER_AREA)
    cv2.resize(_plane(frame, 2), (w // 2, h // 2), dst=chroma[q:].reshape(h // 2, w // 2), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(out, _CODES[pix_fmt])
