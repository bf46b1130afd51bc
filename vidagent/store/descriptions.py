"""Descriptions, their keyword-index rows (SQLite FTS5) and their vectors, written together.

`keyword_row` (records.py) is the one builder of keyword-index rows: writes use it, and so does the
repair `doctor --repair` runs, so the two can never disagree about what is searchable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session

from ..types import Clip, Description
from .database import Database
from .evidence import add_boxes
from .models import ClipRow, DescriptionRow, Embedding, Video
from .records import ClipRecord, ClipSpan, KeywordRow, StoredDescription, keyword_row

#: a description whose describer reported an error (stored with an empty caption; retried next run)
_FAILED = DescriptionRow.extra["error"].as_string().is_not(None)

_INSERT_KEYWORDS = text(
    "INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) VALUES (:rowid, :caption, :ocr, :transcript, :tags)"
)


def _insert_keywords(s: Session, row: KeywordRow) -> None:
    s.execute(
        _INSERT_KEYWORDS,
        {"rowid": row.rowid, "caption": row.caption, "ocr": row.ocr, "transcript": row.transcript, "tags": row.tags},
    )


def drop_keyword_rows(s: Session, is_sqlite: bool, video_hash: str) -> None:
    """Remove a video's keyword rows (inside the caller's transaction)."""
    if is_sqlite:
        s.execute(
            text("DELETE FROM desc_fts WHERE rowid IN (SELECT id FROM descriptions WHERE video_hash=:h)"),
            {"h": video_hash},
        )


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


@dataclass(frozen=True)
class KeywordIndexState:
    rows: int
    descriptions: int
    orphaned: int

    @property
    def ok(self) -> bool:
        return self.rows == self.descriptions and self.orphaned == 0


class DescriptionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

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
                select(DescriptionRow.clip_id, DescriptionRow.extra).where(_FAILED).order_by(DescriptionRow.id).limit(limit)
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
        """One transaction: description rows, their keyword-index rows and their vectors."""
        ids: list[int] = []
        with self.db.write() as s:
            # A clip described again replaces its earlier (failed) description under the same key.
            old = select(DescriptionRow.id).where(
                DescriptionRow.describer_key == describer_key, DescriptionRow.clip_id.in_([c.id for c, _ in items])
            )
            old_ids = list(s.scalars(old))
            if old_ids:
                s.execute(delete(Embedding).where(Embedding.description_id.in_(old_ids)))
                if self.db.is_sqlite:
                    s.execute(
                        text("DELETE FROM desc_fts WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                        {"ids": json.dumps(old_ids)},
                    )
                s.execute(delete(DescriptionRow).where(DescriptionRow.id.in_(old_ids)))
            for (clip, d), vecs in zip(items, vectors, strict=True):
                row = DescriptionRow(
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
                )
                s.add(row)
                s.flush()
                ids.append(row.id)
                add_boxes(s, row.id, video_hash, d.boxes)
                for space, (vec, vec_model) in vecs.items():
                    v = np.asarray(vec, dtype=np.float32).reshape(-1)
                    s.add(
                        Embedding(
                            description_id=row.id,
                            space=space,
                            model_id=vec_model,
                            dim=int(v.shape[0]),
                            vector=v.tobytes(),
                        )
                    )
                if self.db.is_sqlite:
                    _insert_keywords(s, keyword_row(row.id, d.caption, list(d.ocr), d.transcript, list(d.tags)))
        return ids

    def delete(self, description_ids: Sequence[int]) -> None:
        """Drop descriptions with their keyword rows and vectors (one transaction): their clips are
        described again by the next run (used for damaged vectors)."""
        ids = list(description_ids)
        if not ids:
            return
        with self.db.write() as s:
            if self.db.is_sqlite:
                s.execute(
                    text("DELETE FROM desc_fts WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                    {"ids": json.dumps(ids)},
                )
            s.execute(delete(Embedding).where(Embedding.description_id.in_(ids)))
            s.execute(delete(DescriptionRow).where(DescriptionRow.id.in_(ids)))

    def active(
        self,
        description_ids: Sequence[int] | None = None,
        video_hash: str | None = None,
        clip_ids: Sequence[str] | None = None,
    ) -> list[ClipRecord]:
        """Descriptions of each video's active clip plan and describer, joined with clip and video."""
        q = (
            select(DescriptionRow, ClipRow.start, ClipRow.end, ClipRow.idx, Video.path)
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
        with self.db.read() as s:
            return [
                ClipRecord(
                    description_id=d.id,
                    clip_id=d.clip_id,
                    video_hash=d.video_hash,
                    video=path,
                    start=float(start),
                    end=float(end),
                    index=int(idx),
                    caption=d.caption,
                    tags=[str(t) for t, _ in d.tags],
                    tag_scores=[(str(t), float(p)) for t, p in d.tags],
                    ocr=list(d.ocr),
                    transcript=d.transcript,
                    model_id=d.model_id,
                    prompt=d.prompt,
                    describer=d.describer,
                    describer_key=d.describer_key,
                    frame_times=list(d.frame_times),
                    extra=dict(d.extra or {}),
                )
                for d, start, end, idx, path in s.execute(q.order_by(Video.path, ClipRow.idx))
            ]

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

    # -- keyword index ----------------------------------------------------------------------------
    def keyword_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(description id, bm25) for the query's words, best first (SQLite FTS5; LIKE elsewhere)."""
        words = [w for w in "".join(c if c.isalnum() else " " for c in query.lower()).split() if len(w) > 1]
        if not words:
            return []
        with self.db.read() as s:
            if self.db.is_sqlite:
                match = " OR ".join(f'"{w}"' for w in words)
                rows = s.execute(
                    text("SELECT rowid, bm25(desc_fts) AS r FROM desc_fts WHERE desc_fts MATCH :m ORDER BY r LIMIT :k"),
                    {"m": match, "k": k},
                ).all()
                return [(int(r[0]), -float(r[1])) for r in rows]
            conds = [DescriptionRow.caption.ilike(f"%{w}%") for w in words]
            return [(int(i), 1.0) for i in s.scalars(select(DescriptionRow.id).where(or_(*conds)).limit(k))]

    def keyword_stats(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of descriptions, how many contain each word) for keyword idf."""
        with self.db.read() as s:
            n = int(s.scalar(select(func.count()).select_from(DescriptionRow)) or 0)
            dfs = {}
            for w in words:
                if self.db.is_sqlite:
                    m = '"' + w.replace('"', "") + '"'
                    q = text("SELECT count(*) FROM desc_fts WHERE desc_fts MATCH :m")
                    dfs[w] = int(s.execute(q, {"m": m}).scalar() or 0)
                else:
                    like = DescriptionRow.caption.ilike(f"%{w}%")
                    dfs[w] = int(s.scalar(select(func.count()).select_from(DescriptionRow).where(like)) or 0)
        return n, dfs

    def keyword_state(self) -> KeywordIndexState | None:
        """How the keyword index compares with the descriptions (None where there is no keyword index)."""
        if not self.db.is_sqlite:
            return None
        with self.db.read() as s:
            n_desc = int(s.scalar(select(func.count()).select_from(DescriptionRow)) or 0)
            n_rows = int(s.execute(text("SELECT count(*) FROM desc_fts")).scalar() or 0)
            stray = int(
                s.execute(
                    text("SELECT count(*) FROM desc_fts WHERE rowid NOT IN (SELECT id FROM descriptions)")
                ).scalar()
                or 0
            )
        return KeywordIndexState(n_rows, n_desc, stray)

    def rebuild_keywords(self) -> int:
        """Rebuild the keyword index from the descriptions (one transaction); returns the rows written."""
        if not self.db.is_sqlite:
            return 0
        n = 0
        with self.db.write() as s:
            s.execute(text("DELETE FROM desc_fts"))
            for d in s.scalars(select(DescriptionRow)):
                _insert_keywords(s, keyword_row(d.id, d.caption, list(d.ocr), d.transcript, list(d.tags)))
                n += 1
        return n

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
                "failed_descriptions": int(s.scalar(select(func.count()).select_from(DescriptionRow).where(_FAILED)) or 0),
            }
