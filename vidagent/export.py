"""Outputs made from the store: clip files (cut with PyAV), chapters, thumbnails, subtitle/row formats.

Everything here reads what `index` or `caption` already stored; nothing runs a model. Cutting lives
in `vidagent.video` (the only PyAV module); this module decides *what* to cut and names the files.
Every file goes through `vidagent.outputs.OutputGuard`: written to a temporary name first (a crash
never leaves half an output), and never over a device, FIFO, link, indexed video or, without
`force`, an existing file vidagent did not write.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .errors import UnknownClip, UnknownVideo, VidagentError
from .outputs import OutputGuard
from .store import Store
from .types import Clip, Hit

CLIP_SUFFIXES = (".mp4", ".m4v", ".mov")
CHAPTER_SUFFIXES = {"vtt": (".vtt",), "json": (".json",)}
ROW_COLUMNS = (
    "video",
    "clip_id",
    "index",
    "start",
    "end",
    "caption",
    "model_id",
    "describer",
    "prompt",
    "prompt_version",
    "tags",
    "ocr",
    "transcript",
)


@dataclass(frozen=True)
class ClipRef:
    """Where one stored clip is: its video file and span."""

    clip_id: str
    video: str
    video_hash: str
    start: float
    end: float


def atomic_write(path: str | os.PathLike[str], text: str) -> Path:
    """Write text to `path` via a temporary file and rename (readers never see half a file).

    For vidagent's own files only; anything a user names goes through `OutputGuard`."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, p)
    return p


