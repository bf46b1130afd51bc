"""SQLAlchemy tables. SQLite is the source of truth: vectors are stored here too, and the FAISS files
beside the database are a derived index that can always be rebuilt from these rows.

Every stage's output is keyed by content: videos by their hash, scene sets by (video, detector
settings), clips by (scene set, planning settings), descriptions by (clip, describer settings,
prompt), embeddings by (description, space, model).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 2


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Video(Base):
    __tablename__ = "videos"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes: past 2 GiB on PostgreSQL
    duration: Mapped[float] = mapped_column(Float)
    fps: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    video_codec: Mapped[str] = mapped_column(String(32))
    frame_count: Mapped[int] = mapped_column(Integer)
    audio_codec: Mapped[str | None] = mapped_column(String(32), nullable=True)
    audio_channels: Mapped[int] = mapped_column(Integer, default=0)
    audio_rate: Mapped[int] = mapped_column(Integer, default=0)
    # The clip plan and describer the last `index` used: search and the agent read these.
    plan_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    describer_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    indexed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PathCache(Base):
    """path -> hash while size and mtime are unchanged, so re-runs skip hashing."""

    __tablename__ = "paths"
    path: Mapped[str] = mapped_column(Text, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)


class SceneSet(Base):
    __tablename__ = "scene_sets"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    video_hash: Mapped[str] = mapped_column(ForeignKey("videos.hash", ondelete="CASCADE"), index=True)
    detector: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    scenes: Mapped[list[Any]] = mapped_column(JSON)  # [[start_frame, end_frame, start, end], ...]
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class ClipRow(Base):
    __tablename__ = "clips"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), index=True)
    plan_key: Mapped[str] = mapped_column(String(32), index=True)
    video_hash: Mapped[str] = mapped_column(ForeignKey("videos.hash", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    keyframes: Mapped[list[Any]] = mapped_column(JSON)
    scene_indices: Mapped[list[Any]] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("plan_key", "id"),)


class Transcript(Base):
    __tablename__ = "transcripts"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    video_hash: Mapped[str] = mapped_column(ForeignKey("videos.hash", ondelete="CASCADE"), index=True)
    model_id: Mapped[str] = mapped_column(String(128))
    segments: Mapped[list[Any]] = mapped_column(JSON)  # [[start, end, text], ...]


class DescriptionRow(Base):
    __tablename__ = "descriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    clip_id: Mapped[str] = mapped_column(String(32), index=True)
    video_hash: Mapped[str] = mapped_column(ForeignKey("videos.hash", ondelete="CASCADE"), index=True)
    describer_key: Mapped[str] = mapped_column(String(32), index=True)
    describer: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[str] = mapped_column(String(256))
    prompt: Mapped[str | None] = mapped_column(String(128), nullable=True)
    caption: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(JSON)
    ocr: Mapped[list[Any]] = mapped_column(JSON)
    transcript: Mapped[str] = mapped_column(Text, default="")
    frame_times: Mapped[list[Any]] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("clip_id", "describer_key"),)


class Embedding(Base):
    __tablename__ = "embeddings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    description_id: Mapped[int] = mapped_column(ForeignKey("descriptions.id", ondelete="CASCADE"), index=True)
    space: Mapped[str] = mapped_column(String(128))
    model_id: Mapped[str] = mapped_column(String(256))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    __table_args__ = (UniqueConstraint("description_id", "space"), Index("ix_embeddings_space_id", "space", "id"))


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    command: Mapped[str] = mapped_column(String(32))
    started: Mapped[datetime] = mapped_column(default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AgentRun(Base):
    """Every `ask`: the question, the answer, its citations and every tool call, for `vidagent history`."""

    __tablename__ = "agent_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(64), default="")
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    elapsed_s: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")


class VectorChecksum(Base):
    """CRC-32 of each stored vector, written with it: SQLite's own checks cannot see a changed byte
    inside a blob, `vidagent doctor` can (a table of its own, created on open for older stores)."""

    __tablename__ = "vector_checksums"
    embedding_id: Mapped[int] = mapped_column(ForeignKey("embeddings.id", ondelete="CASCADE"), primary_key=True)
    crc: Mapped[int] = mapped_column(BigInteger)


def vector_crc(vector: bytes) -> int:
    import zlib

    return zlib.crc32(vector)


@event.listens_for(Embedding, "after_insert")
def _record_checksum(_mapper: Any, connection: Any, target: Embedding) -> None:
    connection.execute(insert(VectorChecksum).values(embedding_id=target.id, crc=vector_crc(target.vector)))
