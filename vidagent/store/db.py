"""The store: one SQLAlchemy database (SQLite file by default; a PostgreSQL URL for shared stores,
docs/scale.md) plus FAISS files.

`Store` is a facade: it opens the database once and hands each kind of data to a small repository
(videos, stage outputs, descriptions with their keyword index, vectors, runs). Callers get typed
records (store/records.py) and stage values (types.py), never ORM rows. Writes for one batch of clips
happen in one transaction (descriptions, keyword rows and vectors together), so a crash never leaves
half a clip. Use it as `with Store(path) as st: ...`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..errors import DiskFull, StoreBusy, StoreNotFound, ordinary
from ..types import Clip, Description, Scene, Segment, VideoInfo
from .activity import Activity, superseded_ids
from .database import Database, split_store
from .descriptions import DescriptionRepo
from .embeddings import VectorRepo
from .evidence import EvidenceRepo
from .keyword_repo import KeywordIndexState, KeywordRepo
from .migrate import upgrade
from .models import SCHEMA_VERSION
from .records import AgentRunRecord, ClipRecord, ClipSpan, RunRecord, StoredDescription, VideoRecord
from .runs import RunRepo
from .stages import StageRepo
from .vectors import VectorIndex
from .videos import VideoRepo

DB_NAME = "vidagent.db"
log = logging.getLogger(__name__)


__all__ = ["DB_NAME", "Store", "default_store_dir", "opened", "split_store"]


def default_store_dir() -> Path:
    """--store, else VIDAGENT_STORE, else ./store (the checkout's git-ignored store/ folder)."""
    return Path(os.environ.get("VIDAGENT_STORE") or "store")


@contextmanager
def opened(store: Store | str | os.PathLike[str] | None, create: bool = True) -> Iterator[Store]:
    """The store itself when given one (the caller keeps owning it), else the store at that path
    (default: `default_store_dir()`), closed on exit."""
    if isinstance(store, Store):
        yield store
        return
    with Store(store, create=create) as st:
        yield st


class Store:
    """Typed access to everything indexed; stages call these methods, never SQL.

    `create=False` opens an existing store only (read commands): a wrong path is `StoreNotFound`
    instead of an empty store appearing where the user did not ask for one.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, url: str | None = None, create: bool = True) -> None:
        # a folder (SQLite), or a database URL given as the folder or as `url` (FAISS cache per machine)
        self.root, url = split_store(root, url)
        #: opened read-only (a read-only mount or folder): readers work, nothing is written
        self.read_only = False
        self.read_only_note = ""
        if url is None:
            if not create and not (self.root / DB_NAME).exists():
                raise StoreNotFound(self.root)
            from .health import readonly_url, refuse_read_only, writable

            if not writable(self.root / DB_NAME) and (self.root / DB_NAME).exists():
                if create:  # a command that writes: say so in one line instead of SQLite's "unable to open"
                    refuse_read_only(self.root)
                url, self.read_only_note = readonly_url(self.root / DB_NAME)
                self.read_only = True
            else:
                self.root.mkdir(parents=True, exist_ok=True)
                url = f"sqlite:///{(self.root / DB_NAME).resolve()}"
        self.db = Database(url, read_only=self.read_only)
        self.url = url
        self.is_sqlite = self.db.is_sqlite
        self.engine: Engine = self.db.engine
        try:
            upgrade(self.engine, label=str(self.root), read_only=self.read_only)
        except BaseException:
            self.db.dispose()
            raise
        self.video_repo = VideoRepo(self.db)
        self.stage_repo = StageRepo(self.db)
        self.description_repo = DescriptionRepo(self.db)
        self.keyword_repo = KeywordRepo(self.db, self.description_repo.keywords, self.root / "keywords")
        self.keyword_repo.build_postings = not self.read_only
        self.vector_repo = VectorRepo(self.db, self.root / "vectors")
        self.run_repo = RunRepo(self.db)
        self.evidence = EvidenceRepo(self.db)
        #: the keyword backend (FTS5, PostgreSQL tsvector, or None: captions by LIKE)
        self.keywords = self.description_repo.keywords

    # -- lifetime ---------------------------------------------------------------------------------
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Write the vector indexes this process changed, then release the database. A full disk only
        costs the FAISS cache (rebuilt from the database on next use), so it does not fail the close."""
        try:
            if not self.read_only:
                self.vector_repo.save_open()
        except Exception as exc:
            if not isinstance(ordinary(exc), DiskFull):
                raise
        finally:
            self.db.dispose()

    @contextmanager
    def writer_lock(self, wait: bool = True) -> Iterator[None]:
        """One writer per store: a second `index` waits (saying so in the log) instead of racing."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".writer.lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise StoreBusy(self.root) from None
                log.warning("%s: waiting for another vidagent process writing to this store...", self.root)
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A raw transaction, for tests and migrations only; everything else goes through the methods."""
        with self.db.write() as s:
            yield s

    def meta(self, key: str) -> str | None:
        return self.db.meta(key)

    def remember_describer(self, describer_key: str, describe_settings: dict[str, Any]) -> None:
        """The `describe` settings behind a describer key, so `ask` can re-query a clip with the describer
        (and model options) that described it, whatever settings it is run with."""
        self.db.set_meta(f"describer:{describer_key}", json.dumps(describe_settings, ensure_ascii=False))

    def describer_settings(self, describer_key: str) -> dict[str, Any] | None:
        value = self.meta(f"describer:{describer_key}")
        return None if value is None else dict(json.loads(value))

    # -- videos -----------------------------------------------------------------------------------
    def cached_hash(self, path: str) -> str | None:
        return self.video_repo.cached_hash(path)

    def remember_path(self, path: str, file_hash: str) -> None:
        self.video_repo.remember_path(path, file_hash)

    def upsert_video(self, info: VideoInfo) -> None:
        self.video_repo.upsert(info)

    def has_descriptions(self, video_hash: str) -> bool:
        return self.description_repo.has_any(video_hash)

    def forget_video(self, video_hash: str) -> None:
        self.video_repo.forget(video_hash)
        self.vector_repo.changed()

    def set_active(self, video_hash: str, plan_key: str, describer_key: str) -> None:
        self.video_repo.set_active(video_hash, plan_key, describer_key)

    def video_info(self, video_hash: str) -> VideoInfo:
        return self.video_repo.info(video_hash)

    def videos(self) -> list[VideoRecord]:
        return self.video_repo.all()

    def find_video(self, path_or_hash: str) -> VideoRecord | None:
        return self.video_repo.find(path_or_hash)

    def superseded(self, path: str, current_hash: str) -> list[str]:
        return self.video_repo.superseded(path, current_hash)

    # -- scenes, clips, transcripts ---------------------------------------------------------------
    def get_scenes(self, key: str) -> list[Scene] | None:
        return self.stage_repo.get_scenes(key)

    def put_scenes(
        self,
        key: str,
        video_hash: str,
        detector: str,
        settings: dict[str, Any],
        scenes: Sequence[Scene],
        seconds: float,
    ) -> None:
        self.stage_repo.put_scenes(key, video_hash, detector, settings, scenes, seconds)

    def get_clips(self, plan_key: str) -> list[Clip] | None:
        return self.stage_repo.get_clips(plan_key)

    def put_clips(self, plan_key: str, clips: Sequence[Clip]) -> None:
        self.stage_repo.put_clips(plan_key, clips)

    def add_clips(self, plan_key: str, clips: Sequence[Clip]) -> None:
        """Grow a provisional plan (clips described while a video's cuts are still detected)."""
        self.stage_repo.add_clips(plan_key, clips)

    def drop_clips(self, plan_key: str) -> None:
        self.stage_repo.drop_clips(plan_key)

    def get_transcript(self, key: str) -> list[Segment] | None:
        return self.stage_repo.get_transcript(key)

    def put_transcript(self, key: str, video_hash: str, model_id: str, segments: Sequence[Segment]) -> None:
        self.stage_repo.put_transcript(key, video_hash, model_id, segments)

    def transcripts_of(self, video_hash: str) -> list[list[Segment]]:
        return self.stage_repo.transcripts_of(video_hash)

    # -- descriptions and keyword index -----------------------------------------------------------
    def described(self, describer_key: str, clip_ids: Sequence[str]) -> set[str]:
        return self.description_repo.described(describer_key, clip_ids)

    def failed_descriptions(self, limit: int = 5) -> tuple[int, list[tuple[str, str]]]:
        return self.description_repo.failed(limit)

    def put_descriptions(
        self,
        video_hash: str,
        describer_key: str,
        describer: str,
        model_id: str,
        prompt: str | None,
        items: Sequence[tuple[Clip, Description]],
        vectors: Sequence[dict[str, tuple[np.ndarray, str]]],
    ) -> list[int]:
        return self.description_repo.put(video_hash, describer_key, describer, model_id, prompt, items, vectors)

    def active_rows(
        self,
        description_ids: Sequence[int] | None = None,
        video_hash: str | None = None,
        clip_ids: Sequence[str] | None = None,
    ) -> list[ClipRecord]:
        """Active descriptions joined with clip and video; a gone video path shows a known one that exists."""
        return self.video_repo.show_existing(self.description_repo.active(description_ids, video_hash, clip_ids))

    def active_ids(self, description_ids: Sequence[int], video_hash: str | None = None) -> set[int]:
        """Which of these descriptions are active (optionally of one video), without loading their rows."""
        return self.description_repo.active_ids(description_ids, video_hash)

    def rank_info(
        self, description_ids: Sequence[int], video_hash: str | None = None
    ) -> dict[int, tuple[str, list[tuple[str, float]]]]:
        """Video hash and scored labels of the active ones of these descriptions (what ranking needs)."""
        return self.description_repo.rank_info(description_ids, video_hash)

    def seen(self, description_ids: Sequence[int]) -> dict[int, tuple[int, list[list[str]]]]:
        """(how many people the people signal saw, each keyframe's top labels) of each of these clips."""
        return self.description_repo.seen(description_ids)

    def keyword_fields(self, description_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """Text fields (tags, ocr, transcript, caption) of the active ones of these descriptions, by id."""
        return self.description_repo.keyword_fields(description_ids)

    def descriptions_for(self, describer_key: str, clip_ids: Sequence[str]) -> dict[str, StoredDescription]:
        return self.description_repo.for_clips(describer_key, clip_ids)

    def clip_span(self, clip_id: str) -> ClipSpan | None:
        return self.description_repo.clip_span(clip_id)

    def keyword_search(self, query: str, k: int) -> list[tuple[int, float]]:
        return self.keyword_repo.keyword_search(query, k)

    def keyword_state(self) -> KeywordIndexState | None:
        return self.keyword_repo.keyword_state()

    def rebuild_keywords(self) -> int:
        return self.keyword_repo.rebuild_keywords()

    # -- vectors ----------------------------------------------------------------------------------
    def spaces(self) -> list[str]:
        return self.vector_repo.spaces()

    def vector_index(self, space: str) -> VectorIndex:
        """The FAISS index of a space, brought in line with the database first."""
        return self.vector_repo.index(space)

    # Kept for callers written before the rename ("index" is also the command's name).
    index = vector_index

    def save_indexes(self) -> None:
        if self.read_only:
            return  # the in-memory indexes were synced from the database; there is nowhere to save them
        self.vector_repo.save_all()
        self.keyword_repo.refresh_postings()

    def vector_rows(self, space: str, above: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of a space above an id, in batches (index rebuilds, bench_scale)."""
        return self.vector_repo.rows(space, above)

    def embedding_ids(self, space: str) -> np.ndarray:
        return self.vector_repo.ids(space)

    def vectors_by_id(self, embedding_ids: Sequence[int], space: str) -> dict[int, np.ndarray]:
        return self.vector_repo.by_id(embedding_ids, space)

    def vectors_changed(self) -> None:
        """Rows were deleted: the next open of each index recounts instead of trusting its last count."""
        self.vector_repo.changed()

    def embedding_descriptions(self, ids: Sequence[int]) -> dict[int, int]:
        return self.vector_repo.descriptions_of(ids)

    def vectors_of(self, description_ids: Sequence[int], space: str) -> dict[int, np.ndarray]:
        return self.vector_repo.of(description_ids, space)

    # -- runs -------------------------------------------------------------------------------------
    def start_run(self, command: str, settings: dict[str, Any]) -> int:
        return self.run_repo.start(command, settings)

    def update_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self.run_repo.update(run_id, status, summary)

    def keyword_stats(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of active descriptions, how many of them contain each word) for keyword idf."""
        return self.keyword_repo.keyword_stats(words)

    def prunable(self, keep_keys: set[str]) -> tuple[list[int], int]:
        """(ids a prune may drop, inactive descriptions it keeps): see activity.superseded_ids."""
        with self.db.read() as s:
            return superseded_ids(s, keep_keys)

    def drop_descriptions(self, ids: Sequence[int], batch: int = 2000) -> None:
        """Delete descriptions with their keyword rows and vectors (a transaction per batch: an
        interrupted prune leaves a consistent store), then bring the index files in line."""
        for i in range(0, len(ids), batch):
            self.description_repo.delete(ids[i : i + batch])
        if ids:
            self.vectors_changed()
            self.save_indexes()

    def compact(self) -> tuple[int, int] | None:
        """VACUUM the SQLite file: (bytes before, after); None where the database is not a local file."""
        path = self.root / DB_NAME
        if not self.db.is_sqlite or not path.exists():
            return None
        before = path.stat().st_size
        self.db.vacuum()
        return before, path.stat().st_size

    def activity(self) -> Activity:
        """Descriptions held, and which of them no search shows (older describers or plans, caption jobs)."""
        return self.keyword_repo.activity()

    def runs(self, command: str) -> list[RunRecord]:
        return self.run_repo.of(command)

    def add_agent_run(self, **fields: Any) -> int:
        return self.run_repo.add_agent_run(**fields)

    def agent_runs(self, limit: int = 20) -> list[AgentRunRecord]:
        return self.run_repo.agent_runs(limit)

    # -- summary ----------------------------------------------------------------------------------
    def counts(self) -> dict[str, Any]:
        """Clips (active and all plans'), descriptions and failed ones: the cheap part of `stats`."""
        return self.description_repo.counts()

    def stats(self) -> dict[str, Any]:
        per_space = self.vector_repo.by_space()
        videos = self.video_repo.all()
        return {
            "store": str(self.root),
            "schema_version": SCHEMA_VERSION,
            "videos": len(videos),
            "seconds": round(sum(v.duration for v in videos), 3),
            **self.counts(),
            # kept, not searched: earlier describers' and plans' (switching back is free), caption jobs'
            "superseded_descriptions": self.activity().n_inactive,
            "vectors": int(sum(per_space.values())),
            "vectors_by_space": per_space,
        }
