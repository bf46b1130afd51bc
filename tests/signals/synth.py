"""Synthetic videos with known camera motion, encoded with PyAV libx264 inside the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth random RGB texture (blurred noise at several scales): blocks that motion search can track."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.float32)
    for cell in (64, 16, 4):
        small = rng.random((h // cell + 2, w // cell + 2, 3)).astype(np.float32)
        big = np.repeat(np.repeat(small, cell, 0), cell, 1)[:h, :w]
        img += big * (cell / 84.0)
    img = (img - img.min()) / (img.max() - img.min())
    return (img * 255).astype(np.uint8)


def camera_video(
    path: Path,
    kind: str,
    seconds: float = 2.0,
    fps: int = 25,
    size: tuple[int, int] = (320, 192),
    speed: float = 0.12,
    gop: int | None = None,
) -> Path:
    """Encode a view of a large texture moving as a camera would: kind in static/pan_right/pan_left/
    tilt_up/tilt_down/zoom_in/zoom_out; speed in frame widths (or scale) per second."""
    import av
    from PIL import Image

    w, h = size
    big = texture(h * 3, w * 3)
    cy, cx = big.shape[0] // 2, big.shape[1] // 2
    n = int(seconds * fps)
    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        st.options = {"g": str(gop or fps * 10), "bf": "0", "preset": "veryfast"}
        for i in range(n):
            t = i / fps
            dx = dy = 0.0
            scale = 1.0
            if kind == "pan_right":
                dx = speed * w * t
            elif kind == "pan_left":
                dx = -speed * w * t
            elif kind == "tilt_up":
                dy = -speed * w * t
            elif kind == "tilt_down":
                dy = speed * w * t
            elif kind == "zoom_in":
                scale = 1.0 / (1.0 + speed * t)
            elif kind == "zoom_out":
                scale = 1.0 + speed * t
            vw, vh = w * scale, h * scale
            x0, y0 = cx + dx - vw / 2, cy + dy - vh / 2
            crop = Image.fromarray(big).crop((round(x0), round(y0), round(x0 + vw), round(y0 + vh)))
            frame = np.asarray(crop.resize((w, h), Image.BILINEAR))
            for pkt in st.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    return path
