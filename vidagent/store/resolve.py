"""Finding an indexed video by what a person types: a path, a file name, or a prefix of its hash.

Every command that takes a video (search/ask/similar `--video`, chapters, thumbnails, `videos`)
goes through `find_video`, so a name that works for one works for all. A content hash may be
known under several paths (a copy, a move): all are kept (the path cache), and the one shown is
one that exists, preferring the path the user named.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..errors import VidagentError, printable
from .models import PathCache, Video

if TYPE_CHECKING:
    from .db import Store

_HEX = re.compile(r"[0-9a-f]{4,64}")


class AmbiguousVideo(VidagentError):
    """A name that fits more than one indexed video; the message lists the candidates."""


class UnknownVideo(VidagentError):
    """A name that fits no indexed video."""


def known_paths(store: Store, video_hash: str) -> list[str]:
    """Every absolute path this content was indexed or hashed at, the last indexed one first."""
    with store._session() as s:
        row = s.get(Video, video_hash)
        cached = list(s.scalars(select(PathCache.path).where(PathCache.hash == video_hash)))
    first = [row.path] if row is not None else []
    return list(dict.fromkeys(first + sorted(cached)))


def shown_path(store: Store, video_hash: str, stored: str, prefer: str | None = None) -> str:
    """The path to show for a video: `prefer` if it exists, else the stored one, else any known one that exists."""
    if prefer and os.path.isfile(prefer):
        return os.path.abspath(prefer)
    if os.path.isfile(stored):
        return stored
    for p in known_paths(store, video_hash):
        if os.path.isfile(p):
            return p
    return stored


def show_existing(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose video path is gone show another known path of the same content that exists."""
    seen: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["video_hash"], r["video"])
        if key not in seen:
            seen[key] = r["video"] if os.path.isfile(r["video"]) else shown_path(store, *key)
        r["video"] = seen[key]
    return rows


def find_video(store: Store, name: str) -> Video | None:
    """The indexed video `name` means, or None; raises AmbiguousVideo when it fits several.

    Tried in order: a full hash; an existing file (by content); a path it was indexed or seen at;
    a file name (basename) of a known path; a unique hash prefix (4+ hex digits).
    """
    with store._session() as s:
        row = s.get(Video, name)
        if row is not None:
            return row
        indexed = {v.hash: v for v in s.scalars(select(Video))}
        cache = list(s.execute(select(PathCache.path, PathCache.hash)))
    if os.path.isfile(name):
        from ..video import content_hash

        h = store.cached_hash(name) or content_hash(name)
        return indexed.get(h)  # an existing file is what it holds now, never another file's namesake
    full = os.path.abspath(name)
    by_path = {v.path: h for h, v in indexed.items()}
    by_path.update({p: h for p, h in cache if h in indexed and p not in by_path})
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
        raise AmbiguousVideo(f"'{printable(name)}' fits {len(hits)} indexed videos: {listing} "
                             "(give the path or a longer hash prefix)")
    return None


def require_video(store: Store, name: str) -> Video:
    """`find_video`, but an unknown name is an error that says where to look."""
    row = find_video(store, name)
    if row is None:
        raise UnknownVideo(f"{printable(name)}: not an indexed video in {store.root} "
                           "(see `vidagent videos`; give a path, file name or hash prefix)")
    return row


def list_videos(store: Store) -> list[dict[str, Any]]:
    """Every indexed video: shown path, other known paths, hash, duration, active clips, indexed at."""
    out = []
    for v in store.videos():
        paths = known_paths(store, v.hash)
        clips = store.get_clips(v.plan_key) if v.plan_key else None
        out.append({"path": shown_path(store, v.hash, v.path), "hash": v.hash, "duration": round(v.duration, 3),
                    "clips": len(clips or []), "indexed_at": v.indexed_at.isoformat() if v.indexed_at else None,
                    "width": v.width, "height": v.height, "fps": round(v.fps, 3),
                    "paths": paths, "exists": any(os.path.isfile(p) for p in paths)})
    return out
