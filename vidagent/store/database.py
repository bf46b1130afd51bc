"""The connection shared by the store's repositories: one SQLAlchemy engine and its sessions.

SQLite runs in WAL mode with a busy timeout, so `search` and `ask` read while `index` writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from .models import Meta


def _sqlite_ro_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """An engine plus the two ways the repositories use it: `write()` (one transaction) and `read()`."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.read_only = read_only
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, or every session would see its own empty in-memory database.
            self.engine: Engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            self.engine = create_engine(url, future=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_ro_pragmas if read_only else _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session inside one transaction: committed on exit, rolled back on error."""
        with self._sessions() as s, s.begin():
            yield s

    def read(self) -> Session:
        """A plain session for reads (use as a context manager)."""
        return self._sessions()

    def meta(self, key: str) -> str | None:
        with self.read() as s:
            row = s.get(Meta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as s:
            s.merge(Meta(key=key, value=value))

    def integrity_check(self) -> str | None:
        """SQLite's own integrity check ("ok" when healthy); None for other databases."""
        if not self.is_sqlite:
            return None
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())

    def dispose(self) -> None:
        self.engine.dispose()
