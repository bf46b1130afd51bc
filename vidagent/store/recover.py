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

TABLES = (
    "videos",
    "paths",
    "scene_sets",
    "clips",
    "transcripts",
    "descriptions",
    "embeddings",
    "vector_checksums",
    "runs",
    "agent_runs",
    "meta",
)
_SKIP = ("desc_fts", "sqlite_", "lost_and_found")


@dataclass
class Recovery:
    backup: Path
    method: str
    before: dict[str, int | None] = field(default_factory=dict)  # None: could not be counted
    after: dict[str, int] = field(default_factory=dict)
    dropped_descriptions: int = 0
    reembedded: int = 0

    def lost_words(self) -> str:
        parts = []
        for t in ("videos", "clips", "descriptions", "embeddings", "transcripts"):
            b, a = self.before.get(t), self.after.get(t, 0)
            if b is None:
                parts.append(f"{t}: {a} recovered (count before unknown)")
            elif b > a:
                parts.append(f"{t}: {a} of {b} recovered, {b - a} lost")
        if self.reembedded:
            parts.append(
                f"{self.reembedded} descriptions had lost their vectors: text vectors made again from "
                "their captions (other vectors of theirs, e.g. visual, are gone)"
            )
        if self.dropped_descriptions:
            parts.append(
                f"{self.dropped_descriptions} descriptions without their vectors removed (the next "
                "`vidagent index` describes those clips again)"
            )
        if any(
            self.before.get(t) is not None and self.after.get(t, 0) < (self.before.get(t) or 0)
            for t in ("videos", "clips", "descriptions")
        ):
            parts.append("re-run `vidagent index` on the same videos to redo what was lost")
        return "; ".join(parts) or "nothing lost"


_MAGIC = b"SQLite format 3\x00"


def _open_damaged(db: Path) -> sqlite3.Connection:
    """Read-only, with `writable_schema` on: SQLite then reads a file shorter than its header says
    (a truncated file) and tolerates damage in the schema instead of refusing the whole file."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute("PRAGMA writable_schema=ON")
    return conn


def patch_header(db: Path) -> bool:
    """Rewrite a destroyed 100-byte file header (its magic string gone) so SQLite can open the file:
    the fields are vidagent's defaults (UTF-8, no auto-vacuum); the page size is the first of the
    usual ones under which the schema reads. Returns True when a header was rebuilt."""
    import struct

    with open(db, "rb") as f:
        head = f.read(100)
    if head[:16] == _MAGIC or len(head) < 100:
        return False
    size = db.stat().st_size
    original = db.read_bytes()
    for page in (4096, 1024, 2048, 8192, 16384, 32768, 65536):
        if size % page:
            continue
        header = bytearray(100)
        header[:16] = _MAGIC
        struct.pack_into(">HBBBBBB", header, 16, page if page < 65536 else 1, 1, 1, 0, 64, 32, 32)
        struct.pack_into(">IIIIII", header, 24, 1, size // page, 0, 0, 1, 4)
        struct.pack_into(">I", header, 56, 1)  # UTF-8
        struct.pack_into(
            ">II",
            header,
            92,
            1,
            sqlite3.sqlite_version_info[0] * 1_000_000
            + sqlite3.sqlite_version_info[1] * 1000
            + sqlite3.sqlite_version_info[2],
        )
        db.write_bytes(bytes(header) + original[100:])
        try:
            conn = _open_damaged(db)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return True
            finally:
                conn.close()
        except sqlite3.Error:
            continue
    db.write_bytes(original)
    return False


def count_rows(db: Path) -> dict[str, int | None]:
    """Rows per vidagent table, None where the damaged file cannot say."""
    out: dict[str, int | None] = {}
    try:
        conn = _open_damaged(db)
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
    """`sqlite3 SRC .recover | sqlite3 DST`; False when the program is missing or its recovery fails
    (some builds' .recover stops at once with "SQL logic error")."""
    exe = shutil.which("sqlite3")
    if exe is None:
        return False
    try:
        dump = subprocess.run([exe, str(src), ".recover"], capture_output=True, timeout=3600)
        if dump.returncode != 0 or b"error" in dump.stderr.lower() or b"INSERT" not in dump.stdout:
            log.debug("sqlite3 .recover failed: %s", dump.stderr[:300])
            return False
        subprocess.run([exe, str(dst)], input=dump.stdout, capture_output=True, timeout=3600)
        conn = sqlite3.connect(dst)
        try:
            conn.execute("SELECT count(*) FROM videos").fetchone()
        finally:
            conn.close()
        return True
    except (OSError, subprocess.SubprocessError, sqlite3.Error):
        log.debug("sqlite3 .recover failed", exc_info=True)
        return False


def _with_python(src: Path, dst: Path) -> None:
    """vidagent's own schema in a fresh file, then every readable row of the damaged one (a range
    that cannot be read is skipped, then tried row by row)."""
    from sqlalchemy import create_engine

    from .models import Base

    engine = create_engine(f"sqlite:///{dst}")
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()
    old = _open_damaged(src)
    new = sqlite3.connect(dst)
    try:
        for name in TABLES:
            try:
                cols = [r[1] for r in old.execute(f'PRAGMA table_info("{name}")')]
            except sqlite3.Error:
                continue
            want = [r[1] for r in new.execute(f'PRAGMA table_info("{name}")')]
            if cols and want:
                _copy_table(old, new, name, [c for c in want if c in cols])
        new.commit()
    finally:
        old.close()
        new.close()


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, name: str, cols: list[str], step: int = 256) -> None:
    try:
        lo, hi = old.execute(f'SELECT min(rowid), max(rowid) FROM "{name}"').fetchone()
    except sqlite3.Error:
        lo, hi = 1, 1 << 16  # the b-tree's edges are unreadable: probe a bounded range
    if lo is None:
        return
    names = ", ".join(f'"{c}"' for c in cols)
    insert = f'INSERT OR IGNORE INTO "{name}" ({names}) VALUES ({", ".join("?" * len(cols))})'
    for a in range(int(lo), int(hi) + 1, step):
        try:
            rows = old.execute(f'SELECT {names} FROM "{name}" WHERE rowid >= ? AND rowid < ?', (a, a + step)).fetchall()
        except sqlite3.Error:
            rows = []
            for r in range(a, a + step):  # one row at a time inside a damaged range
                try:
                    rows += old.execute(f'SELECT {names} FROM "{name}" WHERE rowid = ?', (r,)).fetchall()
                except sqlite3.Error:
                    continue
        for row in rows:
            try:
                new.execute(insert, row)
            except sqlite3.Error:
                continue


