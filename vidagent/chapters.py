"""Chapters that are chapters: shots merged at the strongest boundaries, titled from what is said or shown.

A boundary between two clips is scored from three signals the store already holds: a scene change
(the clips come from different detected shots), a pause in speech (no transcript segment spans it)
and a change of content (word overlap of captions, tags, on-screen text and speech on each side).
Boundaries are taken strongest first while every chapter stays at least `min_length` long, so a
10-minute film gets about ten chapters however many shots it has. Titles come from on-screen text,
else speech, else the caption: words a viewer would recognise, not a tag list.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import VidagentError
from .outputs import OutputGuard
from .store import Store
from .types import Clip, Segment

TEXT_FORMATS = {"vtt": (".vtt",), "json": (".json",), "youtube": (".txt",), "ffmetadata": (".txt", ".ffmeta")}
TIMELINE_FORMATS = ("otio", "edl", "fcpxml")
FORMATS = tuple(TEXT_FORMATS) + TIMELINE_FORMATS
WEIGHTS = {"scene": 0.4, "pause": 0.3, "content": 0.3}
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass
class Chapter:
    index: int
    start: float
    end: float
    title: str
    video: str
    video_hash: str
    clip_ids: list[str]
    boundary_score: float  # strength of the boundary that starts it (1.0 for the first)


def default_min_length(duration: float) -> float:
    """A tenth of the film, between 10 s and 5 min (60 s for a 10-minute film)."""
    return min(300.0, max(10.0, duration / 10.0))


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _in_pause(t: float, segments: Sequence[Segment], margin: float = 0.3) -> float:
    """1.0 when no speech is within `margin` of t (or nothing was said at all), else 0.0."""
    return 0.0 if any(s.start - margin < t < s.end + margin for s in segments) else 1.0


class Row(Protocol):
    """A clip's stored description: a `store.ClipRecord` or a plain dict with the same keys."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def __getitem__(self, key: str) -> Any: ...


def boundary_scores(clips: Sequence[Clip], rows: Mapping[str, Row], segments: Sequence[Segment]) -> list[float]:
    """Strength (0-1) of the boundary after each clip but the last."""
    text = [
        _words(
            " ".join(
                [r.get("caption", ""), " ".join(r.get("tags", [])), " ".join(r.get("ocr", [])), r.get("transcript", "")]
            )
        )
        for r in (rows.get(c.id, {}) for c in clips)
    ]
    out = []
    for i in range(len(clips) - 1):
        a, b = clips[i], clips[i + 1]
        scene = 1.0 if not a.scene_indices or not b.scene_indices or a.scene_indices[-1] != b.scene_indices[0] else 0.0
        out.append(
            WEIGHTS["scene"] * scene
            + WEIGHTS["pause"] * _in_pause(b.start, segments)
            + WEIGHTS["content"] * (1.0 - _jaccard(text[i], text[i + 1]))
        )
    return out


def choose(clips: Sequence[Clip], scores: Sequence[float], min_length: float) -> list[int]:
    """Indices i (boundary after clip i) kept, strongest first, while every chapter stays >= min_length."""
    if not clips:
        return []
    start, end = clips[0].start, clips[-1].end
    cuts: list[float] = []
    kept: list[int] = []
    for i in sorted(range(len(scores)), key=lambda i: (-scores[i], i)):
        t = clips[i + 1].start
        before = max([c for c in cuts if c < t], default=start)
        after = min([c for c in cuts if c > t], default=end)
        if t - before >= min_length and after - t >= min_length:
            cuts.append(t)
            kept.append(i)
    return sorted(kept)


def _sentence(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].strip()
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + "..."
    return first.rstrip(".")


def title_for(rows: Sequence[Row]) -> str:
    """On-screen text seen most (a real line of words), else the first words spoken, else the caption."""
    lines = Counter(" ".join(t.split()) for r in rows for t in r.get("ocr", []) if len(_words(t)) >= 1)
    if lines:
        best, _ = max(lines.items(), key=lambda kv: (kv[1], len(_words(kv[0]))))
        if len(best) >= 4:
            return _sentence(best)
    for r in rows:
        if len(_words(r.get("transcript", ""))) >= 2:
            return _sentence(r["transcript"])
    longest = max(rows, key=lambda r: r["end"] - r["start"], default=None)
    caption = re.sub(r"^\s*(scene|frame|image|clip)\s*:\s*", "", (longest or {}).get("caption", ""), flags=re.I)
    return _sentence(caption) or "Untitled"


