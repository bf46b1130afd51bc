"""Recovering a damaged SQLite store (`vidagent doctor --repair`): keep a backup, copy out what SQLite
can still read into a fresh database, and say what was lost.

Two ways to read a damaged file: the `sqlite3` command's `.recover` (reads page by page, the best
there is) when that program is installed, else Python's own copy, table by table in rowid ranges,
skipping ranges that cannot be read. Either way the result is made consistent for vidagent: the
keyword index is rebuilt from the descriptions, vectors without a description go, and descriptions
that lost their vectors go too (the next `vidagent index` describes those clips again), so nothing
half-present stays searchable.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("vidagent")

TABLES = ("videos", "paths", "scene_sets", "clips", "transcripts", "descriptions", "embeddings",
          "vector_checksums", "runs", "agent_runs", "meta")
_SKIP = ("desc_fts", "sqlite_", "lost_and_found")


@dataclass
class Recovery:
    backup: Path
    method: str
    before: dict[str, int | None] = field(default_factory=dict)  # None: could not be counted
    after: dict[str, int] = field(default_factory=dict)
    dropped_descriptions: int = 0

    def lost_words(self) -> str:
        parts = []
        for t in ("videos", "clips", "descriptions", "embeddings", "transcripts"):
            b, a = self.before.get(t), self.after.get(t, 0)
            if b is None:
                parts.append(f"{t}: {a} recovered (count before unknown)")
            elif b > a:
                parts.append(f"{t}: {a} of {b} recovered, {b - a} lost")
        if self.dropped_descriptions:
            parts.append(f"{self.dropped_descriptions} descriptions without their vectors removed (the next "
                         "`vidagent index` describes those clips again)")
        return "; ".join(parts) or "nothing lost"


def count_rows(db: Path) -> dict[str, int | None]:
    """Rows per vidagent table, None where the damaged file cannot say."""
    out: dict[str, int | None] = {}
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return {t: None for t in TABLES}
    try:
        for t in TABLES:
            try:
                out[t] = int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
            except sqlite3.Error:
                out[t] = None
    finally:
        conn.close()
    return out


def _with_cli(src: Path, dst: Path) -> bool:
    exe = shutil.which("sqlite3")
    if exe is None:
        return False
    try:
        dump = subprocess.run([exe, str(src), ".recover"], capture_output=True, timeout=3600)
        if not dump.stdout:
            return False
        load = subprocess.run([exe, str(dst)], input=dump.stdout, capture_output=True, timeout=3600)
        return load.returncode == 0 or dst.exists()
    except (OSError, subprocess.SubprocessError):
        log.debug("sqlite3 .recover failed", exc_info=True)
        return False


def _with_python(src: Path, dst: Path) -> None:
    """Copy the schema and every readable row; a range that cannot be read is skipped."""
    old = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    new = sqlite3.connect(dst)
    try:
        try:
            schema = old.execute("SELECT name, sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL").fetchall()
        except sqlite3.Error:
            schema = []
        for name, sql in schema:
            if name.startswith(_SKIP):
                continue
            new.execute(sql)
            _copy_table(old, new, name)
        new.commit()
    finally:
        old.close()
        new.close()


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, name: str, step: int = 256) -> None:
    try:
        lo, hi = old.execute(f'SELECT min(rowid), max(rowid) FROM "{name}"').fetchone()
    except sqlite3.Error:
        return  # the table's b-tree cannot be walked at all: its rows are lost
    if lo is None:
        return
    for a in range(int(lo), int(hi) + 1, step):
        try:
            rows = old.execute(f'SELECT rowid, * FROM "{name}" WHERE rowid >= ? AND rowid < ?', (a, a + step)).fetchall()
        except sqlite3.Error:
            rows = []
            for r in range(a, a + step):  # one row at a time inside a damaged range
                try:
                    rows += old.execute(f'SELECT rowid, * FROM "{name}" WHERE rowid = ?', (r,)).fetchall()
                except sqlite3.Error:
                    continue
        for row in rows:
            try:
                new.execute(f'INSERT INTO "{name}" VALUES ({",".join("?" * (len(row) - 1))})', row[1:])
            except sqlite3.Error:
                continue


def _make_consistent(db: Path) -> int:
    """Rebuild the keyword index, drop vectors without descriptions and descriptions without vectors."""
    from .migrate import FTS_SQL

    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for t in [t for t in tables if t.startswith("lost_and_found")]:
            conn.execute(f'DROP TABLE "{t}"')
        conn.execute("DROP TABLE IF EXISTS desc_fts")
        for t in [t for t in tables if t.startswith("desc_fts_")]:
            conn.execute(f'DROP TABLE IF EXISTS "{t}"')
        dropped = 0
        if {"descriptions", "embeddings"} <= tables:
            conn.execute("DELETE FROM embeddings WHERE description_id NOT IN (SELECT id FROM descriptions)")
            dropped = conn.execute("DELETE FROM descriptions WHERE id NOT IN "
                                   "(SELECT description_id FROM embeddings)").rowcount
            if "vector_checksums" in tables:
                conn.execute("DELETE FROM vector_checksums WHERE embedding_id NOT IN (SELECT id FROM embeddings)")
        conn.execute(FTS_SQL)
        if "descriptions" in tables:
            conn.execute(
                "INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) SELECT d.id, d.caption, "
                "(SELECT group_concat(value, char(10)) FROM json_each(d.ocr)), d.transcript, "
                "(SELECT group_concat(json_extract(value, '$[0]'), ' ') FROM json_each(d.tags)) "
                "FROM descriptions d WHERE json_valid(d.ocr) AND json_valid(d.tags)")
        conn.commit()
        return dropped
    finally:
        conn.close()


def recover(db: Path) -> Recovery:
    """Back up the damaged database (with its -wal/-shm), rebuild it from what can be read."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = db.with_name(f"{db.name}.damaged-{stamp}")
    before = count_rows(db)
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(db) + suffix)
        if src.exists():
            shutil.copy2(src, Path(str(backup) + suffix))
    fresh = db.with_name(f"{db.name}.recovering")
    for p in (fresh, Path(f"{fresh}-journal")):
        p.unlink(missing_ok=True)
    method = "sqlite3 .recover"
    if not _with_cli(backup, fresh):
        fresh.unlink(missing_ok=True)
        method = "row-by-row copy"
        _with_python(backup, fresh)
    dropped = _make_consistent(fresh)
    conn = sqlite3.connect(fresh)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if ok != "ok":
        raise RuntimeError(f"the recovered copy still fails its check ({ok})")
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    os.replace(fresh, db)
    # FAISS files are caches of the old rows: they are rebuilt from the recovered database on next use.
    vectors = db.parent / "vectors"
    if vectors.is_dir():
        for f in list(vectors.glob("*.faiss")) + list(vectors.glob("*.json")):
            f.unlink(missing_ok=True)
    rec = Recovery(backup=backup, method=method, before=before, dropped_descriptions=dropped)
    rec.after = {k: (v or 0) for k, v in count_rows(db).items()}
    return rec
