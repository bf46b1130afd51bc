"""Descriptions, their keyword-index rows and their vectors, written together.

The keyword index is a backend per database (store/keyword.py: SQLite FTS5, PostgreSQL tsvector).
`keyword_row` (records.py) is the one builder of keyword-index rows: writes use it, and so does the
repair `doctor --repair` runs, so the two can never disagree about what is searchable. Writes are bulk
statements (one INSERT per table per batch), so a batch of thousands of clips costs a few round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..types import Clip, Description
from . import hot, reads
from .database import Database
from .evidence import add_boxes
from .keyword import KeywordIndex, backend
from .models import ClipRow, DescriptionRow, Embedding, VectorChecksum, Video, utcnow, vector_crc
from .records import ClipRecord, ClipSpan, StoredDescription, keyword_row

#: a description whose describer reported an error (stored with an empty caption; retried next run)
_FAILED = DescriptionRow.extra["error"].as_string().is_not(None)
_REBUILD_BATCH = 2000


def drop_keyword_rows(s: Session, keywords: KeywordIndex | None, video_hash: str) -> None:
    """Remove a video's keyword rows (inside the caller's transaction)."""
    if keywords is not None:
        keywords.delete_video(s, video_hash)


def _stored(d: DescriptionRow) -> StoredDescription:
    return StoredDescription(
        id=d.id,
        clip_id=d.clip_id,
        video_hash=d.video_hash,
        describer_key=d.describer_key,
        describer=d.describer,
        model_id=d.model_id,
        prompt=d.prompt,
        caption=d.caption,
        tags=[(str(t), float(p)) for t, p in d.tags],
        ocr=list(d.ocr),
        transcript=d.transcript,
        frame_times=list(d.frame_times),
        extra=dict(d.extra or {}),
    )


class DescriptionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        #: the keyword index of this database (None: captions by LIKE, no index to keep)
        self.keywords: KeywordIndex | None = backend(db.dialect)

    def described(self, describer_key: str, clip_ids: Sequence[str]) -> set[str]:
        """Clips done with this describer setting; a description that failed (error in `extra`) is not
        done, so the next run describes the clip again."""
        with self.db.read() as s:
            q = select(DescriptionRow.clip_id).where(
                DescriptionRow.describer_key == describer_key, DescriptionRow.clip_id.in_(list(clip_ids)), ~_FAILED
            )
            return set(s.scalars(q))

    def failed(self, limit: int = 5) -> tuple[int, list[tuple[str, str]]]:
        """How many stored descriptions failed, and (clip id, error) of the first few."""
        with self.db.read() as s:
            n = int(s.scalar(select(func.count()).select_from(DescriptionRow).where(_FAILED)) or 0)
            first = s.execute(
                select(DescriptionRow.clip_id, DescriptionRow.extra)
                .where(_FAILED)
                .order_by(DescriptionRow.id)
                .limit(limit)
            ).all()
        return n, [(str(c), str((e or {}).get("error", ""))) for c, e in first]

    def has_any(self, video_hash: str) -> bool:
        with self.db.read() as s:
            q = select(DescriptionRow.id).where(DescriptionRow.video_hash == video_hash).limit(1)
            return s.scalars(q).first() is not None

    def put(
        self,
        video_hash: str,
        describer_key: str,
        describer: str,
        model_id: str,
        prompt: str | None,
        items: Sequence[tuple[Clip, Description]],
        vectors: Sequence[dict[str, tuple[np.ndarray, str]]],
    ) -> list[int]:
        """One transaction: description rows, their keyword-index rows and their vectors. Clips another
        writer (a Ray worker) described first, same clip and describer key, are skipped, not doubled."""
        for _attempt in range(4):
            try:
                return self._put(video_hash, describer_key, describer, model_id, prompt, items, vectors)
            except IntegrityError:
                done = self.described(describer_key, [c.id for c, _ in items])
                keep = [i for i, (c, _) in enumerate(items) if c.id not in done]
                items, vectors = [items[i] for i in keep], [vectors[i] for i in keep]
        return self._put(video_hash, describer_key, describer, model_id, prompt, items, vectors)

    def _put(
        self,
        video_hash: str,
        describer_key: str,
        describer: str,
        model_id: str,
        prompt: str | None,
        items: Sequence[tuple[Clip, Description]],
        vectors: Sequence[dict[str, tuple[np.ndarray, str]]],
    ) -> list[int]:
        if not items:
            return []
        now = utcnow()
        desc_rows = [
            dict(
                clip_id=clip.id,
                video_hash=video_hash,
                describer_key=describer_key,
                describer=describer,
                model_id=model_id,
                prompt=prompt,
                caption=d.caption,
                tags=[[t, float(p)] for t, p in d.tags],
                ocr=list(d.ocr),
                transcript=d.transcript,
                frame_times=list(d.frame_times),
                extra=d.extra,
                created=now,
            )
            for clip, d in items
        ]
        with self.db.write() as s:
            # A clip described again replaces its earlier (failed) description under the same key.
            old = select(DescriptionRow.id).where(
                DescriptionRow.describer_key == describer_key, DescriptionRow.clip_id.in_([c.id for c, _ in items])
            )
            old_ids = list(s.scalars(old))
            if old_ids:
                s.execute(delete(Embedding).where(Embedding.description_id.in_(old_ids)))
                if self.keywords is not None:
                    self.keywords.delete_ids(s, old_ids)
                s.execute(delete(DescriptionRow).where(DescriptionRow.id.in_(old_ids)))
            ids = [
                int(i)
                for i in s.scalars(
                    insert(DescriptionRow).returning(DescriptionRow.id, sort_by_parameter_order=True), desc_rows
                )
            ]
            emb_rows: list[dict[str, Any]] = []
            for did, (_, d), vecs in zip(ids, items, vectors, strict=True):
                add_boxes(s, did, video_hash, d.boxes)
                for space, (vec, vec_model) in vecs.items():
                    v = np.asarray(vec, dtype=np.float32).reshape(-1)
                    emb_rows.append(
                        dict(
                            description_id=did, space=space, model_id=vec_model, dim=int(v.shape[0]), vector=v.tobytes()
                        )
                    )
            if emb_rows:  # each vector with its checksum (doctor finds a changed byte inside a blob)
                emb_ids = list(
                    s.scalars(insert(Embedding).returning(Embedding.id, sort_by_parameter_order=True), emb_rows)
                )
                s.execute(
                    insert(VectorChecksum),
                    [
                        {"embedding_id": int(e), "crc": vector_crc(r["vector"])}
                        for e, r in zip(emb_ids, emb_rows, strict=True)
                    ],
                )
            if self.keywords is not None:
                self.keywords.add_many(
                    s,
                    [
                        keyword_row(did, d.caption, list(d.ocr), d.transcript, list(d.tags))
                        for did, (_, d) in zip(ids, items, strict=True)
                    ],
                )
        return ids

    def delete(self, description_ids: Sequence[int]) -> None:
        """Drop descriptions with their keyword rows and vectors (one transaction): their clips are
        described again by the next run (used for damaged vectors)."""
        ids = list(description_ids)
        if not ids:
            return
        with self.db.write() as s:
            if self.keywords is not None:
                self.keywords.delete_ids(s, ids)
            s.execute(delete(Embedding).where(Embedding.description_id.in_(ids)))
            s.execute(delete(DescriptionRow).where(DescriptionRow.id.in_(ids)))
        hot.bump()

    def _active_query(
        self,
        cols: Sequence[Any],
        description_ids: Sequence[int] | None,
        video_hash: str | None,
        clip_ids: Sequence[str] | None = None,
    ) -> Any:
        """Columns of the descriptions of each video's active clip plan and describer."""
        q = (
            select(*cols)
            .join(
                Video, (Video.hash == DescriptionRow.video_hash) & (Video.describer_key == DescriptionRow.describer_key)
            )
            .join(ClipRow, (ClipRow.id == DescriptionRow.clip_id) & (ClipRow.plan_key == Video.plan_key))
        )
        if description_ids is not None:
            q = q.where(DescriptionRow.id.in_(list(description_ids)))
        if video_hash is not None:
            q = q.where(DescriptionRow.video_hash == video_hash)
        if clip_ids is not None:
            q = q.where(DescriptionRow.clip_id.in_(list(clip_ids)))
        return q

    def active(
        self,
        description_ids: Sequence[int] | None = None,
        video_hash: str | None = None,
        clip_ids: Sequence[str] | None = None,
    ) -> list[ClipRecord]:
        """Descriptions of each video's active clip plan and describer, joined with clip and video
        (columns, not ORM objects: a search loads hundreds of rows and the objects cost more than the SQL)."""
        d = DescriptionRow
        cols = (
            d.id,
            d.clip_id,
            d.video_hash,
            d.caption,
            d.tags,
            d.ocr,
            d.transcript,
            d.model_id,
            d.prompt,
            d.describer,
            d.describer_key,
            d.frame_times,
            d.extra,
            ClipRow.start,
            ClipRow.end,
            ClipRow.idx,
            Video.path,
        )
        q = self._active_query(cols, description_ids, video_hash, clip_ids).order_by(Video.path, ClipRow.idx)
        with self.db.read() as s:
            return [
                ClipRecord(
                    description_id=i,
                    clip_id=clip_id,
                    video_hash=vh,
                    video=path,
                    start=float(start),
                    end=float(end),
                    index=int(idx),
                    caption=caption,
                    tags=[str(t) for t, _ in tags],
                    tag_scores=[(str(t), float(p)) for t, p in tags],
                    ocr=list(ocr),
                    transcript=transcript,
                    model_id=model_id,
                    prompt=prompt,
                    describer=describer,
                    describer_key=dkey,
                    frame_times=list(ft),
                    extra=dict(extra or {}),
                )
                for (
                    i,
                    clip_id,
                    vh,
                    caption,
                    tags,
                    ocr,
                    transcript,
                    model_id,
                    prompt,
                    describer,
                    dkey,
                    ft,
                    extra,
                    start,
                    end,
                    idx,
                    path,
                ) in s.execute(q)
            ]

    def active_ids(self, description_ids: Sequence[int], video_hash: str | None = None) -> set[int]:
        """Which of these descriptions are active (one indexed query, no row is decoded)."""
        return reads.active_ids(self.db, description_ids, video_hash)

    def rank_info(
        self, description_ids: Sequence[int], video_hash: str | None = None
    ) -> dict[int, tuple[str, list[tuple[str, float]]]]:
        """(video hash, scored labels) of the active ones, by id (one query, no row objects)."""
        return reads.rank_info(self.db, description_ids, video_hash)

    def seen(self, description_ids: Sequence[int]) -> dict[int, tuple[int, list[list[str]]]]:
        """(people count, keyframe labels) of each, by id (`reads.seen`)."""
        return reads.seen(self.db, description_ids)

    def keyword_fields(self, description_ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """Text fields keyword scoring reads (tags, ocr, transcript, caption) of the active ones, by id."""
        return reads.keyword_fields(self.db, description_ids)

    def for_clips(self, describer_key: str, clip_ids: Sequence[str]) -> dict[str, StoredDescription]:
        """Stored descriptions of these clips by one describer setting, by clip id (any plan)."""
        with self.db.read() as s:
            return {
                d.clip_id: _stored(d)
                for d in s.scalars(
                    select(DescriptionRow).where(
                        DescriptionRow.describer_key == describer_key, DescriptionRow.clip_id.in_(list(clip_ids))
                    )
                )
            }

    def clip_span(self, clip_id: str) -> ClipSpan | None:
        """Span and video of a clip in any stored plan."""
        with self.db.read() as s:
            hit = s.execute(
                select(ClipRow.start, ClipRow.end, Video.path, Video.hash)
                .join(Video, Video.hash == ClipRow.video_hash)
                .where(ClipRow.id == clip_id)
            ).first()
        return None if hit is None else ClipSpan(clip_id, float(hit[0]), float(hit[1]), str(hit[2]), str(hit[3]))

    def counts(self) -> dict[str, Any]:
        with self.db.read() as s:
            active = s.scalar(
                select(func.count())
                .select_from(ClipRow)
                .join(Video, (Video.hash == ClipRow.video_hash) & (Video.plan_key == ClipRow.plan_key))
            )
            return {
                "clips": int(active or 0),
                "clip_rows": int(s.scalar(select(func.count()).select_from(ClipRow)) or 0),
                "descriptions": int(s.scalar(select(func.count()).select_from(DescriptionRow)) or 0),
                "failed_descriptions": int(
                    s.scalar(select(func.count()).select_from(DescriptionRow).where(_FAILED)) or 0
                ),
            }
