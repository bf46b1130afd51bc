"""Videos: which content is indexed, where its file was last seen, and the path -> hash cache."""

from __future__ import annotations

import os

from sqlalchemy import delete, select

from ..errors import UnknownVideo
from ..types import VideoInfo
from .database import Database, retry_conflicts
from .models import ClipRow, DescriptionRow, Embedding, PathCache, SceneSet, Transcript, Video, utcnow
from .records import VideoRecord

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

    def get(self, video_hash: str) -> VideoRecord | None:
        with self.db.read() as s:
            row = s.get(Video, video_hash)
            return None if row is None else _record(row)

    def info(self, video_hash: str) -> VideoInfo:
        rec = self.get(video_hash)
        if rec is None:
            raise UnknownVideo(video_hash, f"no indexed video with hash {video_hash}")
        return rec.info()

    def all(self) -> list[VideoRecord]:
        with self.db.read() as s:
            return [_record(v) for v in s.scalars(select(Video).order_by(Video.path))]

    def find(self, path_or_hash: str) -> VideoRecord | None:
        """By hash; for an existing file by its current content; else by the path it was indexed at."""
        row = self.get(path_or_hash)
        if row is None and os.path.isfile(path_or_hash):
            from ..video.files import content_hash

            row = self.get(self.cached_hash(path_or_hash) or content_hash(path_or_hash))
        if row is None:
            with self.db.read() as s:
                hit = s.scalars(select(Video).where(Video.path == os.path.abspath(path_or_hash))).first()
                row = None if hit is None else _record(hit)
        if row is None and path_or_hash and os.sep not in path_or_hash and "/" not in path_or_hash:
            # A bare file name: the one stored video with that basename (an ambiguous name is an error).
            with self.db.read() as s:
                named = [
                    _record(v)
                    for v in s.scalars(select(Video).where(Video.path.like(f"%{path_or_hash}")))
                    if os.path.basename(v.path) == path_or_hash
                ]
            if len(named) == 1:
                row = named[0]
            elif len(named) > 1:
                raise UnknownVideo(path_or_hash, f"'{path_or_hash}' names {len(named)} stored videos; give the path")
        return row

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
