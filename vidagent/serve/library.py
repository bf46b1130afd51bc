"""What the web API serves, as plain JSON-able dicts: one open, read-only view of a store.

The server keeps the store, settings and embedder warm for its lifetime (a search is then a query
embedding plus index lookups, not a process start). It reuses the library's own `search` and `ask`
and passes their results through as their `to_json()` gives them, adding only what a page needs
(video hash, thumbnail and media URLs), so new result fields appear on the page without changes here.

Read-only: `ask` normally records each run for `vidagent history`; through the server it does not,
and the vector indexes are never saved back. The only write is the thumbnail cache (`thumbs.py`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

from ..config import Settings, load_settings
from ..errors import VidagentError
from ..store import Store, browse
from .media import VerifiedFiles
from .thumbs import ThumbCache

log = logging.getLogger(__name__)

HASH_RE = re.compile(r"^[0-9a-f]{16,64}$")
CLIP_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_WINDOW = 1000  # deepest search result reachable by paging (offset + limit)


class NotFound(VidagentError):
    """A clip or video id the store does not hold (HTTP 404)."""


class ReadOnlyStore(Store):
    """The store as the server sees it: reads as usual; run history and index files are never written.

    It reports itself `read_only` whether or not its files could be written, so the library's own
    read-only paths apply (no history row, no index save, no table created on open).
    """

    @property
    def read_only(self) -> bool:
        return True

    @read_only.setter
    def read_only(self, _value: bool) -> None:
        return None

    def add_agent_run(self, **fields: Any) -> int:  # `ask` records runs: not from a server
        return 0

    def save_indexes(self) -> None:  # FAISS files are a cache the indexer owns
        return None

    def close(self) -> None:
        self.engine.dispose()


def _as_json(obj: Any) -> dict[str, Any]:
    """A result object as JSON: its own `to_json()` when it has one, else its dataclass fields."""
    if hasattr(obj, "to_json"):
        return dict(obj.to_json())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return dict(obj)


def _row(obj: Any) -> dict[str, Any]:
    """A store row (a dict today, a typed record with `to_json()` after the store's refactor) as a dict."""
    return dict(obj.to_json()) if hasattr(obj, "to_json") else dict(obj)


def _span(store: Store, clip_id: str) -> tuple[float, float, str, str] | None:
    """(start, end, video path, video hash) of a clip of any stored plan."""
    s = store.clip_span(clip_id)
    if s is None:
        return None
    if isinstance(s, tuple):
        return float(s[0]), float(s[1]), str(s[2]), str(s[3])
    return float(s.start), float(s.end), str(s.video), str(s.video_hash)


def _one_faiss_thread() -> None:
    """Searches here run one at a time with one query vector: FAISS's OpenMP threads only add start-up
    and spinning (on a busy 2-core machine 115 -> 44 ms mean per search on the film's store)."""
    try:
        import faiss

        faiss.omp_set_num_threads(1)
    except Exception:  # an optional speed-up: search works without it
        log.debug("could not limit FAISS threads", exc_info=True)


def check_hash(value: str) -> str:
    if not HASH_RE.match(value or ""):
        raise NotFound(f"no indexed video with id {value[:80]!r}")
    return value


def check_clip(value: str) -> str:
    if not CLIP_RE.match(value or ""):
        raise NotFound(f"no clip with id {value[:80]!r}")
    return value


class ServeLibrary:
    """Search, ask, browse and media lookup over one store, for the HTTP layer."""

    def __init__(
        self, store: str | os.PathLike[str] | None = None, config: str | os.PathLike[str] | Settings | None = None
    ) -> None:
        self.settings = config if isinstance(config, Settings) else load_settings(config)
        self.store = ReadOnlyStore(store, create=False)
        self.root = Path(self.store.root)
        _one_faiss_thread()
        # A store opened read-only because its files cannot be written carries a note saying so.
        self.thumbs = ThumbCache(self.root, read_only=bool(getattr(self.store, "read_only_note", "")))
        self.files = VerifiedFiles()
        # One search at a time and one answer at a time (on a small machine queueing is faster than
        # thrashing); a search never waits for a slow answer, and media and thumbnails wait for neither.
        self._search_lock = threading.Lock()
        self._ask_lock = threading.Lock()

    def close(self) -> None:
        self.store.close()

    # -- helpers -------------------------------------------------------------------------------
    def _urls(self, d: dict[str, Any]) -> dict[str, Any]:
        h, cid = d.get("video_hash"), d.get("clip_id")
        if h:
            d["media"] = f"/media/{h}"
        if cid:
            d["thumb"] = f"/api/clips/{cid}/thumb.jpg"
        if d.get("video") and "name" not in d:
            d["name"] = str(d["video"]).replace("\\", "/").rsplit("/", 1)[-1]
        return d

    def _video_hash(self, video: str | None) -> str | None:
        """A filter given as a content hash (never a path: URLs do not name files)."""
        if not video:
            return None
        check_hash(video)
        if browse.video_row(self.store, video) is None:
            raise NotFound(f"no indexed video with id {video!r}")
        return video

    # -- API -----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        offset: int = 0,
        limit: int = 24,
        video: str | None = None,
        min_score: float | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> dict[str, Any]:
        """One page of ranked hits, filtered by video, minimum score (the relevance floor; default the
        settings' floor, 0 lists every candidate) and time range."""
        from ..retrieve import search as run_search

        query = query.strip()
        if not query:
            raise VidagentError("the query is empty")
        if offset + limit > MAX_WINDOW:
            raise VidagentError(f"results are paged up to {MAX_WINDOW}: narrow the query or filter by video")
        vh = self._video_hash(video)
        want = offset + limit + 1
        timed = start is not None or end is not None
        # Time filters drop hits after ranking: rank deeper so a page still fills.
        k = min(MAX_WINDOW * 2, want * (4 if timed else 1))
        t0 = time.perf_counter()
        with self._search_lock:
            # min_score is the search's relevance floor (0: every candidate), as in `vidagent search`
            hits = run_search(self.store, query, self.settings, top_k=k, video=vh, min_score=min_score)
        rows = []
        for h in hits:
            d = _as_json(h)
            d.setdefault("video_hash", getattr(h, "video_hash", None))
            score = d.get("score")
            if min_score is not None and isinstance(score, (int, float)) and score < min_score:
                continue
            if start is not None and float(d.get("end", 0.0)) <= start:
                continue
            if end is not None and float(d.get("start", 0.0)) >= end:
                continue
            rows.append(d)
        page = [self._urls(d) for d in rows[offset : offset + limit]]
        for i, d in enumerate(page):
            d["rank"] = offset + i + 1
        return {
            "query": query,
            "offset": offset,
            "limit": limit,
            "hits": page,
            "has_more": len(rows) > offset + limit,
            "elapsed_ms": round((time.perf_counter() - t0) * 1000, 1),
        }

    def ask(self, question: str, video: str | None = None, top_k: int | None = None) -> dict[str, Any]:
        """The library's answer as JSON, each citation made playable (video hash, thumbnail, media)."""
        from ..agent.run import ask as run_ask

        vh = self._video_hash(video)
        t0 = time.perf_counter()
        with self._ask_lock:
            answer = run_ask(question, store=self.store, config=self.settings, video=vh, top_k=top_k)
        out = _as_json(answer)
        out.setdefault("question", question)
        cites = []
        for c in out.get("citations") or []:
            c = dict(c)
            if not c.get("video_hash") and c.get("clip_id"):
                span = _span(self.store, str(c["clip_id"]))
                if span is not None:
                    c["video_hash"] = span[3]
            cites.append(self._urls(c))
        out["citations"] = cites
        out["elapsed_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return out

    def videos(self) -> list[dict[str, Any]]:
        return [self._urls({**v, "video_hash": v["hash"]}) for v in browse.video_summaries(self.store)]

    def video_clips(self, video_hash: str, offset: int = 0, limit: int = 50) -> dict[str, Any]:
        check_hash(video_hash)
        if browse.video_row(self.store, video_hash) is None:
            raise NotFound(f"no indexed video with id {video_hash!r}")
        total, rows = browse.clip_page(self.store, video_hash, offset, limit)
        return {
            "video_hash": video_hash,
            "total": total,
            "offset": offset,
            "limit": limit,
            "clips": [self._urls(r) for r in rows],
            "has_more": offset + len(rows) < total,
        }

    def clip(self, clip_id: str) -> dict[str, Any]:
        """Everything stored about one clip of an active plan, with its neighbours in the video."""
        check_clip(clip_id)
        rows = self.store.active_rows(clip_ids=[clip_id])
        if not rows:
            span = _span(self.store, clip_id)
            if span is None:
                raise NotFound(f"no clip with id {clip_id!r}")
            row: dict[str, Any] = {
                "clip_id": clip_id,
                "start": span[0],
                "end": span[1],
                "video": span[2],
                "video_hash": span[3],
                "caption": "",
                "index": None,
            }
        else:
            row = {k: v for k, v in _row(rows[0]).items() if k not in ("description_id",)}
        row["start"], row["end"] = round(float(row["start"]), 3), round(float(row["end"]), 3)
        if row.get("index") is not None:
            row["prev"], row["next"] = browse.neighbours(self.store, row["video_hash"], int(row["index"]))
        return self._urls(row)

    def status(self) -> dict[str, Any]:
        from .. import __version__

        return {**self.store.stats(), "version": __version__, "thumbnail_cache": self.thumbs.mode}

    # -- files -------------------------------------------------------------------------------------
    def thumbnail(self, clip_id: str, width: int) -> bytes:
        check_clip(clip_id)
        rows = self.store.active_rows(clip_ids=[clip_id])
        if rows:
            r = _row(rows[0])
            times = [float(t) for t in r.get("frame_times") or []]
            at = times[len(times) // 2] if times else (float(r["start"]) + float(r["end"])) / 2
            path = str(r["video"])
        else:
            span = _span(self.store, clip_id)
            if span is None:
                raise NotFound(f"no clip with id {clip_id!r}")
            at, path = (span[0] + span[1]) / 2, span[2]
        if not os.path.isfile(path):
            raise NotFound(f"the video of clip {clip_id} is no longer at {path} (re-index it)")
        try:
            return self.thumbs.get(clip_id, width, path, at)
        except VidagentError as exc:
            raise NotFound(f"no thumbnail for clip {clip_id}: {exc}") from None

    def open_media(self, video_hash: str) -> tuple[Any, int, str]:
        """(open file, size, path) of an indexed video whose file still holds the indexed content."""
        check_hash(video_hash)
        row = browse.video_row(self.store, video_hash)
        if row is None:
            raise NotFound(f"no indexed video with id {video_hash!r}")
        got = self.files.open(row.path, video_hash)
        if got is None:
            raise NotFound(f"the file indexed as {video_hash} is missing or has changed at {row.path} (re-index it)")
        return got[0], got[1], row.path
