"""Synthetic clips for the VLM tests (a plain module, so test files import it by name)."""

from __future__ import annotations

import numpy as np

from vidagent.types import Clip, ClipInput, Frame, VideoInfo

BACKENDS = ["video-llava", "llava-onevision", "qwen-vl", "smolvlm2"]


def make_items(n: int, frames: int = 8, seed: int = 0, size: tuple[int, int] = (64, 64)) -> list[ClipInput]:
    """`n` 2-second clips with `frames` random RGB frames each, spaced 0.25 s apart."""
    rng = np.random.default_rng(seed)
    video = VideoInfo("v.mp4", "vh", 1, 60.0, 25.0, size[1], size[0], "h264", 1500)
    items = []
    for i in range(n):
        clip = Clip(f"clip{i}", "vh", i, 2.0 * i, 2.0 * i + 2.0, ())
        imgs = [Frame(2.0 * i + 0.25 * k, rng.integers(0, 256, (*size, 3), dtype=np.uint8)) for k in range(frames)]
        items.append(ClipInput(clip=clip, video=video, frames=imgs))
    return items
