"""Clip planning is pure: no video needed."""

from __future__ import annotations

import pytest

from vidagent.clips import clip_id, keyframe_times, plan_clips, settled_clips
from vidagent.config import ClipsConfig
from vidagent.types import Scene


def scenes_of(*bounds: float) -> list[Scene]:
    return [Scene(i, int(a * 25), int(b * 25), a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]


def test_short_scenes_merge_and_long_scenes_split() -> None:
    cfg = ClipsConfig(min_duration=2.0, max_duration=10.0, keyframes=3)
    clips = plan_clips("h", scenes_of(0, 0.5, 1.0, 1.5, 6.0, 31.0), cfg)
    spans = [(c.start, c.end) for c in clips]
    # 0-0.5, 0.5-1.0, 1.0-1.5 are short and merge with 1.5-6.0; 6-31 (25 s) splits into 3 parts.
    assert spans == [(0.0, 6.0), (6.0, 14.333), (14.333, 22.667), (22.667, 31.0)]
    assert clips[0].scene_indices == (0, 1, 2, 3)
    assert all(c.duration <= cfg.max_duration + 1e-6 for c in clips)
    assert [c.index for c in clips] == [0, 1, 2, 3]


def test_clips_cover_the_video_without_gaps() -> None:
    cfg = ClipsConfig(min_duration=1.0, max_duration=4.0)
    clips = plan_clips("h", scenes_of(0, 0.3, 5.2, 5.5, 9.9, 10.0), cfg)
    assert clips[0].start == 0.0 and clips[-1].end == 10.0
    for a, b in zip(clips, clips[1:]):
        assert a.end == b.start


def test_single_long_shot_becomes_searchable_clips() -> None:
    clips = plan_clips("h", [], ClipsConfig(max_duration=20.0), duration=79.5)
    assert len(clips) == 4 and clips[-1].end == 79.5


def test_keyframes_are_inside_the_clip_and_ids_stable() -> None:
    cfg = ClipsConfig(keyframes=4)
    a = plan_clips("hash1", scenes_of(0, 3, 8), cfg)
    b = plan_clips("hash1", scenes_of(0, 3, 8), cfg)
    assert [c.id for c in a] == [c.id for c in b]
    assert plan_clips("hash2", scenes_of(0, 3, 8), cfg)[0].id != a[0].id
    for c in a:
        assert len(c.keyframes) == 4 and all(c.start < t < c.end for t in c.keyframes)
    assert keyframe_times(0, 10, 2) == (2.5, 7.5)
    assert clip_id("x", 1.0, 2.0) == clip_id("x", 1.0004, 2.0)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_no_scenes_no_duration_no_clips(n: int) -> None:
    assert plan_clips("h", [], ClipsConfig(), duration=0.0) == []


def test_settled_clips_are_exactly_the_final_plans_first_clips() -> None:
    """Any prefix of complete shots gives clips that the plan of the whole video starts with, whatever
    shots follow (random shot lengths around the merge and split thresholds)."""
    import random

    rng = random.Random(7)
    for trial in range(300):
        cfg = ClipsConfig(min_duration=rng.choice([0.0, 1.0, 2.0]), max_duration=rng.choice([3.0, 5.0, 20.0]))
        bounds = [0.0]
        for _ in range(rng.randint(1, 25)):
            bounds.append(round(bounds[-1] + rng.choice([0.2, 0.5, 1.0, 1.9, 2.5, 4.0, 7.0, 30.0]), 3))
        scenes = scenes_of(*bounds)
        final = plan_clips("h", scenes, cfg, bounds[-1])
        grew = 0
        for k in range(len(scenes) + 1):
            settled = settled_clips("h", scenes[:k], cfg)
            assert settled == final[: len(settled)], (trial, k)
            assert len(settled) >= grew  # more known shots never un-settle a clip
            grew = len(settled)
    # Most clips settle before the end on a long cut-heavy video: the stream has work early.
    many = scenes_of(*[float(3 * i) for i in range(101)])
    assert len(settled_clips("h", many[:50], ClipsConfig())) >= 40


def test_keyframes_sit_on_the_grid_near_the_centres() -> None:
    """With `keyframe_grid` each keyframe is a multiple of the step strictly inside its clip, at most
    half a step from the centre it replaces; a clip holding no grid point keeps the exact centres."""
    import random

    rng = random.Random(3)
    for _ in range(500):
        start = round(rng.uniform(0, 500), 3)
        end = round(start + rng.uniform(0.4, 20), 3)
        exact = keyframe_times(start, end, 3)
        snapped = keyframe_times(start, end, 3, 0.125)
        for e, s in zip(exact, snapped, strict=True):
            assert start < s < end
            assert abs(s * 8 - round(s * 8)) < 1e-6
            assert abs(s - e) <= 0.0625 + 1e-3
    assert keyframe_times(10.0, 10.1, 3, 0.125) == keyframe_times(10.0, 10.1, 3)  # no grid point inside
    assert keyframe_times(0, 6.5, 3, 0.125) == (1.125, 3.25, 5.375)
    clips = plan_clips("h", scenes_of(0, 6.5, 13.0), ClipsConfig(keyframe_grid=0.125))
    assert clips[1].keyframes == (7.625, 9.75, 11.875)
    assert plan_clips("h", scenes_of(0, 6.5), ClipsConfig(keyframe_grid=0))[0].keyframes == (1.083, 3.25, 5.417)
