"""Typed records the store hands out: plain frozen dataclasses, never ORM rows (which would tie callers
to a session) and never bare dicts (which hide typos until run time).

Records also answer `record["field"]` and `record.get("field")`: code written against the store's
earlier dict rows keeps working while it moves to attributes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from ..types import Description, VideoInfo


class _Record:
    """Read-only mapping access on top of a dataclass's attributes."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def keys(self) -> list[str]:
        return [f.name for f in fields(self)]  # type: ignore[arg-type]  # every subclass is a dataclass

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.keys()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]  # every subclass is a dataclass


@dataclass(frozen=True)
class VideoRecord(_Record):
    """One indexed video: its content hash, where it was last seen, and which plan/describer are active."""

    hash: str
    path: str
    size: int
    duration: float
    fps: float
    width: int
    height: int
    video_codec: str
    frame_count: int
    audio_codec: str | None
    audio_channels: int
    audio_rate: int
    plan_key: str | None = None
    describer_key: str | None = None
    indexed_at: datetime | None = None

    def info(self) -> VideoInfo:
        """The VideoInfo the stages pass around (path = where it was last indexed)."""
        return VideoInfo(
            path=self.path,
            hash=self.hash,
            size=self.size,
            duration=self.duration,
            fps=self.fps,
            width=self.width,
            height=self.height,
            video_codec=self.video_codec,
            frame_count=self.frame_count,
            audio_codec=self.audio_codec,
            audio_channels=self.audio_channels,
            audio_rate=self.audio_rate,
        )


@dataclass(frozen=True)
class StoredDescription(_Record):
    """A stored description of one clip by one describer setting (any plan)."""

    id: int
    clip_id: str
    video_hash: str
    describer_key: str
    describer: str
    model_id: str
    prompt: str | None
    caption: str
    tags: list[tuple[str, float]]
    ocr: list[str]
    transcript: str
    frame_times: list[float]
    extra: dict[str, Any] = field(default_factory=dict)

    def description(self) -> Description:
        """Back to the describe stage's value (vectors are not carried)."""
        return Description(
            caption=self.caption,
            tags=list(self.tags),
            ocr=list(self.ocr),
            transcript=self.transcript,
            frame_times=list(self.frame_times),
            extra=dict(self.extra),
        )


@dataclass(frozen=True)
class ClipRecord(_Record):
    """A clip of a video's active plan with its active description: what search and the agent read."""

    description_id: int
    clip_id: str
    video_hash: str
    video: str
    start: float
    end: float
    index: int
    caption: str
    tags: list[str]
    tag_scores: list[tuple[str, float]]
    ocr: list[str]
    transcript: str
    model_id: str
    prompt: str | None
    describer: str
    describer_key: str
    frame_times: list[float]
    extra: dict[str, Any] = field(default_factory=dict)

    def description(self) -> Description:
        return Description(
            caption=self.caption,
            tags=list(self.tag_scores),
            ocr=list(self.ocr),
            transcript=self.transcript,
            frame_times=list(self.frame_times),
            extra=dict(self.extra),
        )


@dataclass(frozen=True)
class ClipSpan(_Record):
    """Where a clip of any stored plan is: its span and its video."""

    clip_id: str
    start: float
    end: float
    video: str
    video_hash: str


@dataclass(frozen=True)
class RunRecord(_Record):
    """One `caption` (or other batch) run: settings in, summary out, for time estimates."""

    id: int
    command: str
    started: datetime
    finished: datetime | None
    status: str
    settings: dict[str, Any]
    summary: dict[str, Any]


@dataclass(frozen=True)
class AgentRunRecord(_Record):
    """One `ask`, for `vidagent history`; `created` is an ISO timestamp so the record is JSON-able."""

    id: int
    created: str
    question: str
    answer: str
    mode: str
    citations: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    elapsed_s: float
    error: str


@dataclass(frozen=True)
class KeywordRow:
    """The text of one description as the keyword index holds it (built in one place for writes and repairs)."""

    rowid: int
    caption: str
    ocr: str
    transcript: str
    tags: str


def keyword_row(
    description_id: int, caption: str, ocr: list[str], transcript: str, tags: list[tuple[str, float]] | list[list[Any]]
) -> KeywordRow:
    """What gets indexed for keyword search: caption, on-screen text lines, speech, tag names."""
    return KeywordRow(description_id, caption, "\n".join(ocr), transcript, " ".join(str(t[0]) for t in tags))