# -- time formats ---------------------------------------------------------------------------------
def _ts(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cue_text(text: str) -> str:
    # A blank line ends a cue in both formats, and "-->" would read as a timing line.
    lines = [ln.strip() for ln in text.replace("-->", "->").splitlines() if ln.strip()]
    return "\n".join(lines) or "(no caption)"


def to_srt(rows: Sequence[dict[str, Any]]) -> str:
    """SubRip: one numbered cue per clip, times as the clip's span."""
    out = []
    for i, r in enumerate(rows, 1):
        out.append(f"{i}\n{_ts(r['start'], ',')} --> {_ts(r['end'], ',')}\n{_cue_text(r['caption'])}\n")
    return "\n".join(out)


def to_vtt(rows: Sequence[dict[str, Any]], ids: bool = False) -> str:
    """WebVTT: one cue per clip (cue identifiers are the clip ids when `ids`, as chapters use)."""
    out = ["WEBVTT", ""]
    for r in rows:
        head = f"{r['clip_id']}\n" if ids else ""
        out.append(f"{head}{_ts(r['start'], '.')} --> {_ts(r['end'], '.')}\n{_cue_text(r['caption'])}\n")
    return "\n".join(out)


def to_jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The JSONL columns; list columns are joined with '; ' so each cell stays one value."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(ROW_COLUMNS), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "; ".join(r[k]) if isinstance(r.get(k), list) else r.get(k, "") for k in ROW_COLUMNS})
    return buf.getvalue()


def safe_stem(path: str) -> str:
    return re.sub(r"[^\w.\- ]+", "_", Path(path).stem).strip() or "video"


# -- finding clips --------------------------------------------------------------------------------
def find_clip(store: Store, clip_id: str) -> ClipRef:
    """A clip by id: from the active plan if indexed, else from any stored plan (caption-only videos)."""
    rows = store.active_rows(clip_ids=[clip_id])
    if rows:
        r = rows[0]
        return ClipRef(clip_id, r.video, r.video_hash, r.start, r.end)
    hit = store.clip_span(clip_id)
    if hit is None:
        raise UnknownClip(clip_id, "see `vidagent search --json` for ids")
    return ClipRef(clip_id, hit.video, hit.video_hash, hit.start, hit.end)


def active_clips(store: Store, video: str) -> tuple[str, list[Clip], dict[str, str]]:
    """(video path, clips of the active plan, captions by clip id) for an indexed video."""
    from .store.resolve import require_video, shown_path

    row = require_video(store, video)
    if row.plan_key is None:
        raise UnknownVideo(video, f"{video}: not indexed in {store.root} (run `vidagent index` first)")
    clips = store.get_clips(row.plan_key) or []
    captions = {r.clip_id: r.caption for r in store.active_rows(video_hash=row.hash)}
    return shown_path(store, row.hash, row.path, prefer=video), clips, captions


# -- clip files -----------------------------------------------------------------------------------
def export_clip(
    store: Store, clip_id: str, out: str | os.PathLike[str], mode: str = "auto", force: bool = False
) -> tuple[Path, str]:
    """Cut one stored clip to `out` (.mp4); returns (path, "copy" | "reencode")."""
    from .video import cut_clip

    ref = find_clip(store, clip_id)
    guard = OutputGuard(store, force=force, sources=[ref.video])
    guard.check_file(out, CLIP_SUFFIXES)  # a wrong --out fails before the source is even looked at
    if not os.path.isfile(ref.video):
        raise VidagentError(f"{ref.video}: source video of clip {clip_id} is gone (re-index it where it lives now)")
    used: list[str] = []
    path = guard.write_with(
        out, lambda tmp: used.append(cut_clip(ref.video, ref.start, ref.end, tmp, mode=mode)), CLIP_SUFFIXES
    )
    return path, used[0]


def export_hits(
    hits: Sequence[Hit], out_dir: str | os.PathLike[str], store: Store | None = None, force: bool = False
) -> list[Path]:
    """Cut search hits to `out_dir/NN_<video stem>_<start>s_<clip id>.mp4`, best first.

    Cutting needs only the video path and span, which each hit carries, so no store is required.
    """

    guard = OutputGuard(store, force=force, sources=[h.video for h in hits])
    d = guard.check_folder(out_dir)
    paths = []
    for i, h in enumerate(hits, 1):
        out = d / f"{i:02d}_{safe_stem(h.video)}_{h.start:.1f}s_{h.clip_id}.mp4"
        paths.append(guard.write_with(out, partial(_cut, h), CLIP_SUFFIXES))
    return paths


# -- chapters and thumbnails -----------------------------------------------------------------------
def chapters(store: Store, video: str) -> list[dict[str, Any]]:
    """One chapter per clip of the video's active plan, titled with its caption."""
    path, clips, captions = active_clips(store, video)
    return [
        {
            "index": c.index,
            "clip_id": c.id,
            "start": round(c.start, 3),
            "end": round(c.end, 3),
            "caption": captions.get(c.id, ""),
            "video": path,
        }
        for c in clips
    ]


def write_chapters(
    store: Store, video: str, out: str | os.PathLike[str] | None, fmt: str = "vtt", force: bool = False
) -> str:
    """Chapters as WebVTT (cue id = clip id) or JSON; written atomically when `out` is given."""
    guard = OutputGuard(store, force=force)
    if out is not None and fmt in CHAPTER_SUFFIXES:
        guard.check_file(out, CHAPTER_SUFFIXES[fmt])
    rows = chapters(store, video)
    if fmt == "vtt":
        text = to_vtt(rows, ids=True)
    elif fmt == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        raise VidagentError(f"unknown chapters format '{fmt}' (vtt, json)")
    if out is not None:
        guard.write_text(out, text, CHAPTER_SUFFIXES[fmt])
    return text


def write_thumbnails(
    store: Store, video: str, out_dir: str | os.PathLike[str], width: int = 320, force: bool = False
) -> list[Path]:
    """One JPEG per clip of the active plan, at its middle keyframe, decoded in one forward pass."""
    from PIL import Image

    from .video import frames_at

    guard = OutputGuard(store, force=force)
    d = guard.check_folder(out_dir)
    path, clips, _ = active_clips(store, video)
    times = [c.keyframes[len(c.keyframes) // 2] if c.keyframes else (c.start + c.end) / 2 for c in clips]
    frames = frames_at(path, times, width=width)
    by_time = sorted(frames, key=lambda f: f.time)
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for c, t in zip(clips, times, strict=True):
        frame = min(by_time, key=lambda f: abs(f.time - t) if f.time + 1e-3 >= t else 1e9 + t - f.time)
        p = d / f"{safe_stem(path)}_{c.index:04d}_{c.id}.jpg"
        image = Image.fromarray(frame.image)
        out.append(guard.write_with(p, partial(_save_jpeg, image), (".jpg",)))
    return out


def _cut(hit: Hit, tmp: Path) -> str:
    from .video import cut_clip

    return cut_clip(hit.video, hit.start, hit.end, tmp)


def _save_jpeg(image: Any, tmp: Path) -> None:
    image.save(tmp, format="JPEG", quality=85)
