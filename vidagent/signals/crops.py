"""Small objects: a few crops of a keyframe for the tagger, pooled with the full frame.

A classifier sees the whole frame at 224 px, where a cup on a desk is a few pixels wide. The
cell of a 2x2 grid with the most edge energy (a cheap saliency) is tagged too; a label a crop is
sure of enters the clip's tags even when the full frame did not rank it. One crop per clip (the
tagger costs ~50 ms of CPU per image), and only for clips whose full frames the tagger is unsure
about, keep the signals within their indexing budget.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

N_CROPS = 1
CROP_BELOW = 0.4  # crops are tagged only when the full frames' best label is less sure than this
CROP_WEIGHT = 0.6  # a crop's probability counts this much against the full frame's


def salient_crops(image: np.ndarray, n: int = N_CROPS) -> list[np.ndarray]:
    """The n grid cells (2x2, overlapping by a quarter) with the most gradient energy, largest first."""
    h, w = image.shape[:2]
    if h < 64 or w < 64 or n <= 0:
        return []
    gray = image[:, :, :3].astype(np.float32).mean(-1) if image.ndim == 3 else image.astype(np.float32)
    energy = np.abs(np.diff(gray, axis=0))[:, :-1] + np.abs(np.diff(gray, axis=1))[:-1, :]
    ch, cw = int(h * 0.6), int(w * 0.6)
    cells = [(y, x) for y in (0, h - ch) for x in (0, w - cw)]
    scores = [float(energy[y : y + ch, x : x + cw].mean()) for y, x in cells]
    order = np.argsort(scores)[::-1][:n]
    return [image[cells[i][0] : cells[i][0] + ch, cells[i][1] : cells[i][1] + cw] for i in order]


def pool(full: np.ndarray, crops: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Clip probabilities from the full frames' mean and the crops' best: max(full, w * crops), renormalised."""
    crops = np.asarray(crops)
    if crops.size == 0:
        return full
    pooled = np.maximum(full, CROP_WEIGHT * crops.max(axis=0))
    return (pooled / max(float(pooled.sum()), 1e-12)).astype(np.float32)
