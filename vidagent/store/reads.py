"""Lean reads for search: which candidates are active, and the text fields keyword scoring needs.

Plain SQL with the ids inlined (integers only) instead of ORM objects and hundreds of bound
parameters: a search reads a few hundred candidate rows, and at that size building objects and
binding parameters cost more than the indexed lookups themselves.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from .database import Database

#: the active descriptions: the video's active describer and the clip in its active plan
ACTIVE_FROM = (
    "FROM descriptions d JOIN videos v ON v.hash = d.video_hash AND v.describer_key = d.describer_key "
    "JOIN clips c ON c.id = d.clip_id AND c.plan_key = v.plan_key"
)
#: active descriptions among some ids
_ACTIVE_SQL = "SELECT {cols} " + ACTIVE_FROM + " WHERE d.id IN ({ids})"


def int_list(ids: Sequence[int]) -> str:
    """Ids inlined as SQL (integers only): one statement, no hundreds of bound parameters."""
    return ",".join(str(int(i)) for i in ids)


def _json(value: Any) -> Any:
    """A JSON column read by plain SQL (SQLite gives text, PostgreSQL's driver decoded values)."""
    return json.loads(value) if isinstance(value, str | bytes) else (value or [])


def active_ids(db: Database, description_ids: Sequence[int], video_hash: str | None = None) -> set[int]:
    """Which of these descriptions are active (one indexed query, no row is decoded)."""
    if not description_ids:
        return set()
    sql = _ACTIVE_SQL.format(cols="d.id", ids=int_list(description_ids))
    if video_hash is not None:
        sql += " AND d.video_hash = :h"
    with db.read() as s:
        return {int(i) for i in s.execute(text(sql), {"h": video_hash}).scalars()}


def seen(db: Database, description_ids: Sequence[int]) -> dict[int, tuple[int, list[list[str]]]]:
    """(people, keyframe labels) of each of these descriptions: how many people the people signal saw
    (max of bodies and faces, `signals.people`; 0 when none or not run) and each keyframe's top labels
    (`frame_tags`). Search matches "person" with the first and judges how steady a label is with the second."""
    if not description_ids:
        return {}
    sql = _ACTIVE_SQL.format(cols="d.id, d.extra", ids=int_list(description_ids))
    out: dict[int, tuple[int, list[list[str]]]] = {}
    with db.read() as s:
        for i, extra in s.execute(text(sql)):
            ex = _json(extra) if extra else {}
            ex = ex if isinstance(ex, dict) else {}
            p = (ex.get("signals") or {}).get("people")
            n = max(int(p.get("persons", 0) or 0), int(p.get("faces", 0) or 0)) if isinstance(p, dict) else 0
            frames = [[str(t) for t in f] for f in ex.get("frame_tags") or [] if isinstance(f, list)]
            out[int(i)] = (n, frames)
    return out


def keyword_fields(db: Database, description_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The text fields keyword scoring reads (tags, ocr, transcript, caption) of the active ones of
    these descriptions, by id (plain SQL: hundreds of rows per search)."""
    if not description_ids:
        return {}
    sql = _ACTIVE_SQL.format(cols="d.id, d.tags, d.ocr, d.transcript, d.caption", ids=int_list(description_ids))
    with db.read() as s:
        return {
            int(i): {
                "tags": " ".join(str(t[0]) for t in _json(tags)),
                "ocr": " ".join(str(o) for o in _json(ocr)),
                "transcript": transcript or "",
                "caption": caption or "",
            }
            for i, tags, ocr, transcript, caption in s.execute(text(sql))
        }


def rank_info(
    db: Database, description_ids: Sequence[int], video_hash: str | None = None
) -> dict[int, tuple[str, list[tuple[str, float]]]]:
    """Video and scored visual labels of the active ones of these descriptions, by id: what ranking
    needs of every candidate (label confidence, same-video decay) without loading whole rows."""
    if not description_ids:
        return {}
    sql = _ACTIVE_SQL.format(cols="d.id, d.video_hash, d.tags", ids=int_list(description_ids))
    if video_hash is not None:
        sql += " AND d.video_hash = :h"
    with db.read() as s:
        return {
            int(i): (str(h), [(str(t[0]), float(t[1])) for t in _json(tags)])
            for i, h, tags in s.execute(text(sql), {"h": video_hash})
        }
