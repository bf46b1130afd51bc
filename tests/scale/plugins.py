"""Test-only describer for the scale tests: distinct, deterministic captions from the frames' colour
layout (so rankings have few ties), instant, no model. Loaded in Ray workers through
VIDAGENT_PLUGINS=tests.plugins,tests.scale.plugins."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vidagent.describe import Describer, register_describer
from vidagent.types import ClipInput, Description

NAMES = {
    "red": (200, 40, 40),
    "orange": (230, 140, 40),
    "yellow": (220, 210, 60),
    "green": (50, 170, 60),
    "teal": (40, 150, 150),
    "blue": (40, 70, 200),
    "purple": (130, 60, 170),
    "pink": (230, 150, 190),
    "brown": (120, 80, 40),
    "grey": (128, 128, 128),
    "white": (235, 235, 235),
    "black": (15, 15, 15),
}


def _name(rgb: np.ndarray) -> str:
    return min(NAMES, key=lambda c: float(np.sum((np.array(NAMES[c]) - rgb) ** 2)))


class LayoutDescriber(Describer):
    name = "test-layout"
    model_id = "test/layout-v1"
    version = "1"

    def __init__(self, config: object = None) -> None:
        pass

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        out = []
        for item in items:
            img = np.mean([f.image.astype(np.float32) for f in item.frames], axis=0)
            h, w = img.shape[:2]
            quads = [img[: h // 2, : w // 2], img[: h // 2, w // 2 :], img[h // 2 :, : w // 2], img[h // 2 :, w // 2 :]]
            names = [_name(q.reshape(-1, 3).mean(0)) for q in quads]  # top left, top right, bottom left, bottom right
            light = "bright" if img.mean() > 140 else ("dark" if img.mean() < 70 else "medium")
            # Colour and light words only: tokenised and stemmed alike by FTS5 and PostgreSQL, so
            # both backends give equal BM25 scores and rankings differ only by exact ties.
            caption = f"{light} " + " ".join(names)
            out.append(
                Description(
                    caption=caption,
                    tags=[(n, 0.5) for n in dict.fromkeys(names)],
                    frame_times=[f.time for f in item.frames],
                )
            )
        return out


register_describer("test-layout", LayoutDescriber)
