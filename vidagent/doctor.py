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

from .store import Store
from .store.models import SCHEMA_VERSION
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

    result = store.db.integrity_check()
    if result is not None:
        rep.add("sqlite", result == "ok", f"integrity_check: {result}")

    missing = [v.path for v in store.videos() if not os.path.exists(v.path)]
    rep.add("video files", not missing,
            f"{len(missing)} indexed videos no longer at their path" + (f" (e.g. {missing[0]})" if missing else "")
            + ("; re-index them from their new place (content hash keeps their clips)" if missing else ""))

    orphans = store.vector_repo.orphans(repair=repair)
    rep.add("orphan vectors", orphans == 0, f"{orphans} vectors without a description", repaired=bool(orphans and repair))

    kw = store.keyword_state()
    if kw is not None:
        if not kw.ok and repair:
            store.rebuild_keywords()
        rep.add("keyword index", kw.ok, f"{kw.rows} keyword rows for {kw.descriptions} descriptions "
                f"({kw.orphaned} orphaned)", repaired=not kw.ok and repair)

    vec_dir = store.root / "vectors"
    temps = sorted(vec_dir.glob("*.tmp*")) if vec_dir.is_dir() else []
    if temps and repair:
        for t in temps:
            t.unlink(missing_ok=True)
    rep.add("temp files", not temps, f"{len(temps)} temporary files left by an interrupted save",
            repaired=bool(temps and repair))

    for space in store.spaces():
        count, max_id = store.vector_repo.space_state(space)
        idx = VectorIndex(vec_dir, space)
        state = _faiss_state(idx)
        ok = state == (count, max_id)
        detail = f"{space}: FAISS file {'missing' if state is None else f'holds {state[0]}'}, database {count}"
        if not ok and repair:
            fresh = store.vector_index(space)
            fresh.dirty = True
            fresh.save()
        rep.add("vector index", ok, detail, repaired=(not ok and repair))
    return rep


def doctor(store_dir: str | os.PathLike[str] | Store | None = None, repair: bool = False) -> DoctorReport:
    """Check (and with `repair`, fix) a store given by folder or as an open `Store`."""
    if isinstance(store_dir, Store):
        return check_store(store_dir, repair=repair)
    with Store(Path(store_dir) if store_dir else None, create=False) as store:
        return check_store(store, repair=repair)
