"""`vidagent doctor`: check a store's integrity and repair what can be repaired.

The database is the source of truth, so most repairs rebuild derived data from it: FAISS files
(stale, damaged or missing), the keyword index (rows missing or orphaned), temporary files left by a
killed process. What cannot be rebuilt (a video file that was deleted) is reported, not touched.
"""

from __future__ import annotations

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
    """(ntotal, max_id) recorded in a space's manifest when every shard it names is intact, else None."""
    meta = idx.manifest()
    if meta is None:
        return None
    try:
        for shard in meta["shards"]:
            path = idx.directory / shard["file"]
            if path.stat().st_size != int(shard["size"]) or not path.with_suffix(".ids.npy").exists():
                return None
        return int(meta["ntotal"]), int(meta["max_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recall_at_10(store: Store, space: str, sample: int = 50, seed: int = 0) -> tuple[float, int] | None:
    """Approximate vs exact search on `sample` stored vectors used as queries: (mean recall@10, n),
    or None when the space's index is exact everywhere (nothing to measure)."""
    import numpy as np

    idx = store.index(space)
    if not any(s.kind != "flat" for s in idx.shards):
        return None
    ids = store.embedding_ids(space)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(ids, size=min(sample, len(ids)), replace=False)
    vecs = store.vectors_by_id([int(i) for i in chosen], space)
    hits = []
    for v in vecs.values():
        exact = {i for i, _ in idx.search(v, 10, exact=True)}
        approx = {i for i, _ in idx.search(v, 10)}
        hits.append(len(exact & approx) / max(1, len(exact)))
    return (float(np.mean(hits)) if hits else 1.0), len(hits)


def check_store(store: Store, repair: bool = False, recall_sample: int = 50) -> DoctorReport:
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

    if store.keywords is not None:
        with store.session() as s:
            n_desc = int(s.scalar(select(func.count()).select_from(DescriptionRow)) or 0)
            n_kw, stray = store.keywords.counts(s)
            bad = n_kw != n_desc or stray > 0
            if bad and repair:
                store.keywords.rebuild(s)
        rep.add("keyword index", not bad, f"{n_kw} keyword rows for {n_desc} descriptions ({stray} orphaned)",
                repaired=bad and repair)

    vec_dir = store.root / "vectors"
    temps = sorted(vec_dir.glob("*.tmp*")) if vec_dir.is_dir() else []
    if vec_dir.is_dir():  # shard files no manifest names (a concurrent reader's top-up that lost the race)
        named = set()
        for space in store.spaces():
            meta = VectorIndex(vec_dir, space).manifest() or {}
            for sh in meta.get("shards", []):
                named |= {sh["file"], sh["file"][: -len(".faiss")] + ".ids.npy"}
        temps += [p for p in sorted(vec_dir.glob("*.s*.faiss")) + sorted(vec_dir.glob("*.s*.ids.npy"))
                  if p.name not in named]
    if temps and repair:
        for t in temps:
            t.unlink(missing_ok=True)
    rep.add("temp files", not temps, f"{len(temps)} temporary or unreferenced files left by an interrupted save",
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
            fresh.rebuild(store.vector_rows)
            fresh.save()
        rep.add("vector index", ok, detail, repaired=(not ok and repair))
        if recall_sample > 0 and (ok or repair):
            measured = recall_at_10(store, space, recall_sample)
            if measured is not None:
                value, n = measured
                rep.add("recall@10", value >= 0.9,
                        f"{space}: approximate search finds {value:.3f} of the exact top 10 ({n} sampled queries)")
    return rep


def doctor(store_dir: str | os.PathLike[str] | None = None, repair: bool = False, recall_sample: int = 50,
           url: str | None = None) -> DoctorReport:
    store = Store(Path(store_dir) if store_dir else None, create=False, url=url)
    try:
        return check_store(store, repair=repair, recall_sample=recall_sample)
    finally:
        store.engine.dispose()
