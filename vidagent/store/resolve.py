"""Finding an indexed video by what a person types: a path, a file name, or a prefix of its hash.

Every command that takes a video (search/ask/similar `--video`, chapters, thumbnails, `videos`)
goes through `Store.find_video` (the lookup itself is `VideoRepo.find`), so a name that works for
one works for all. A content hash may be known under several paths (a copy, a move): all are kept
(the path cache), and the one shown is one that exists, preferring the path the user named.
This module only composes the repository's answers; it runs no SQL of its own.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import AmbiguousVideo, UnknownVideo, printable
from .records import ClipRecord, VideoRecord

if TYPE_CHECKING:
    from .db import Store

__all__ = [
    "AmbiguousVideo",
    "UnknownVideo",
    "find_video",
    "known_paths",
    "list_videos",
    "require_video",
    "show_existing",
    "shown_path",
]


def known_paths(store: Store, video_hash: str) -> list[str]:
    """Every absolute path this content was indexed or hashed at, the last indexed one first."""
    return store.video_repo.known_paths(video_hash)


def shown_path(store: Store, video_hash: str, stored: str, prefer: str | None = None) -> str:
    """The path to show for a video: `prefer` if it exists, else the stored one, else any known one that exists."""
    return store.video_repo.shown_path(video_hash, stored, prefer)


def show_existing(store: Store, rows: list[ClipRecord]) -> list[ClipRecord]:
    """Rows whose video path is gone show another known path of the same content that exists."""
    return store.video_repo.show_existing(rows)


def find_video(store: Store, name: str) -> VideoRecord | None:
    """The indexed video `name` means, or None; raises AmbiguousVideo when it fits several."""
    return store.find_video(name)


def require_video(store: Store, name: str) -> VideoRecord:
    """`find_video`, but an unknown name is an error that says where to look."""
    row = store.find_video(name)
    if row is None:
        raise UnknownVideo(
            name,
            f"{printable(name)}: not an indexed video in {printable(store.root)} "
            "(see `vidagent videos`; give a path, file name or hash prefix)",
        )
    return row


def list_videos(store: Store) -> list[dict[str, Any]]:
    """Every indexed video: shown path, other known paths, hash, duration, active clips, indexed at."""
    out = []
    for v in store.videos():
        paths = known_paths(store, v.hash)
        clips = store.get_clips(v.plan_key) if v.plan_key else None
        out.append(
            {
                "path": shown_path(store, v.hash, v.path),
                "hash": v.hash,
                "duration": round(v.duration, 3),
                "clips": len(clips or []),
                "indexed_at": v.indexed_at.isoformat() if v.indexed_at else None,
                "width": v.width,
                "height": v.height,
                "fps": round(v.fps, 3),
                "paths": paths,
                "exists": any(os.path.isfile(p) for p in paths),
            }
        )
    return out
