"""What a describer sees for a clip: its frames (decoded in one pass per batch) and the speech inside it.

Used by the executor while indexing and by the agent when it re-queries a stored clip, so both show a
describer exactly the same evidence. Describe-level: it reads a store only through the narrow
`ClipSource` protocol below, so it imports neither the store nor the executor.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any, Protocol

from . import video as vmod
from .clips import uniform_times
from .config import Settings
from .describe import Describer
from .errors import UnknownClip, UnknownVideo
from .types import Clip, ClipInput, Segment, VideoInfo


class ClipSource(Protocol):
    """The store methods `clip_input` needs (the `Store` facade has them)."""

    def active_rows(
        self,
        description_ids: Sequence[int] | None = None,
        video_hash: str | None = None,
        clip_ids: Sequence[str] | None = None,
    ) -> Sequence[Any]: ...

    def find_video(self, path_or_hash: str) -> Any: ...

    def get_clips(self, plan_key: str) -> list[Clip] | None: ...

    def video_info(self, video_hash: str) -> VideoInfo: ...

    def transcripts_of(self, video_hash: str) -> list[list[Segment]]: ...


def speech_between(segments: Sequence[Segment], start: float, end: float) -> list[Segment]:
    """The transcript segments overlapping [start, end) (pure)."""
    return [s for s in segments if s.end > start and s.start < end]


def _nearest(ordered: list[float], t: float) -> float:
    i = bisect.bisect_left(ordered, t - 1e-3)
    return ordered[min(i, len(ordered) - 1)]


def keyframe_capture(settings: Settings, describer: Describer) -> Any:
    """A `KeyframeCapture` for a video's scene pass when its frames can be the describer's (the
    planned keyframes, on the grid, decoded exactly); None otherwise (`video/capture.py` says why)."""
    grid = settings.clips.keyframe_grid
    if grid <= 0 or settings.scenes.fast_decode or describer.frames_per_clip:
        return None
    from .video.capture import KeyframeCapture

    return KeyframeCapture(grid, settings.describe.frame_width)


def read_inputs(
    info: VideoInfo,
    clips: Sequence[Clip],
    speech: Sequence[Segment],
    frames_per_clip: int | None,
    width: int,
    *,
    one_thread: bool = False,
    kept: Any = None,
) -> list[ClipInput]:
    """What a describer sees for some clips of one video: frames decoded in one pass (its own count
    uniformly over each clip, else the planned keyframes) and the speech inside each clip. `kept` (a
    `KeyframeCapture`) serves the frames the scene pass kept; only the others are decoded."""
    wanted = {c.id: (uniform_times(c, frames_per_clip) if frames_per_clip else c.keyframes) for c in clips}
    times = [t for ts in wanted.values() for t in ts]
    found = kept.take(times) if kept is not None else {}
    rest = [t for t in times if t not in found]
    frames = list(found.values()) + (
        vmod.frames_at(info.path, rest, width=width, one_thread=one_thread) if rest else []
    )
    by_time = {f.time: f for f in frames}
    ordered = sorted(by_time)
    return [
        ClipInput(
            clip=c,
            video=info,
            frames=[by_time[_nearest(ordered, t)] for t in wanted[c.id]],
            speech=speech_between(speech, c.start, c.end),
        )
        for c in clips
    ]


def clip_input(store: ClipSource, settings: Settings, clip_id: str, describer: Describer | None = None) -> ClipInput:
    """Rebuild what a describer saw for one stored clip (frames + speech + stored description), to
    re-query it later (the agent's `inspect_clip`)."""
    rows = store.active_rows(clip_ids=[clip_id])
    if not rows:
        raise UnknownClip(clip_id)
    row = rows[0]
    video = store.find_video(row.video_hash)
    if video is None or video.plan_key is None:
        raise UnknownVideo(row.video_hash, f"video {row.video_hash} has no indexed clips")
    clips = [c for c in (store.get_clips(video.plan_key) or []) if c.id == clip_id]
    if not clips:
        raise UnknownClip(clip_id, message=f"clip '{clip_id}' is not in its video's current plan")
    info = store.video_info(row.video_hash)
    transcripts = store.transcripts_of(info.hash)
    n = describer.frames_per_clip if describer is not None else None
    item = read_inputs(info, clips, transcripts[0] if transcripts else [], n, settings.describe.frame_width)[0]
    item.stored = row.description()
    return item
