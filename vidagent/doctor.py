"""`vidagent doctor`: check a store's integrity and repair what can be repaired.

The database is the source of truth, so most repairs rebuild derived data from it: FAISS files
(stale, damaged or missing), the keyword index (rows missing or orphaned), temporary files left by a
killed process. What cannot be rebuilt (a video file that was deleted) is reported, not touched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from .store import Store
from .store.models import SCHEMA_VERSION, DescriptionRow, Embedding
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


def check_store(store: Store, repair: bool = False) -> DoctorReport:
    rep = DoctorReport()
    version = store.meta("schema_version")
    rep.add("schema", version == str(SCHEMA_VERSION), f"schema version {version} (this vidagent: {SCHEMA_VERSION})")

    if store.is_sqlite:
        with store.engine.connect() as conn:
            result = conn.execute(text("PRAGMA integrity_check")).scalar()
        rep.add("sqlite", result == "ok", f"integrity_check: {result}")

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
    return rep


def doctor(store_dir: str | os.PathLike[str] | None = None, repair: bool = False) -> DoctorReport:
    store = Store(Path(store_dir) if store_dir else None, create=False)
    try:
        return check_store(store, repair=repair)
    finally:
        store.engine.dispose()
