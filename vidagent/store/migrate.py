"""Schema versions: the store records its version; newer code upgrades older stores in place, older
code refuses newer stores. Migrations are ordered functions (version N-1 -> N), each run in its own
transaction. (A small hand-written equivalent of Alembic: our schema is one file and the upgrade must
run unattended on open, without an alembic.ini beside a user's store.)
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine

from ..errors import SchemaTooNew
from . import evidence
from .keyword import FTS_SQL, backend
from .models import SCHEMA_VERSION, Base

__all__ = ["FTS_SQL", "MIGRATIONS", "current_version", "upgrade"]

#: PostgreSQL advisory lock key: processes opening one new store at once (Ray workers) take turns,
#: so only one creates the schema and the others find it
_PG_LOCK = 0x76696461


def _serialise(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})


def _v2_positioned_evidence(conn: Connection) -> None:
    """Version 2 (additive): text boxes with positions, and the agent's re-query cache. Descriptions
    stored before keep working; `doctor` counts those without boxes (re-describe to get layout), and
    `ask` re-reads such clips on demand."""
    Base.metadata.create_all(conn, tables=evidence.TABLES)


# version -> migration from version-1. Version 1 is the initial schema (create_all).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _v2_positioned_evidence}


def current_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("meta"):
        return None
    row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
    return int(row[0]) if row else None


def upgrade(engine: Engine, target: int = SCHEMA_VERSION, label: str = "", read_only: bool = False) -> int:
    """Create or upgrade the schema behind `engine`; returns the version found before (0 for a new store).

    Takes the engine, not the store, so the store can call it while it is being built (no import circle).
    `label` names the store in errors (its folder); a `read_only` store is checked, never changed.
    """
    key = engine.url.render_as_string(hide_password=False)
    if key in _CHECKED and _CHECKED[key][0] == target and _stamp(engine) == _CHECKED[key]:
        return target  # checked complete by this process, and its schema has not changed since
    keywords = backend(engine.dialect.name)
    with engine.begin() as conn:
        _serialise(conn)
        found = current_version(conn)
        if found is not None and found > target:
            raise SchemaTooNew(label or engine.url.render_as_string(hide_password=True), found, target)
        if found is None:
            Base.metadata.create_all(conn)
            if keywords is not None:  # FTS5 on SQLite, tsvector table on PostgreSQL (keyword.py)
                keywords.create(conn)
            conn.execute(text("INSERT INTO meta(key, value) VALUES ('schema_version', :v)"), {"v": str(target)})
    if found is None:
        _remember(engine, key, target)
        return 0
    for version in range(found + 1, target + 1):
        with engine.begin() as conn:
            _serialise(conn)
            if (current_version(conn) or 0) >= version:
                continue  # another process ran this step while we waited
            MIGRATIONS[version](conn)
            conn.execute(text("UPDATE meta SET value=:v WHERE key='schema_version'"), {"v": str(version)})
    if not read_only:
        with engine.begin() as conn:
            _serialise(conn)
            # Tables added without a schema change (vector_checksums) appear in older stores on open.
            missing = [t for t in Base.metadata.sorted_tables if not inspect(conn).has_table(t.name)]
            if missing:
                Base.metadata.create_all(conn, tables=missing)
        _remember(engine, key, target)
    return found


#: databases whose schema this process found complete: (schema version, SQLite's schema cookie), so a
#: warm process (a server, the agent, a benchmark) opening the store per call skips the table checks
_CHECKED: dict[str, tuple[int, int]] = {}


def _stamp(engine: Engine) -> tuple[int, int] | None:
    """(schema version, SQLite's schema cookie, which moves with any table created or dropped; 0 elsewhere)."""
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
            cookie = conn.execute(text("PRAGMA schema_version")).scalar() if engine.dialect.name == "sqlite" else 0
        return (int(row[0]), int(cookie or 0)) if row else None
    except Exception:  # no meta table (a new or damaged file): the full check runs
        return None


def _remember(engine: Engine, key: str, target: int) -> None:
    stamp = _stamp(engine)
    if stamp is not None and stamp[0] == target:
        _CHECKED[key] = stamp
