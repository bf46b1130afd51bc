"""Salient crops and their pooling with the full frame."""

from __future__ import annotations

import numpy as np

from vidagent.signals import crops


def test_the_textured_corner_is_cropped_first() -> None:
    img = np.full((200, 300, 3), 120, np.uint8)
    rng = np.random.default_rng(0)
    img[130:, 200:] = rng.integers(0, 255, (70, 100, 3), dtype=np.uint8)  # busy bottom-right corner
    out = crops.salient_crops(img, n=2)
    assert len(out) == 2 and out[0].shape == (120, 180, 3)
    assert np.array_equal(out[0], img[80:, 120:])


def test_tiny_frames_give_no_crops() -> None:
    assert crops.salient_crops(np.zeros((40, 40, 3), np.uint8)) == []


def test_pool_lets_a_confident_crop_label_in() -> None:
    full = np.full(10, 0.1, np.float32)
    crop = np.zeros((2, 10), np.float32)
    crop[1, 7] = 0.9
    pooled = crops.pool(full, crop)
    assert abs(float(pooled.sum()) - 1.0) < 1e-5
    assert int(np.argmax(pooled)) == 7
    assert np.array_equal(crops.pool(full, np.zeros((0, 10), np.float32)), full)
