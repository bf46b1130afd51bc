"""The connection shared by the store's repositories: one SQLAlchemy engine and its sessions.

SQLite runs in WAL mode with a busy timeout, so `search` and `ask` read while `index` writes. A store
may also be named by a database URL (PostgreSQL, docs/scale.md); `retry_conflicts` lets writers on
several machines insert the same content-keyed rows.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from .models import Meta

F = TypeVar("F", bound=Callable[..., Any])
_SERVER_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")


def split_store(root: str | os.PathLike[str] | None, url: str | None) -> tuple[Path, str | None]:
    """A store named by a database URL (`postgresql://...`, as --store or VIDAGENT_STORE) keeps its
    FAISS cache in a per-machine folder; a folder is a SQLite store. (A URL that went through
    `pathlib.Path` lost one slash of its `//`: it is restored.)"""
    raw: str | None = (
        os.fspath(root)
        if root is not None
        else (None if url is not None else (os.environ.get("VIDAGENT_STORE") or "store"))
    )
    m = re.match(r"^([a-z][a-z0-9+.-]*):/+(.*)$", str(raw)) if raw is not None else None
    if url is None and m and m.group(1).split("+")[0] in _SERVER_SCHEMES:
        scheme, rest = m.group(1), m.group(2)
        url = f"sqlite:////{rest}" if scheme.startswith("sqlite") else f"{scheme}://{rest}"
        if scheme == "postgres":
            url = "postgresql" + url[len("postgres") :]
        raw = None
    if url is not None:
        url = with_driver(url)
    if url is not None and raw is None:
        from hashlib import blake2b

        from sqlalchemy.engine import make_url

        safe = make_url(url).render_as_string(hide_password=True)
        cache = os.environ.get("VIDAGENT_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "vidagent")
        return Path(cache) / ("store-" + blake2b(safe.encode(), digest_size=6).hexdigest()), url
    return Path(raw or "store"), url


def with_driver(url: str) -> str:
    """`postgresql://` means psycopg 3 (the `postgres` extra) unless psycopg2 is what is installed."""
    import importlib.util

    if not url.startswith(("postgresql://", "postgres://")):
        return url
    rest = url.split("://", 1)[1]
    if importlib.util.find_spec("psycopg") is not None:
        return f"postgresql+psycopg://{rest}"
    if importlib.util.find_spec("psycopg2") is not None:
        return f"postgresql://{rest}"
    from ..errors import MissingDependency

    raise MissingDependency("psycopg", "postgres")


def retry_conflicts(fn: F) -> F:
    """Writers on other processes or machines (Ray workers) may insert the same content-keyed row
    first: the unique key refuses ours, and a retry sees theirs (merge updates, check-then-insert
    skips). Content keys make both writes equal, so nothing is lost and nothing doubled."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(4):
            try:
                return fn(*args, **kwargs)
            except IntegrityError:
                if attempt == 3:
                    raise
        return None

    return wrapper  # type: ignore[return-value]


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
            self.engine = create_engine(url, future=True, pool_pre_ping=not self.is_sqlite)
        self.dialect = self.engine.dialect.name
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
        for attempt in (1, 2):
            try:
                with self.write() as s:
                    s.merge(Meta(key=key, value=value))
                return
            except IntegrityError:
                # Another process (an `index --workers` worker) inserted the key between merge's
                # read and its insert: the second try finds it and updates it.
                if attempt == 2:
                    raise

    def integrity_check(self) -> str | None:
        """SQLite's own integrity check ("ok" when healthy); None for other databases."""
        if not self.is_sqlite:
            return None
        with self.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())

    def vacuum(self) -> bool:
        """Rewrite an SQLite file without its free pages (after a prune); False for other databases,
        which reclaim space themselves (PostgreSQL's autovacuum)."""
        if not self.is_sqlite:
            return False
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # in WAL mode the new file lands there first
        return True

    def dispose(self) -> None:
        self.engine.dispose()