def build(store: Store, video: str, min_length: float | None = None) -> list[Chapter]:
    """Chapters of an indexed video (named by path, file name or hash prefix)."""
    from .export import active_clips
    from .store.resolve import require_video

    row = require_video(store, video)
    path, clips, _ = active_clips(store, video)
    if not clips:
        raise VidagentError(f"{path}: no clips stored (re-run `vidagent index`)")
    rows = {r["clip_id"]: r for r in store.active_rows(video_hash=row.hash)}
    segments = [s for t in store.transcripts_of(row.hash) for s in t]
    scores = boundary_scores(clips, rows, segments)
    length = default_min_length(clips[-1].end - clips[0].start) if min_length is None else min_length
    kept = choose(clips, scores, length)
    groups, first = [], 0
    for i in kept + [len(clips) - 1]:
        groups.append((first, i))
        first = i + 1
    out = []
    for n, (a, b) in enumerate(groups):
        members = clips[a : b + 1]
        member_rows = [rows[c.id] for c in members if c.id in rows]
        out.append(
            Chapter(
                index=n,
                start=round(members[0].start, 3),
                end=round(members[-1].end, 3),
                title=title_for(member_rows) if member_rows else "Untitled",
                video=path,
                video_hash=row.hash,
                clip_ids=[c.id for c in members],
                boundary_score=1.0 if a == 0 else round(scores[a - 1], 3),
            )
        )
    return out


# -- formats --------------------------------------------------------------------------------------
def _youtube_time(t: float) -> str:
    s = int(t)  # YouTube reads whole seconds; flooring keeps the first chapter at 0:00
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _ffmeta_escape(text: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def render(chapters: Sequence[Chapter], fmt: str) -> str:
    """Chapters as text: WebVTT chapters, JSON, a YouTube description list or an ffmetadata file."""
    from .export import _cue_text, _ts

    if fmt == "vtt":
        cues = [f"{c.index + 1}\n{_ts(c.start, '.')} --> {_ts(c.end, '.')}\n{_cue_text(c.title)}\n" for c in chapters]
        return "\n".join(["WEBVTT", ""] + cues)
    if fmt == "json":
        return json.dumps([asdict(c) for c in chapters], indent=2, ensure_ascii=False) + "\n"
    if fmt == "youtube":
        return "".join(f"{_youtube_time(c.start)} {' '.join(c.title.split())}\n" for c in chapters)
    if fmt == "ffmetadata":
        out = [";FFMETADATA1"]
        for c in chapters:
            out += [
                "[CHAPTER]",
                "TIMEBASE=1/1000",
                f"START={round(c.start * 1000)}",
                f"END={round(c.end * 1000)}",
                f"title={_ffmeta_escape(c.title)}",
            ]
        return "\n".join(out) + "\n"
    raise VidagentError(f"unknown chapters format '{fmt}' ({', '.join(FORMATS)})")


def write(
    store: Store,
    video: str,
    out: str | os.PathLike[str] | None,
    fmt: str = "vtt",
    min_length: float | None = None,
    force: bool = False,
) -> str:
    """Build chapters and write them (`out`), or return the text for stdout (text formats only)."""
    if fmt not in FORMATS:
        raise VidagentError(f"unknown chapters format '{fmt}' ({', '.join(FORMATS)})")
    guard = OutputGuard(store, force=force)
    if fmt in TIMELINE_FORMATS:
        from . import timeline

        if out is None:
            raise VidagentError(f"--format {fmt} writes an editor timeline: give --out FILE")
        guard.check_file(out, timeline.FORMATS[fmt][1])
        chapters = build(store, video, min_length)
        info = store.video_info(chapters[0].video_hash)
        spans = [timeline.Span(c.video, c.start, c.end, c.title, info.fps, info.duration) for c in chapters]
        timeline.write(spans, out, fmt, name=f"{Path(chapters[0].video).stem} chapters", guard=guard)
        return ""
    if out is not None:
        guard.check_file(out, TEXT_FORMATS[fmt])
    text = render(build(store, video, min_length), fmt)
    if out is not None:
        guard.write_text(out, text, TEXT_FORMATS[fmt])
    return text
