"""Positioned evidence: text boxes read on keyframes, and the cache of clips re-read for `ask`.

Two additive tables (schema version 2):
- `text_boxes`: every OCR box of a stored description (text, box as frame fractions, confidence, frame
  time), so layout (table rows, label/value lines) can be rebuilt when answering. Written in the same
  transaction as the description (see `Store.put_descriptions`).
- `evidence_cache`: what the agent's re-query found when it re-read a clip (dense OCR boxes, speech
  with word times), keyed by clip + kind + model + settings, so the same question twice costs once.

A small repository over the Store's engine (the Store stays a facade; no ORM row leaves this module).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..types import TextBox
from .models import Base, DescriptionRow, utcnow

if TYPE_CHECKING:
    from .database import Database


class TextBoxRow(Base):
    __tablename__ = "text_boxes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    description_id: Mapped[int] = mapped_column(ForeignKey("descriptions.id", ondelete="CASCADE"), index=True)
    video_hash: Mapped[str] = mapped_column(String(64), index=True)
    time: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)


class EvidenceCacheRow(Base):
    __tablename__ = "evidence_cache"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    clip_id: Mapped[str] = mapped_column(String(32), index=True)
    video_hash: Mapped[str] = mapped_column(ForeignKey("videos.hash", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    model_id: Mapped[str] = mapped_column(String(256))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload: Mapped[Any] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (Index("ix_evidence_clip_kind", "clip_id", "kind"),)


TABLES: list[Any] = [TextBoxRow.__table__, EvidenceCacheRow.__table__]


def add_boxes(session: Session, description_id: int, video_hash: str, boxes: Sequence[TextBox]) -> None:
    """Rows for one description's boxes, inside the caller's transaction."""
    for b in boxes:
        session.add(
            TextBoxRow(
                description_id=description_id,
                video_hash=video_hash,
                time=float(b.time),
                text=b.text,
                x0=b.x0,
                y0=b.y0,
                x1=b.x1,
                y1=b.y1,
                score=b.score,
            )
        )


def cache_key(clip_id: str, kind: str, model_id: str, settings: dict[str, Any]) -> str:
    raw = json.dumps([clip_id, kind, model_id, settings], sort_keys=True)
    return hashlib.sha1(raw.encode()).hexdigest()


class EvidenceRepo:
    """Reads and writes positioned evidence on the store's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def boxes(self, description_id: int) -> list[TextBox]:
        """The stored text boxes of one description, in frame-time order."""
        with self.db.read() as s:
            rows = s.scalars(
                select(TextBoxRow)
                .where(TextBoxRow.description_id == description_id)
                .order_by(TextBoxRow.time, TextBoxRow.y0, TextBoxRow.x0)
            )
            return [TextBox(r.text, r.x0, r.y0, r.x1, r.y1, r.score, r.time) for r in rows]

    def missing_boxes(self, describer: str = "offline") -> int:
        """Descriptions by a describer that stores text boxes, with on-screen text but no boxes: made
        before schema 2 (their layout cannot be rebuilt from flat lines; re-describing restores it)."""
        with self.db.read() as s:
            has = select(TextBoxRow.description_id).distinct()
            rows = s.execute(
                select(DescriptionRow.id, DescriptionRow.ocr).where(
                    DescriptionRow.describer == describer, DescriptionRow.id.not_in(has)
                )
            ).all()
            return sum(1 for _, ocr in rows if ocr)

    def text_match(self, prefixes: Sequence[str], k: int) -> list[int]:
        """Description ids whose stored text holds any of these word prefixes (full-text index; SQLite),
        most matches first; [] elsewhere (the ranked search covers other databases)."""
        words = [p for p in dict.fromkeys(prefixes) if p.isalnum() and len(p) >= 3]
        if not words or not self.db.is_sqlite:
            return []
        from sqlalchemy import text

        match = " OR ".join(f"{w}*" for w in words)
        with self.db.read() as s:
            rows = s.execute(
                text("SELECT rowid FROM desc_fts WHERE desc_fts MATCH :m ORDER BY bm25(desc_fts) LIMIT :k"),
                {"m": match, "k": k},
            ).all()
        return [int(r[0]) for r in rows]

    def cached(self, key: str) -> tuple[Any, float] | None:
        """(payload, seconds it cost) of a cached re-query, or None."""
        with self.db.read() as s:
            row = s.get(EvidenceCacheRow, key)
            return None if row is None else (row.payload, float(row.seconds))

    def cached_for(self, clip_id: str, kind: str) -> list[Any]:
        """Every cached re-query payload of one kind for a clip (any model or settings)."""
        with self.db.read() as s:
            return [
                r.payload
                for r in s.scalars(
                    select(EvidenceCacheRow).where(EvidenceCacheRow.clip_id == clip_id, EvidenceCacheRow.kind == kind)
                )
            ]

    def put_cache(
        self,
        key: str,
        clip_id: str,
        video_hash: str,
        kind: str,
        model_id: str,
        settings: dict[str, Any],
        payload: Any,
        seconds: float,
    ) -> None:
        with self.db.write() as s:
            s.merge(
                EvidenceCacheRow(
                    key=key,
                    clip_id=clip_id,
                    video_hash=video_hash,
                    kind=kind,
                    model_id=model_id,
                    settings=settings,
                    payload=payload,
                    seconds=seconds,
                )
            )