def _make_consistent(db: Path) -> tuple[int, int]:
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
            if "vector_checksums" in tables:
                conn.execute("DELETE FROM vector_checksums WHERE embedding_id NOT IN (SELECT id FROM embeddings)")
            reembedded = _reembed(conn)
            dropped = conn.execute(
                "DELETE FROM descriptions WHERE id NOT IN (SELECT description_id FROM embeddings)"
            ).rowcount
        conn.execute(FTS_SQL)
        if "descriptions" in tables:
            conn.execute(
                "INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) SELECT d.id, d.caption, "
                "(SELECT group_concat(value, char(10)) FROM json_each(d.ocr)), d.transcript, "
                "(SELECT group_concat(json_extract(value, '$[0]'), ' ') FROM json_each(d.tags)) "
                "FROM descriptions d WHERE json_valid(d.ocr) AND json_valid(d.tags)"
            )
        conn.commit()
        return dropped, reembedded if {"descriptions", "embeddings"} <= tables else 0
    finally:
        conn.close()


def _reembed(conn: sqlite3.Connection) -> int:
    """Text vectors again for descriptions whose vectors were lost: their captions survived, and the
    text embedder runs offline in a moment (re-describing would re-run the models on the video)."""
    from ..config import load_settings
    from ..describe import get_embedder
    from .models import vector_crc

    rows = conn.execute(
        "SELECT id, caption FROM descriptions WHERE id NOT IN (SELECT description_id FROM embeddings)"
    ).fetchall()
    if not rows:
        return 0
    try:
        emb = get_embedder(load_settings().embed.embedder)
        vecs = emb.embed_batch([c or " " for _, c in rows])
    except Exception:  # no embedder here: those descriptions are dropped and described again by `index`
        log.debug("re-embedding failed", exc_info=True)
        return 0
    for (did, _), v in zip(rows, vecs, strict=True):
        blob = v.astype("float32").tobytes()
        cur = conn.execute(
            "INSERT INTO embeddings(description_id, space, model_id, dim, vector) VALUES (?, ?, ?, ?, ?)",
            (did, f"text:{emb.name}", emb.model_id, int(v.shape[0]), blob),
        )
        conn.execute("INSERT INTO vector_checksums(embedding_id, crc) VALUES (?, ?)", (cur.lastrowid, vector_crc(blob)))
    return len(rows)


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
    # Read from a working copy (the backup stays byte for byte what was found), its header rebuilt if
    # it was destroyed.
    work = db.with_name(f"{db.name}.reading")
    shutil.copy2(backup, work)
    try:
        header = patch_header(work)
        if header:
            before = count_rows(work)
        method = "sqlite3 .recover"
        if not _with_cli(work, fresh):
            fresh.unlink(missing_ok=True)
            method = "row-by-row copy"
            _with_python(work, fresh)
        if header:
            method += " (after rebuilding the destroyed file header)"
    finally:
        work.unlink(missing_ok=True)
    dropped, reembedded = _make_consistent(fresh)
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
    rec = Recovery(backup=backup, method=method, before=before, dropped_descriptions=dropped, reembedded=reembedded)
    rec.after = {k: (v or 0) for k, v in count_rows(db).items()}
    return rec
