"""The clips stage: pure planning from scenes to the clips that get described, searched and cited.

Short shots merge (a montage of 0.5 s cuts is one searchable moment), long shots split into equal
parts (a one-shot static camera still yields clips of at most `max_duration`), and every clip gets
evenly spaced keyframe times. Clip ids hash the video content and the span, so they are stable
across re-runs, renames and moves.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from .config import ClipsConfig
from .types import Clip, Scene


def clip_id(video_hash: str, start: float, end: float) -> str:
    """Stable id of a span of a video's content (millisecond resolution)."""
    key = f"{video_hash}:{round(start * 1000)}:{round(end * 1000)}"
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def keyframe_times(start: float, end: float, n: int, grid: float = 0.0) -> tuple[float, ...]:
    """`n` times evenly spread inside [start, end): the centres of n equal parts, never on a cut.

    With `grid` > 0 each centre moves to the nearest multiple of `grid` strictly inside the clip (kept
    where the clip holds none): the detection pass keeps the frames at those times (`capture.py`),
    so keyframes need not be decoded a second time. A centre moves by at most `grid / 2`."""
    span = max(end - start, 0.0)
    centres = [start + span * (i + 0.5) / n for i in range(n)]
    return tuple(round(on_grid(t, start, end, grid), 3) for t in centres)


def on_grid(t: float, start: float, end: float, grid: float) -> float:
    """`t` moved to the nearest multiple of `grid` in (start, end) (the lower one on a tie); `t`
    itself when the clip holds none."""
    if grid <= 0:
        return t
    low = math.floor(t / grid)
    for k in sorted((low, low + 1), key=lambda k: (abs(k * grid - t), k)):
        g = round(k * grid, 3)
        if start < g < end:
            return g
    return t


def _groups(scenes: Sequence[Scene], cfg: ClipsConfig) -> list[list[Scene]]:
    """Merge consecutive scenes shorter than min_duration, never growing a group past max_duration."""
    groups = _greedy(scenes, cfg)
    # A short tail joins the group before it when that keeps within the maximum.
    if len(groups) > 1:
        last, prev = groups[-1], groups[-2]
        if last[-1].end - last[0].start < cfg.min_duration and last[-1].end - prev[0].start <= cfg.max_duration:
            prev.extend(groups.pop())
    return groups


def _greedy(scenes: Sequence[Scene], cfg: ClipsConfig) -> list[list[Scene]]:
    """The left-to-right merge: a group, once another has started after it, never changes."""
    groups: list[list[Scene]] = []
    for sc in scenes:
        if groups:
            cur = groups[-1]
            cur_len = cur[-1].end - cur[0].start
            cur_short = cur_len < cfg.min_duration
            fits = cur_len + sc.duration <= cfg.max_duration
            if fits and (cur_short or sc.duration < cfg.min_duration):
                cur.append(sc)
                continue
        groups.append([sc])
    return groups


def plan_clips(video_hash: str, scenes: Sequence[Scene], cfg: ClipsConfig, duration: float = 0.0) -> list[Clip]:
    """Scenes -> clips. Pure: same scenes and settings always give the same clips and ids."""
    if not scenes:
        if duration <= 0:
            return []
        scenes = [Scene(index=0, start_frame=0, end_frame=0, start=0.0, end=duration)]
    return _clips(video_hash, _groups(scenes, cfg), cfg)


def settled_clips(video_hash: str, first_scenes: Sequence[Scene], cfg: ClipsConfig) -> list[Clip]:
    """The clips of the whole plan that are already fixed when only `first_scenes` (the complete shots
    at the start of the video, in order) are known: every group but the last two of the left-to-right
    merge (the last may still grow; the one before may still take a short tail). So a video's first
    clips can be described while its later cuts are still being detected; each is exactly the clip
    `plan_clips` gives once every scene is known (tests/test_clips.py checks this on random shots)."""
    return _clips(video_hash, _greedy(first_scenes, cfg)[:-2], cfg)


def _clips(video_hash: str, groups: list[list[Scene]], cfg: ClipsConfig) -> list[Clip]:
    clips: list[Clip] = []
    for group in groups:
        start, end = group[0].start, group[-1].end
        indices = tuple(s.index for s in group)
        parts = max(1, math.ceil((end - start) / cfg.max_duration - 1e-9))
        step = (end - start) / parts
        for p in range(parts):
            s = start + p * step
            e = end if p == parts - 1 else start + (p + 1) * step
            s, e = round(s, 3), round(e, 3)
            clips.append(
                Clip(
                    id=clip_id(video_hash, s, e),
                    video_hash=video_hash,
                    index=len(clips),
                    start=s,
                    end=e,
                    keyframes=keyframe_times(s, e, cfg.keyframes, cfg.keyframe_grid),
                    scene_indices=indices,
                )
            )
    return clips


def uniform_times(clip: Clip, n: int) -> tuple[float, ...]:
    """`n` frame times uniformly over a clip, for describers that want their own frame count."""
    return keyframe_times(clip.start, clip.end, n)
