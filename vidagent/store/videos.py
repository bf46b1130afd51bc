"""Videos: which content is indexed, where its file was last seen, and the path -> hash cache."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from sqlalchemy import delete, select

from ..errors import AmbiguousVideo, UnknownVideo, printable
from ..types import VideoInfo
from . import hot
from .database import Database, retry_conflicts
from .models import ClipRow, DescriptionRow, Embedding, PathCache, SceneSet, Transcript, Video, utcnow
from .records import ClipRecord, VideoRecord

_HEX = re.compile(r"[0-9a-f]{4,64}")

_INFO_FIELDS = (
    "size",
    "duration",
    "fps",
    "width",
    "height",
    "video_codec",
    "frame_count",
    "audio_codec",
    "audio_channels",
    "audio_rate",
)


def _record(v: Video) -> VideoRecord:
    return VideoRecord(
        hash=v.hash,
        path=v.path,
        size=v.size,
        duration=v.duration,
        fps=v.fps,
        width=v.width,
        height=v.height,
        video_codec=v.video_codec,
        frame_count=v.frame_count,
        audio_codec=v.audio_codec,
        audio_channels=v.audio_channels,
        audio_rate=v.audio_rate,
        plan_key=v.plan_key,
        describer_key=v.describer_key,
        indexed_at=v.indexed_at,
    )


class VideoRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def cached_hash(self, path: str) -> str | None:
        """The hash recorded for this path if its size and mtime are unchanged."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        with self.db.read() as s:
            row = s.get(PathCache, os.path.abspath(path))
            if row is not None and row.size == st.st_size and row.mtime_ns == st.st_mtime_ns:
                return row.hash
        return None

    @retry_conflicts
    def remember_path(self, path: str, file_hash: str) -> None:
        st = os.stat(path)
        with self.db.write() as s:
            s.merge(PathCache(path=os.path.abspath(path), hash=file_hash, size=st.st_size, mtime_ns=st.st_mtime_ns))

    @retry_conflicts
    def upsert(self, info: VideoInfo) -> None:
        with self.db.write() as s:
            row = s.get(Video, info.hash)
            values = {k: getattr(info, k) for k in _INFO_FIELDS}
            if row is None:
                s.add(Video(hash=info.hash, path=os.path.abspath(info.path), **values))
            else:
                row.path = os.path.abspath(info.path)  # a moved file: same content, new place
                for k, v in values.items():
                    setattr(row, k, v)

    def set_active(self, video_hash: str, plan_key: str, describer_key: str) -> None:
        with self.db.write() as s:
            row = s.get(Video, video_hash)
            if row is not None:
                row.plan_key, row.describer_key, row.indexed_at = plan_key, describer_key, utcnow()
        hot.bump()  # which descriptions are active changed: keyword statistics (activity.py) follow

    def get(self, video_hash: str) -> VideoRecord | None:
        with self.db.read() as s:
            row = s.get(Video, video_hash)
            return None if row is None else _record(row)

    def info(self, video_hash: str) -> VideoInfo:
        rec = self.get(video_hash)
        if rec is None:
            raise UnknownVideo(video_hash, f"no indexed video with hash {video_hash}")
        info = rec.info()
        shown = self.shown_path(rec.hash, rec.path)  # a moved/copied file: a known path that still exists
        return info if shown == info.path else replace(info, path=shown)

    def all(self) -> list[VideoRecord]:
        with self.db.read() as s:
            return [_record(v) for v in s.scalars(select(Video).order_by(Video.path))]

    def known_paths(self, video_hash: str) -> list[str]:
        """Every absolute path this content was indexed or hashed at, the last indexed one first."""
        with self.db.read() as s:
            row = s.get(Video, video_hash)
            first = [row.path] if row is not None else []
            cached = list(s.scalars(select(PathCache.path).where(PathCache.hash == video_hash)))
        return list(dict.fromkeys(first + sorted(cached)))

    def shown_path(self, video_hash: str, stored: str, prefer: str | None = None) -> str:
        """The path to show: `prefer` if it exists, else the stored one, else any known one that exists."""
        if prefer and os.path.isfile(prefer):
            return os.path.abspath(prefer)
        if os.path.isfile(stored):
            return stored
        for p in self.known_paths(video_hash):
            if os.path.isfile(p):
                return p
        return stored

    def show_existing(self, rows: list[ClipRecord]) -> list[ClipRecord]:
        """Rows whose video path is gone show another known path of the same content that exists (the
        known paths of every such video in one query)."""
        gone = {(r.video_hash, r.video) for r in rows if not os.path.isfile(r.video)}
        if not gone:
            return rows
        known: dict[str, list[str]] = {}
        hashes = sorted({h for h, _ in gone})
        with self.db.read() as s:
            for h, p in s.execute(select(Video.hash, Video.path).where(Video.hash.in_(hashes))):
                known.setdefault(h, []).insert(0, p)
            cached = select(PathCache.hash, PathCache.path).where(PathCache.hash.in_(hashes)).order_by(PathCache.path)
            for h, p in s.execute(cached):
                known.setdefault(h, []).append(p)
        seen = {(h, v): next((p for p in dict.fromkeys(known.get(h, [])) if os.path.isfile(p)), v) for h, v in gone}
        return [replace(r, video=seen[(r.video_hash, r.video)]) if (r.video_hash, r.video) in seen else r for r in rows]

    def find(self, path_or_hash: str) -> VideoRecord | None:
        """The indexed video a person means, or None; raises AmbiguousVideo when the name fits several.

        Tried in order: a full hash; an existing file (by its current content, never another file's
        namesake); a path it was indexed or seen at; a file name of a known path; a unique hash
        prefix (4+ hex digits). Every command that takes a video goes through here."""
        name = path_or_hash
        row = self.get(name)
        if row is not None or not name:
            return row
        if os.path.isfile(name):
            from ..video.files import content_hash

            return self.get(self.cached_hash(name) or content_hash(name))
        with self.db.read() as s:
            indexed = {v.hash: _record(v) for v in s.scalars(select(Video))}
            cache = [(str(p), str(h)) for p, h in s.execute(select(PathCache.path, PathCache.hash))]
        by_path = {v.path: h for h, v in indexed.items()}
        by_path.update({p: h for p, h in cache if h in indexed and p not in by_path})
        full = os.path.abspath(name)
        if full in by_path:
            return indexed[by_path[full]]
        base = os.path.basename(name.rstrip("/\\"))
        hits = sorted({h for p, h in by_path.items() if os.path.basename(p) == base}) if base == name else []
        if not hits and _HEX.fullmatch(name.lower()):
            hits = sorted(h for h in indexed if h.startswith(name.lower()))
        if len(hits) == 1:
            return indexed[hits[0]]
        if len(hits) > 1:
            listing = "; ".join(f"{h[:12]} {printable(indexed[h].path)}" for h in hits[:10])
            raise AmbiguousVideo(
                name,
                f"'{printable(name)}' fits {len(hits)} indexed videos: {listing} "
                "(give the path or a longer hash prefix)",
            )
        return None

    def superseded(self, path: str, current_hash: str) -> list[str]:
        """Hashes of videos last indexed at `path` whose content is no longer what the file holds."""
        with self.db.read() as s:
            return list(
                s.scalars(select(Video.hash).where(Video.path == os.path.abspath(path), Video.hash != current_hash))
            )

    def forget(self, video_hash: str) -> None:
        """Delete a video and everything derived from it (one transaction); FAISS re-syncs on next use."""
        from .descriptions import drop_keyword_rows
        from .keyword import backend

        with self.db.write() as s:
            drop_keyword_rows(s, backend(self.db.dialect), video_hash)
            ids = select(DescriptionRow.id).where(DescriptionRow.video_hash == video_hash)
            s.execute(delete(Embedding).where(Embedding.description_id.in_(ids)))
            s.execute(delete(DescriptionRow).where(DescriptionRow.video_hash == video_hash))
            s.execute(delete(ClipRow).where(ClipRow.video_hash == video_hash))
            s.execute(delete(SceneSet).where(SceneSet.video_hash == video_hash))
            s.execute(delete(Transcript).where(Transcript.video_hash == video_hash))
            s.execute(delete(PathCache).where(PathCache.hash == video_hash))
            s.execute(delete(Video).where(Video.hash == video_hash))
