"""`vidagent doctor`: check a store's integrity and repair what can be repaired.

The database is the source of truth, so most repairs rebuild derived data from it: FAISS files
(stale, damaged or missing), the keyword index (rows missing or orphaned), temporary files left by a
killed process. What cannot be rebuilt (a video file that was deleted) is reported, not touched.

A damaged database file is checked with SQLite itself before anything else opens it, reported in
plain words, and with --repair rebuilt from what can be read (`vidagent.store.recover`), keeping a
backup. Vectors carry a checksum each, so a changed byte inside one is found too. No check may crash
the doctor: a check that fails is itself a finding.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text

from .errors import VidagentError, one_line, ordinary, printable
from .store import Store
from .store.models import SCHEMA_VERSION, DescriptionRow, Embedding, VectorChecksum, vector_crc
from .store.vectors import VectorIndex


@dataclass
class Finding:
    check: str
    ok: bool
    detail: str
    repaired: bool = False


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(f.ok or f.repaired for f in self.findings)

    def add(self, check: str, ok: bool, detail: str, repaired: bool = False) -> None:
        self.findings.append(Finding(check, ok, detail, repaired))


def _faiss_state(idx: VectorIndex) -> tuple[int, int] | None:
    """(ntotal, max_id) recorded beside a FAISS file, or None when missing/unreadable."""
    if not idx.path.exists() or not idx.meta_path.exists():
        return None
    try:
        meta = json.loads(idx.meta_path.read_text())
        return int(meta["ntotal"]), int(meta["max_id"])
    except (OSError, ValueError, KeyError):
        return None


def check_store(store: Store, repair: bool = False, rep: DoctorReport | None = None) -> DoctorReport:
    rep = rep if rep is not None else DoctorReport()
    if repair and store.read_only:
        rep.add("repair", False, f"{store.read_only_note}: problems are reported, not repaired")
        repair = False
    for name, check in (("checks", _basic_checks), ("vector checksums", _check_vectors)):
        _guarded(rep, name, check, store, repair)
    return rep


def _guarded(rep: DoctorReport, name: str, run: Callable[[Store, bool, DoctorReport], None], store: Store,
             repair: bool) -> None:
    try:
        run(store, repair, rep)
    except Exception as exc:  # damage the database check missed: a finding, never a crash
        known = ordinary(exc) or exc
        rep.add(name, False, f"could not finish this check: {one_line(known)}")


def _check_vectors(store: Store, repair: bool, rep: DoctorReport) -> None:
    """Every vector against its checksum (and its recorded size): bytes changed inside a blob."""
    bad_desc: set[int] = set()
    bad = unchecked = total = 0
    missing: list[tuple[int, int]] = []
    with store.session() as s:
        q = (select(Embedding.id, Embedding.description_id, Embedding.dim, Embedding.vector, VectorChecksum.crc)
             .outerjoin(VectorChecksum, VectorChecksum.embedding_id == Embedding.id))
        for eid, did, dim, vec, crc in s.execute(q):
            total += 1
            size_ok = vec is not None and len(vec) == 4 * int(dim)
            if crc is None:
                unchecked += 1
                if size_ok:
                    missing.append((int(eid), vector_crc(vec)))
                else:
                    bad += 1
                    bad_desc.add(int(did))
            elif not size_ok or vector_crc(vec) != int(crc):
                bad += 1
                bad_desc.add(int(did))
    if bad and repair:
        with store.session() as s:
            ids = sorted(bad_desc)
            if store.is_sqlite:
                s.execute(text(f"DELETE FROM desc_fts WHERE rowid IN ({','.join(map(str, ids))})"))
            s.execute(delete(Embedding).where(Embedding.description_id.in_(ids)))
            s.execute(delete(DescriptionRow).where(DescriptionRow.id.in_(ids)))
        for space in store.spaces():
            idx = store.index(space)
            idx.dirty = True
            idx.save()
    rep.add("vector checksums", bad == 0,
            f"{total - bad} of {total} vectors match their checksums" + (
                f"; {bad} damaged ({'their' if repair else 'run --repair: their'} {len(bad_desc)} clips are "
                "described again by the next `vidagent index`)" if bad else ""),
            repaired=bool(bad and repair))
    if unchecked - bad > 0:
        if repair:
            with store.session() as s:
                s.execute(insert(VectorChecksum), [{"embedding_id": e, "crc": c} for e, c in missing])
        rep.add("vector checksums", True, f"{len(missing)} vectors stored before checksums existed "
                + ("now have one" if repair else "have none yet (--repair records them)"))


def _basic_checks(store: Store, repair: bool, rep: DoctorReport) -> None:
    version = store.meta("schema_version")
    rep.add("schema", version == str(SCHEMA_VERSION), f"schema version {version} (this vidagent: {SCHEMA_VERSION})")

    missing = [v.path for v in store.videos() if not os.path.exists(v.path)]
    rep.add("video files", not missing,
            f"{len(missing)} indexed videos no longer at their path" + (f" (e.g. {missing[0]})" if missing else "")
            + ("; re-index them from their new place (content hash keeps their clips)" if missing else ""))

    with store.session() as s:
        orphans = int(s.scalar(select(func.count()).select_from(Embedding).where(
            ~Embedding.description_id.in_(select(DescriptionRow.id)))) or 0)
        if orphans and repair:
            s.execute(Embedding.__table__.delete().where(~Embedding.description_id.in_(select(DescriptionRow.id))))
    rep.add("orphan vectors", orphans == 0, f"{orphans} vectors without a description", repaired=bool(orphans and repair))

    if store.is_sqlite:
        with store.session() as s:
            n_desc = int(s.scalar(select(func.count()).select_from(DescriptionRow)) or 0)
            n_fts = int(s.execute(text("SELECT count(*) FROM desc_fts")).scalar() or 0)
            stray = int(s.execute(text("SELECT count(*) FROM desc_fts WHERE rowid NOT IN (SELECT id FROM descriptions)")).scalar() or 0)
            bad = n_fts != n_desc or stray > 0
            if bad and repair:
                s.execute(text("DELETE FROM desc_fts"))
                s.execute(text(
                    "INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) SELECT d.id, d.caption, "
                    "(SELECT group_concat(value, char(10)) FROM json_each(d.ocr)), d.transcript, "
                    "(SELECT group_concat(json_extract(value, '$[0]'), ' ') FROM json_each(d.tags)) "
                    "FROM descriptions d"))
        rep.add("keyword index", not bad, f"{n_fts} keyword rows for {n_desc} descriptions ({stray} orphaned)",
                repaired=bad and repair)

    failed, first = store.failed_descriptions()
    rep.add("descriptions", failed == 0,
            f"{failed} clips whose description failed" + (f" (e.g. clip {first[0][0]}: {first[0][1]})" if first else "")
            + ("; re-run `vidagent index` (or `caption`) to retry them" if failed else ""))

    flat = store.evidence.missing_boxes()
    rep.add("text layout", flat == 0,
            f"{flat} clips have on-screen text stored without positions (indexed before text boxes)"
            + ("; run `vidagent index` on their videos again to re-describe them with layout (`ask` re-reads "
               "such clips on demand meanwhile)" if flat else ""))

    vec_dir = store.root / "vectors"
    temps = sorted(vec_dir.glob("*.tmp*")) if vec_dir.is_dir() else []
    if temps and repair:
        for t in temps:
            t.unlink(missing_ok=True)
    rep.add("temp files", not temps, f"{len(temps)} temporary files left by an interrupted save",
            repaired=bool(temps and repair))

    for space in store.spaces():
        with store.session() as s:
            count, max_id = s.execute(select(func.count(Embedding.id), func.max(Embedding.id)).where(
                Embedding.space == space)).one()
        idx = VectorIndex(vec_dir, space)
        state = _faiss_state(idx)
        ok = state == (int(count or 0), int(max_id or 0))
        detail = f"{space}: FAISS file {'missing' if state is None else f'holds {state[0]}'}, database {count}"
        if not ok and repair:
            fresh = store.index(space)
            fresh.dirty = True
            fresh.save()
        rep.add("vector index", ok, detail, repaired=(not ok and repair))


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


def doctor(store_dir: str | os.PathLike[str] | None = None, repair: bool = False) -> DoctorReport:
    from .store.db import DB_NAME, default_store_dir
    from .store.health import writable

    root = Path(store_dir) if store_dir else default_store_dir()
    db = root / DB_NAME
    rep = DoctorReport()
    if not db.exists():
        raise VidagentError(f"{printable(root)}: no vidagent store here (run `vidagent index` first)")
    problem = database_problem(db)
    if problem is None:
        rep.add("database", True, "SQLite integrity check: ok")
    elif not repair:
        rep.add("database", False, f"{problem}. `vidagent doctor --repair` recovers what can be read, keeping "
                                   "a backup of the damaged file")
        return rep  # the other checks would only trip over the same damage
    elif not writable(db):
        rep.add("database", False, f"{problem}. The store is read-only: copy it somewhere writable and "
                                   "run `vidagent doctor --repair` there")
        return rep
    else:
        from .store.recover import recover

        try:
            rec = recover(db)
        except Exception as exc:
            rep.add("database", False, f"{problem}. Recovery failed: {one_line(ordinary(exc) or exc)}; the "
                                       "damaged file is unchanged")
            return rep
        rep.add("database", False, f"{problem}. Recovered with {rec.method} into a fresh database; the damaged "
                                   f"file is kept as {rec.backup.name}. {rec.lost_words()}", repaired=True)
    try:
        store = Store(root, create=False)
    except Exception as exc:
        rep.add("open", False, f"the store cannot be opened: {one_line(ordinary(exc) or exc)}")
        return rep
    try:
        return check_store(store, repair=repair, rep=rep)
    finally:
        store.engine.dispose()
