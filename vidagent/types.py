"""Plain typed values passed between stages: video -> scenes -> clips -> describe -> store -> retrieve.

Stages never pass ORM rows or decoder objects to each other, only these dataclasses, so each stage can
be tested (and later distributed) on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class VideoInfo:
    """What probing a file tells us; `hash` identifies the content wherever the file lives."""

    path: str
    hash: str
    size: int
    duration: float
    fps: float
    width: int
    height: int
    video_codec: str
    frame_count: int
    audio_codec: str | None = None
    audio_channels: int = 0
    audio_rate: int = 0
    #: the duration the container's header claims when less of the file decodes (a truncated file;
    #: `duration` is then what decodes); 0.0 when the two agree
    header_duration: float = 0.0

    @property
    def truncated(self) -> bool:
        return self.header_duration > 0.0

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


@dataclass(frozen=True)
class Scene:
    """One shot between two detected cuts, in frames and seconds (end exclusive)."""

    index: int
    start_frame: int
    end_frame: int
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Clip:
    """The unit that is described, embedded, searched and cited."""

    id: str
    video_hash: str
    index: int
    start: float
    end: float
    keyframes: tuple[float, ...]
    scene_indices: tuple[int, ...] = ()

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Frame:
    """A decoded RGB frame (H x W x 3, uint8) at a presentation time in seconds."""

    time: float
    image: np.ndarray


@dataclass(frozen=True)
class Segment:
    """A timed piece of transcript."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class TextBox:
    """One piece of text read on one frame: where it sits (fractions of the frame, 0-1) and how sure.

    Kept per box (not as flat lines) so layout survives: table rows, label/value lines, columns.
    """

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    time: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class ClipInput:
    """Everything a describer may look at for one clip: its keyframes and the speech inside its span."""

    clip: Clip
    video: VideoInfo
    frames: list[Frame]
    speech: list[Segment] = field(default_factory=list)
    #: the description already stored for this clip, when re-querying one (the agent's inspect_clip):
    #: a describer whose evidence is deterministic (offline) can answer from it without re-running models
    stored: Description | None = None


@dataclass
class Description:
    """A describer's output for one clip; each part is stored separately so search and the agent can use it."""

    caption: str
    tags: list[tuple[str, float]] = field(default_factory=list)
    ocr: list[str] = field(default_factory=list)
    transcript: str = ""
    frame_times: list[float] = field(default_factory=list)
    # Extra vectors the describer computed, by space name (e.g. "visual" in the text-embedding space).
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: text boxes read on the keyframes, with positions (stored in their own table, see store/evidence.py)
    boxes: list[TextBox] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    """One ranked search result."""

    clip_id: str
    video: str
    video_hash: str
    start: float
    end: float
    score: float
    caption: str
    tags: list[str] = field(default_factory=list)
    ocr: list[str] = field(default_factory=list)
    transcript: str = ""
    sources: dict[str, int] = field(default_factory=dict)
    similarity: float = 0.0
    why: str = ""
    contributions: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "clip_id": self.clip_id,
            "video": self.video,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 6),
            "caption": self.caption,
            "tags": self.tags,
            "ocr": self.ocr,
            "transcript": self.transcript,
            "similarity": round(self.similarity, 4),
            "ranks": self.sources,
            "uri": media_uri(self.video, self.start, self.end),
            "why": self.why,
            "contributions": self.contributions,
        }


def media_uri(video: str, start: float, end: float) -> str:
    """`file:///abs/path.mp4#t=START,END` (W3C media fragment): browsers and players open it at the clip."""
    from pathlib import Path

    return f"{Path(video).resolve().as_uri()}#t={start:.3f},{end:.3f}"
