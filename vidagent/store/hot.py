"""Per-store figures that every search needs and that change only when the store changes: the vector
spaces, the number of descriptions, keyword document counts. Counting them afresh costs a pass over an
index per query (tens of milliseconds at a million clips); here they are kept per database in a warm
process and keyed by the store's generation.

The generation is (highest description id, highest embedding id): two index probes, and any write that
adds rows moves it (ids only grow). Deletions do not move it, so this process's own deletions call
`bump` and another process's are seen after at most TTL_S seconds (like the vector index's recount).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")

#: seconds cached figures live at most (another process's deletions do not move the generation)
TTL_S = 30.0
_GEN_SQL = text("SELECT (SELECT max(id) FROM descriptions), (SELECT max(id) FROM embeddings)")


class _Entry:
    __slots__ = ("born", "gen", "values")

    def __init__(self, gen: tuple[int, int], now: float) -> None:
        self.gen, self.born = gen, now
        self.values: dict[Any, Any] = {}


_CACHE: dict[str, _Entry] = {}
_LOCK = threading.Lock()


def generation(s: Session) -> tuple[int, int]:
    a, b = s.execute(_GEN_SQL).one()
    return int(a or 0), int(b or 0)


def _entry(key: str, s: Session, gen: tuple[int, int] | None) -> _Entry:
    """The entry of this generation (read on every call: cheap, and a write is seen at once)."""
    gen, now = gen or generation(s), time.monotonic()
    with _LOCK:
        e = _CACHE.get(key)
        if e is None or e.gen != gen or now - e.born >= TTL_S:
            e = _CACHE[key] = _Entry(gen, now)
        return e


def cached(s: Session, name: Any, compute: Callable[[], T], gen: tuple[int, int] | None = None) -> T:
    """`compute()` once per store generation (per database URL and `name`); `gen`: the generation when
    the caller has just read it."""
    key = str(s.get_bind().engine.url)
    e = _entry(key, s, gen)
    if name in e.values:
        return e.values[name]  # type: ignore[no-any-return,unused-ignore]
    value = compute()
    with _LOCK:
        e.values[name] = value
    return value


def bump() -> None:
    """Rows were deleted by this process: forget every cached figure."""
    with _LOCK:
        _CACHE.clear()
