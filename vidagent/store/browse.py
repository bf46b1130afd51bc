"""Read-only listings for browsing a library page by page (the web page's videos list and clip pages).

Kept beside the store's tables (SQL stays inside `vidagent.store`) and free of writes, so a server can
call these on a store it must not modify. Every listing is paged in SQL: a store of 100,000 clips is
never read whole to show 50 of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import ClipRow, DescriptionRow, Video

if TYPE_CHECKING:
    from .db import Store


def _read(store: Store) -> Session:
    """A read session on the store's database."""
    return store.db.read()


def video_summaries(store: Store) -> list[dict[str, Any]]:
    """Every stored video with its size, duration, active clip count and indexing status, by path."""
    with _read(store) as s:
        videos = list(s.scalars(select(Video).order_by(Video.path)))
        clips = dict(
            s.execute(
                select(ClipRow.video_hash, func.count())
                .join(Video, (Video.hash == ClipRow.video_hash) & (Video.plan_key == ClipRow.plan_key))
                .group_by(ClipRow.video_hash)
            ).all()
        )
        described = dict(
            s.execute(
                select(DescriptionRow.video_hash, func.count())
                .join(
                    Video,
                    (Video.hash == DescriptionRow.video_hash) & (Video.describer_key == DescriptionRow.describer_key),
                )
                .group_by(DescriptionRow.video_hash)
            ).all()
        )
    out = []
    for v in videos:
        n_clips, n_desc = int(clips.get(v.hash, 0)), int(described.get(v.hash, 0))
        if v.plan_key is None:
            state = "not indexed"
        elif n_desc >= n_clips:
            state = "indexed"
        else:
            state = "partly indexed"
        out.append(
            {
                "hash": v.hash,
                "path": v.path,
                "name": v.path.replace("\\", "/").rsplit("/", 1)[-1],
                "duration": round(float(v.duration), 3),
                "width": v.width,
                "height": v.height,
                "fps": round(float(v.fps), 3),
                "size": v.size,
                "video_codec": v.video_codec,
                "audio_codec": v.audio_codec,
                "clips": n_clips,
                "described": n_desc,
                "status": state,
                "indexed_at": v.indexed_at.isoformat(timespec="seconds") if v.indexed_at else None,
            }
        )
    return out


def video_row(store: Store, video_hash: str) -> Video | None:
    """One stored video by exact content hash (never by path: URLs name videos by hash only)."""
    with _read(store) as s:
        return s.get(Video, video_hash)


def clip_page(store: Store, video_hash: str, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """(total, clips) of a video's active plan in time order, `limit` of them from `offset`, with captions."""
    with _read(store) as s:
        v = s.get(Video, video_hash)
        if v is None or v.plan_key is None:
            return 0, []
        where = (ClipRow.video_hash == video_hash) & (ClipRow.plan_key == v.plan_key)
        total = int(s.scalar(select(func.count()).select_from(ClipRow).where(where)) or 0)
        rows = s.execute(
            select(ClipRow.id, ClipRow.idx, ClipRow.start, ClipRow.end, DescriptionRow.caption)
            .outerjoin(
                DescriptionRow,
                (DescriptionRow.clip_id == ClipRow.id) & (DescriptionRow.describer_key == v.describer_key),
            )
            .where(where)
            .order_by(ClipRow.idx)
            .offset(offset)
            .limit(limit)
        ).all()
        path = v.path
    return total, [
        {
            "clip_id": r[0],
            "index": int(r[1]),
            "start": round(float(r[2]), 3),
            "end": round(float(r[3]), 3),
            "caption": r[4] or "",
            "video": path,
            "video_hash": video_hash,
        }
        for r in rows
    ]


def neighbours(store: Store, video_hash: str, index: int) -> tuple[str | None, str | None]:
    """Ids of the clips just before and after clip number `index` in its video's active plan."""
    with _read(store) as s:
        v = s.get(Video, video_hash)
        if v is None or v.plan_key is None:
            return None, None
        base = select(ClipRow.id).where(ClipRow.video_hash == video_hash, ClipRow.plan_key == v.plan_key)
        prev = s.scalar(base.where(ClipRow.idx < index).order_by(ClipRow.idx.desc()).limit(1))
        nxt = s.scalar(base.where(ClipRow.idx > index).order_by(ClipRow.idx).limit(1))
    return prev, nxt
