"""Streaming TransNetV2 finds the exact cuts of the stitched demo and matches the reference inference."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vidagent.perception.transnet import TransNetV2Detector, load_model


def _small_frames(path):  # type: ignore[no-untyped-def]
    import av

    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24", width=48, height=27) for f in c.decode(c.streams.video[0])]


@pytest.mark.slow
def test_finds_stitched_cuts(corpus) -> None:  # type: ignore[no-untyped-def]
    gt = json.loads((corpus / "stitched" / "stitched_demo.json").read_text())["cut_frames"]
    frames = _small_frames(corpus / "stitched" / "stitched_demo.mp4")
    det = TransNetV2Detector(threshold=0.5)
    cuts: list[int] = []
    for i, img in enumerate(frames):
        new = det.process_frame(i, img)
        assert all(c <= i for c in new)
        cuts.extend(new)
    assert len(det._frames) <= 100  # streamed, not buffered
    cuts.extend(det.finish(len(frames) - 1))
    print("cuts", cuts, "expected", gt)
    assert len(cuts) == len(gt)
    assert all(abs(c - g) <= 2 for c, g in zip(sorted(cuts), gt, strict=True))
    # Same per-frame probabilities as the package's own whole-video inference.
    torch = pytest.importorskip("torch")
    ref, _ = load_model().predict_frames(torch.from_numpy(np.stack(frames)), quiet=True)
    np.testing.assert_allclose(np.array(det.last_predictions), ref.numpy(), atol=1e-4)


def test_short_and_static_videos_have_no_cuts() -> None:
    det = TransNetV2Detector()
    img = np.full((27, 48, 3), 120, dtype=np.uint8)
    assert [c for i in range(7) for c in det.process_frame(i, img)] == []
    assert det.finish(6) == []
    assert det.finish(0) == []  # nothing fed: nothing to do
