"""The store: one SQLAlchemy database (SQLite file by default, any URL accepted) plus FAISS files.

Writes for one video's clips happen in one transaction (descriptions, their text index rows and their
vectors together), so a crash never leaves half a clip. SQLite runs in WAL mode with a busy timeout,
so `search` and `ask` read while `index` writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, delete, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..errors import VidagentError
from ..types import Clip, Description, Scene, Segment, VideoInfo
from .models import (
    SCHEMA_VERSION,
    ClipRow,
    DescriptionRow,
    Embedding,
    Meta,
    PathCache,
    SceneSet,
    Transcript,
    Video,
)
from .runs import RunsMixin
from .vectors import VectorIndex

DB_NAME = "vidagent.db"

#: a description whose describer reported an error (stored with an empty caption; retried next run)
_FAILED = DescriptionRow.extra["error"].as_string().is_not(None)


def default_store_dir() -> Path:
    """--store, else VIDAGENT_STORE, else ./store (the checkout's git-ignored store/ folder)."""
    return Path(os.environ.get("VIDAGENT_STORE") or "store")


def _sqlite_ro_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store(RunsMixin):
    """Typed access to everything indexed; stages call these methods, never SQL."""

    def __init__(self, root: str | os.PathLike[str] | None = None, url: str | None = None, create: bool = True) -> None:
        self.root = Path(root) if root is not None else default_store_dir()
        #: opened read-only (a read-only mount or folder): readers work, nothing is written
        self.read_only = False
        self.read_only_note = ""
        if url is None:
            if not create and not (self.root / DB_NAME).exists():
                raise VidagentError(f"{self.root}: no vidagent store here (run `vidagent index` first)")
            from .health import readonly_url, writable

            if not writable(self.root / DB_NAME) and (self.root / DB_NAME).exists():
                if create:  # a command that writes: say so in one line instead of SQLite's "unable to open"
                    from .health import refuse_read_only

                    refuse_read_only(self.root)
                url, self.read_only_note = readonly_url(self.root / DB_NAME)
                self.read_only = True
            else:
                self.root.mkdir(parents=True, exist_ok=True)
                url = f"sqlite:///{(self.root / DB_NAME).resolve()}"
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine = create_engine(url, future=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_ro_pragmas if self.read_only else _sqlite_pragmas)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._indexes: dict[str, VectorIndex] = {}
        self._init_schema()

    @contextmanager
    def writer_lock(self, wait: bool = True) -> Iterator[None]:
        """One writer per store: a second `index` waits (saying so on stderr) instead of racing."""
        import fcntl
        import sys

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".writer.lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise VidagentError(f"{self.root}: another vidagent process is writing to this store") from None
                print(f"vidagent: {self.root}: waiting for another vidagent process writing to this store...",
                      file=sys.stderr)
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- schema -------------------------------------------------------------------------------
    def _init_schema(self) -> None:
        from .migrate import upgrade

        upgrade(self)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._session() as s, s.begin():
            yield s

    def meta(self, key: str) -> str | None:
        with self._session() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def remember_describer(self, describer_key: str, describe_settings: dict[str, Any]) -> None:
        """The `describe` settings behind a describer key, so `ask` can re-query a clip with the describer
        (and model options) that described it, whatever settings it is run with."""
        with self.session() as s:
            s.merge(Meta(key=f"describer:{describer_key}", value=dumps(describe_settings)))

    def describer_settings(self, describer_key: str) -> dict[str, Any] | None:
        value = self.meta(f"describer:{describer_key}")
        return None if value is None else dict(json.loads(value))

    # -- videos -------------------------------------------------------------------------------
    def cached_hash(self, path: str) -> str | None:
        """The hash recorded for this path if its size and mtime are unchanged."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        with self._session() as s:
            row = s.get(PathCache, os.path.abspath(path))
            if row is not None and row.size == st.st_size and row.mtime_ns == st.st_mtime_ns:
                return row.hash
        return None

    def remember_path(self, path: str, file_hash: str) -> None:
        st = os.stat(path)
        with self.session() as s:
            s.merge(PathCache(path=os.path.abspath(path), hash=file_hash, size=st.st_size, mtime_ns=st.st_mtime_ns))

    def upsert_video(self, info: VideoInfo) -> None:
        with self.session() as s:
            row = s.get(Video, info.hash)
            fields = {k: getattr(info, k) for k in (
                "size", "duration", "fps", "width", "height", "video_codec", "frame_count",
                "audio_codec", "audio_channels", "audio_rate")}
            if row is None:
                s.add(Video(hash=info.hash, path=os.path.abspath(info.path), **fields))
            else:
                row.path = os.path.abspath(info.path)  # a moved file: same content, new place
                for k, v in fields.items():
                    setattr(row, k, v)

    def has_descriptions(self, video_hash: str) -> bool:
        with self._session() as s:
            q = select(DescriptionRow.id).where(DescriptionRow.video_hash == video_hash).limit(1)
            return s.scalars(q).first() is not None

    def forget_video(self, video_hash: str) -> None:
        """Delete a video and everything derived from it (one transaction); FAISS re-syncs on next use."""
        with self.session() as s:
            if self.is_sqlite:
                s.execute(text("DELETE FROM desc_fts WHERE rowid IN (SELECT id FROM descriptions WHERE video_hash=:h)"),
                          {"h": video_hash})
            ids = select(DescriptionRow.id).where(DescriptionRow.video_hash == video_hash)
            s.execute(Embedding.__table__.delete().where(Embedding.description_id.in_(ids)))
            for model in (DescriptionRow, ClipRow, SceneSet, Transcript, PathCache):
                s.execute(model.__table__.delete().where(model.__table__.c[
                    "video_hash" if model is not PathCache else "hash"] == video_hash))
            s.execute(Video.__table__.delete().where(Video.hash == video_hash))

    def set_active(self, video_hash: str, plan_key: str, describer_key: str) -> None:
        from .models import utcnow

        with self.session() as s:
            row = s.get(Video, video_hash)
            if row is not None:
                row.plan_key, row.describer_key, row.indexed_at = plan_key, describer_key, utcnow()

    def video_info(self, video_hash: str) -> VideoInfo:
        """A stored video as the VideoInfo the stages pass around (path: where it was last indexed, or
        another known path of the same content when that one is gone)."""
        from .resolve import shown_path

        with self._session() as s:
            v = s.get(Video, video_hash)
        if v is None:
            raise VidagentError(f"no indexed video with hash {video_hash}")
        return VideoInfo(path=shown_path(self, v.hash, v.path), hash=v.hash, size=v.size, duration=v.duration, fps=v.fps, width=v.width,
                         height=v.height, video_codec=v.video_codec, frame_count=v.frame_count,
                         audio_codec=v.audio_codec, audio_channels=v.audio_channels, audio_rate=v.audio_rate)

    def videos(self) -> list[Video]:
        with self._session() as s:
            return list(s.scalars(select(Video).order_by(Video.path)))

    def find_video(self, path_or_hash: str) -> Video | None:
        """By hash, existing file, known path, file name or unique hash prefix (see `store.resolve`)."""
        from .resolve import find_video

        return find_video(self, path_or_hash)

    def superseded(self, path: str, current_hash: str) -> list[str]:
        """Hashes of videos last indexed at `path` whose content is no longer what the file holds."""
        with self._session() as s:
            return list(s.scalars(select(Video.hash).where(Video.path == os.path.abspath(path),
                                                           Video.hash != current_hash)))

    # -- scenes, clips, transcripts ------------------------------------------------------------
    def get_scenes(self, key: str) -> list[Scene] | None:
        with self._session() as s:
            row = s.get(SceneSet, key)
            if row is None:
                return None
            return [Scene(i, int(a), int(b), float(c), float(d)) for i, (a, b, c, d) in enumerate(row.scenes)]

    def put_scenes(self, key: str, video_hash: str, detector: str, settings: dict[str, Any],
                   scenes: Sequence[Scene], seconds: float) -> None:
        data = [[sc.start_frame, sc.end_frame, sc.start, sc.end] for sc in scenes]
        with self.session() as s:
            s.merge(SceneSet(key=key, video_hash=video_hash, detector=detector, settings=settings,
                             scenes=data, seconds=seconds))

    def get_clips(self, plan_key: str) -> list[Clip] | None:
        with self._session() as s:
            rows = list(s.scalars(select(ClipRow).where(ClipRow.plan_key == plan_key).order_by(ClipRow.idx)))
        if not rows:
            return None
        return [Clip(r.id, r.video_hash, r.idx, r.start, r.end, tuple(r.keyframes), tuple(r.scene_indices))
                for r in rows]

    def put_clips(self, plan_key: str, clips: Sequence[Clip]) -> None:
        with self.session() as s:
            if s.scalars(select(ClipRow.pk).where(ClipRow.plan_key == plan_key).limit(1)).first() is not None:
                return
            for c in clips:
                s.add(ClipRow(id=c.id, plan_key=plan_key, video_hash=c.video_hash, idx=c.index, start=c.start,
                              end=c.end, keyframes=list(c.keyframes), scene_indices=list(c.scene_indices)))

    def get_transcript(self, key: str) -> list[Segment] | None:
        with self._session() as s:
            row = s.get(Transcript, key)
            return None if row is None else [Segment(float(a), float(b), str(t)) for a, b, t in row.segments]

    def put_transcript(self, key: str, video_hash: str, model_id: str, segments: Sequence[Segment]) -> None:
        with self.session() as s:
            s.merge(Transcript(key=key, video_hash=video_hash, model_id=model_id,
                               segments=[[g.start, g.end, g.text] for g in segments]))

    def transcripts_of(self, video_hash: str) -> list[list[Segment]]:
        """All stored transcripts of a video, one per speech model (there is one model today)."""
        with self._session() as s:
            rows = list(s.scalars(select(Transcript).where(Transcript.video_hash == video_hash)))
        return [[Segment(float(a), float(b), str(t)) for a, b, t in r.segments] for r in rows]

    # -- descriptions and vectors ---------------------------------------------------------------
    def described(self, describer_key: str, clip_ids: Sequence[str]) -> set[str]:
        """Clips done with this describer setting; a description that failed (error in `extra`) is not
        done, so the next run describes the clip again."""
        with self._session() as s:
            q = select(DescriptionRow.clip_id).where(
                DescriptionRow.describer_key == describer_key, DescriptionRow.clip_id.in_(list(clip_ids)),
                ~_FAILED)
            return set(s.scalars(q))

    def failed_descriptions(self, limit: int = 5) -> tuple[int, list[tuple[str, str]]]:
        """How many stored descriptions failed, and (clip id, error) of the first few."""
        with self._session() as s:
            n = int(s.scalar(select(func.count()).select_from(DescriptionRow).where(_FAILED)) or 0)
            first = s.execute(select(DescriptionRow.clip_id, DescriptionRow.extra).where(_FAILED)
                              .order_by(DescriptionRow.id).limit(limit)).all()
        return n, [(str(c), str((e or {}).get("error", ""))) for c, e in first]

    def put_descriptions(self, video_hash: str, describer_key: str, describer: str, model_id: str,
                         prompt: str | None, items: Sequence[tuple[Clip, Description]],
                         vectors: Sequence[dict[str, tuple[np.ndarray, str]]]) -> list[int]:
        """One transaction: description rows, their keyword-index rows and their vectors."""
        ids: list[int] = []
        with self.session() as s:
            # A clip described again replaces its earlier (failed) description under the same key.
            old = select(DescriptionRow.id).where(DescriptionRow.describer_key == describer_key,
                                                  DescriptionRow.clip_id.in_([c.id for c, _ in items]))
            old_ids = list(s.scalars(old))
            if old_ids:
                s.execute(delete(Embedding).where(Embedding.description_id.in_(old_ids)))
                if self.is_sqlite:
                    s.execute(text("DELETE FROM desc_fts WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                              {"ids": json.dumps(old_ids)})
                s.execute(delete(DescriptionRow).where(DescriptionRow.id.in_(old_ids)))
            for (clip, d), vecs in zip(items, vectors, strict=True):
                row = DescriptionRow(
                    clip_id=clip.id, video_hash=video_hash, describer_key=describer_key, describer=describer,
                    model_id=model_id, prompt=prompt, caption=d.caption, tags=[[t, float(p)] for t, p in d.tags],
                    ocr=list(d.ocr), transcript=d.transcript, frame_times=list(d.frame_times), extra=d.extra)
                s.add(row)
                s.flush()
                ids.append(row.id)
                for space, (vec, vec_model) in vecs.items():
                    v = np.asarray(vec, dtype=np.float32).reshape(-1)
                    s.add(Embedding(description_id=row.id, space=space, model_id=vec_model, dim=int(v.shape[0]),
                                    vector=v.tobytes()))
                if self.is_sqlite:
                    s.execute(text("INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) "
                                   "VALUES (:id, :c, :o, :t, :g)"),
                              {"id": row.id, "c": d.caption, "o": "\n".join(d.ocr), "t": d.transcript,
                               "g": " ".join(t for t, _ in d.tags)})
        return ids

    def spaces(self) -> list[str]:
        with self._session() as s:
            return list(s.scalars(select(Embedding.space).distinct()))

    def _rows(self, space: str, above: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        last = above
        while True:
            with self._session() as s:
                rows = s.execute(select(Embedding.id, Embedding.vector).where(
                    Embedding.space == space, Embedding.id > last).order_by(Embedding.id).limit(4096)).all()
            if not rows:
                return
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            vecs = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            last = int(ids[-1])
            yield ids, vecs

    def index(self, space: str) -> VectorIndex:
        """The FAISS index of a space, brought in line with the database first."""
        if space not in self._indexes:
            self._indexes[space] = VectorIndex(self.root / "vectors", space)
        idx = self._indexes[space]
        with self._session() as s:
            count, max_id = s.execute(select(func.count(Embedding.id), func.max(Embedding.id)).where(
                Embedding.space == space)).one()
        idx.sync(int(count or 0), int(max_id or 0), self._rows)
        return idx

    def save_indexes(self) -> None:
        if self.read_only:
            return  # the in-memory indexes were synced from the database; there is nowhere to save them
        for space in self.spaces():
            self.index(space).save()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        from ..errors import DiskFull, ordinary

        try:
            self.save_indexes()
        except Exception as exc:
            if not isinstance(ordinary(exc), DiskFull):
                raise  # a full disk only costs the FAISS cache: it is rebuilt from the database on next use
        finally:
            self.engine.dispose()

    # -- reading back ---------------------------------------------------------------------------
    def active_rows(self, description_ids: Sequence[int] | None = None, video_hash: str | None = None,
                    clip_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Descriptions of each video's active clip plan and describer, joined with clip and video."""
        q = (select(DescriptionRow, ClipRow.start, ClipRow.end, ClipRow.idx, Video.path)
             .join(Video, (Video.hash == DescriptionRow.video_hash) & (Video.describer_key == DescriptionRow.describer_key))
             .join(ClipRow, (ClipRow.id == DescriptionRow.clip_id) & (ClipRow.plan_key == Video.plan_key)))
        if description_ids is not None:
            q = q.where(DescriptionRow.id.in_(list(description_ids)))
        if video_hash is not None:
            q = q.where(DescriptionRow.video_hash == video_hash)
        if clip_ids is not None:
            q = q.where(DescriptionRow.clip_id.in_(list(clip_ids)))
        with self._session() as s:
            out = []
            for d, start, end, idx, path in s.execute(q.order_by(Video.path, ClipRow.idx)):
                out.append({"description_id": d.id, "clip_id": d.clip_id, "video_hash": d.video_hash,
                            "video": path, "start": start, "end": end, "index": idx, "caption": d.caption,
                            "tags": [t for t, _ in d.tags], "tag_scores": d.tags, "ocr": d.ocr,
                            "transcript": d.transcript, "model_id": d.model_id, "prompt": d.prompt,
                            "describer": d.describer, "describer_key": d.describer_key,
                            "frame_times": d.frame_times, "extra": d.extra})
        from .resolve import show_existing

        return show_existing(self, out)

    def embedding_descriptions(self, ids: Sequence[int]) -> dict[int, int]:
        with self._session() as s:
            rows = s.execute(select(Embedding.id, Embedding.description_id).where(Embedding.id.in_(list(ids))))
            return {int(a): int(b) for a, b in rows}

    def vectors_of(self, description_ids: Sequence[int], space: str) -> dict[int, np.ndarray]:
        """Stored vectors of some descriptions in one space, by description id."""
        with self._session() as s:
            rows = s.execute(select(Embedding.description_id, Embedding.vector).where(
                Embedding.space == space, Embedding.description_id.in_(list(description_ids))))
            return {int(d): np.frombuffer(v, dtype=np.float32) for d, v in rows}

    def keyword_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(description id, bm25) for the query's words, best first (SQLite FTS5; LIKE elsewhere)."""
        words = [w for w in "".join(c if c.isalnum() else " " for c in query.lower()).split() if len(w) > 1]
        if not words:
            return []
        with self._session() as s:
            if self.is_sqlite:
                match = " OR ".join(f'"{w}"' for w in words)
                rows = s.execute(text("SELECT rowid, bm25(desc_fts) AS r FROM desc_fts WHERE desc_fts MATCH :m "
                                      "ORDER BY r LIMIT :k"), {"m": match, "k": k}).all()
                return [(int(r[0]), -float(r[1])) for r in rows]
            cond = DescriptionRow.caption.ilike(f"%{words[0]}%")
            for w in words[1:]:
                cond = cond | DescriptionRow.caption.ilike(f"%{w}%")
            return [(int(i), 1.0) for i in s.scalars(select(DescriptionRow.id).where(cond).limit(k))]

    def descriptions_for(self, describer_key: str, clip_ids: Sequence[str]) -> dict[str, DescriptionRow]:
        """Stored descriptions of these clips by one describer setting, by clip id (any plan)."""
        with self._session() as s:
            return {d.clip_id: d for d in s.scalars(select(DescriptionRow).where(
                DescriptionRow.describer_key == describer_key, DescriptionRow.clip_id.in_(list(clip_ids))))}

    def clip_span(self, clip_id: str) -> tuple[float, float, str, str] | None:
        """(start, end, video path, video hash) of a clip in any stored plan."""
        with self._session() as s:
            hit = s.execute(select(ClipRow.start, ClipRow.end, Video.path, Video.hash)
                            .join(Video, Video.hash == ClipRow.video_hash).where(ClipRow.id == clip_id)).first()
        return None if hit is None else (float(hit[0]), float(hit[1]), str(hit[2]), str(hit[3]))

    def stats(self) -> dict[str, Any]:
        with self._session() as s:
            n = lambda model: int(s.scalar(select(func.count()).select_from(model)) or 0)  # noqa: E731
            seconds = float(s.scalar(select(func.sum(Video.duration))) or 0.0)
            active = s.scalar(select(func.count()).select_from(ClipRow).join(
                Video, (Video.hash == ClipRow.video_hash) & (Video.plan_key == ClipRow.plan_key)))
            per_space = dict(s.execute(select(Embedding.space, func.count()).group_by(Embedding.space)).all())
            failed = int(s.scalar(select(func.count()).select_from(DescriptionRow).where(_FAILED)) or 0)
        return {"store": str(self.root), "schema_version": SCHEMA_VERSION, "videos": n(Video),
                "seconds": round(seconds, 3), "clips": int(active or 0), "clip_rows": n(ClipRow),
                "descriptions": n(DescriptionRow), "failed_descriptions": failed,
                "vectors": int(sum(per_space.values())),
                "vectors_by_space": {k: int(v) for k, v in per_space.items()}}


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
