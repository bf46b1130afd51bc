"""How a SQLite store is opened when it cannot be written, and the check before anything writes to it.

Read-only: a store on a read-only mount (a shared archive, a snapshot, a copy without its -wal/-shm
files) is opened with SQLite's `mode=ro`, or `immutable=1` where even that fails (no -shm file can
be made), so `search`, `ask`, `status` and `export` work; writers refuse it in one line.

Damaged: `index` and `caption` run SQLite's quick check before writing, so new work is never added
to a malformed database (which would bury the damage under fresh rows); `doctor --repair` is the way
out (see `vidagent.store.recover`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from ..errors import StoreDamaged, StoreReadOnly, printable


class Store(Protocol):
    """What these checks read of a store (the `Store` facade has it; no import of it, no circle)."""

    root: Path
    is_sqlite: bool
    read_only: bool


log = logging.getLogger("vidagent")


def writable(db: Path) -> bool:
    """Can this process write the database and create files beside it (-wal, -shm, vectors)?"""
    folder = db.parent
    return os.access(folder, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


def _uri(db: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(db.resolve()))}?{query}"


def readonly_url(db: Path) -> tuple[str, str]:
    """(SQLAlchemy URL, note) for a store this process cannot write: `mode=ro` when SQLite can read
    it that way, else `immutable=1` (which ignores a -wal file: its last commits are not visible)."""
    uri = _uri(db, mode="ro")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
        return f"sqlite:///{uri}&uri=true", "read-only store: nothing will be written"
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise StoreDamaged(
                f"{printable(db)}: the database is damaged ({exc}); copy the store somewhere "
                "writable and run `vidagent doctor --repair` there"
            ) from None
        log.debug("mode=ro failed for %s (%s): opening immutable", db, exc)
    wal = db.with_name(db.name + "-wal")
    note = "read-only store opened as immutable: nothing will be written"
    if wal.exists() and wal.stat().st_size > 0:
        note += f"; the last commits in {wal.name} are not visible (copy the store with it to a writable place)"
    return f"sqlite:///{_uri(db, immutable='1')}&uri=true", note


def quick_check(store: Store) -> str | None:
    """None when SQLite's quick check passes, else its complaint in one line."""
    if not store.is_sqlite:
        return None
    db = Path(store.root) / "vidagent.db"
    try:
        conn = sqlite3.connect(str(db), timeout=60)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(" ".join(r.split()) for r in rows)[:300]


def refuse_read_only(root: Path) -> None:
    raise StoreReadOnly(
        f"{printable(root)}: the store is read-only (a read-only mount or folder); this "
        "command writes to it: copy the store somewhere writable"
    )


def require_writable(store: Store) -> None:
    """Refuse (one line) to write into a read-only or damaged store."""
    if getattr(store, "read_only", False):
        refuse_read_only(Path(store.root))
    problem = quick_check(store)
    if problem is not None:
        raise StoreDamaged(
            f"{printable(store.root)}/vidagent.db fails SQLite's quick check ({problem}); nothing "
            "was written: run `vidagent doctor --repair` first"
        )


def database_problem(db: Path) -> str | None:
    """SQLite's integrity check of the file, in plain words; None when it passes."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows == ["ok"]:
        return None
    first = " ".join(rows[0].split())
    if "not a database" in first:
        why = "the file is no longer a SQLite database (its header is damaged or overwritten)"
    elif "malformed" in first or "btree" in first.lower() or "page" in first.lower():
        why = "pages inside the database file are damaged or missing (a truncated or overwritten file)"
    else:
        why = "SQLite's integrity check failed"
    return f"{why}; SQLite says: {first[:160]}" + (f" (+{len(rows) - 1} more)" if len(rows) > 1 else "")
