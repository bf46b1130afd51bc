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

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import StoreNotFound, one_line, ordinary
from .store import Store
from .store.health import database_problem
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


def check_store(
    store: Store, repair: bool = False, rep: DoctorReport | None = None, recall_sample: int = 50
) -> DoctorReport:
    rep = rep if rep is not None else DoctorReport()
    if repair and store.read_only:
        rep.add("repair", False, f"{store.read_only_note}: problems are reported, not repaired")
        repair = False
    for name, check in (("checks", _basic_checks), ("vector checksums", _check_vectors)):
        _guarded(rep, name, check, store, repair)
    if recall_sample > 0:
        _guarded(rep, "recall@10", lambda st, _r, rp: _check_recall(st, rp, recall_sample), store, repair)
    return rep


def _check_recall(store: Store, rep: DoctorReport, sample: int) -> None:
    """Each space with an approximate (IVF) shard: its recall@10 against exact search."""
    for space in store.spaces():
        measured = recall_at_10(store, space, sample)
        if measured is not None:
            value, n = measured
            rep.add(
                "recall@10",
                value >= 0.9,
                f"{space}: approximate search finds {value:.3f} of the exact top 10 ({n} sampled queries)",
            )


def _guarded(
    rep: DoctorReport, name: str, run: Callable[[Store, bool, DoctorReport], None], store: Store, repair: bool
) -> None:
    try:
        run(store, repair, rep)
    except Exception as exc:  # damage the database check missed: a finding, never a crash
        known = ordinary(exc) or exc
        rep.add(name, False, f"could not finish this check: {one_line(known)}")


def _check_vectors(store: Store, repair: bool, rep: DoctorReport) -> None:
    """Every vector against its checksum (and its recorded size): bytes changed inside a blob."""
    state = store.vector_repo.checksums()
    bad = len(state.damaged)
    if bad and repair:
        store.drop_descriptions(sorted(state.damaged_descriptions))  # the index files recount and follow
    rep.add(
        "vector checksums",
        bad == 0,
        f"{state.total - bad} of {state.total} vectors match their checksums"
        + (
            f"; {bad} damaged ({'their' if repair else 'run --repair: their'} "
            f"{len(state.damaged_descriptions)} clips are described again by the next `vidagent index`)"
            if bad
            else ""
        ),
        repaired=bool(bad and repair),
    )
    if state.unchecked:
        if repair:
            store.vector_repo.record_checksums(state.unchecked)
        rep.add(
            "vector checksums",
            True,
            f"{len(state.unchecked)} vectors stored before checksums existed "
            + ("now have one" if repair else "have none yet (--repair records them)"),
        )


def _basic_checks(store: Store, repair: bool, rep: DoctorReport) -> None:
    version = store.meta("schema_version")
    rep.add("schema", version == str(SCHEMA_VERSION), f"schema version {version} (this vidagent: {SCHEMA_VERSION})")

    missing = [v.path for v in store.videos() if not os.path.exists(v.path)]
    rep.add(
        "video files",
        not missing,
        f"{len(missing)} indexed videos no longer at their path"
        + (f" (e.g. {missing[0]})" if missing else "")
        + ("; re-index them from their new place (content hash keeps their clips)" if missing else ""),
    )

    orphans = store.vector_repo.orphans(repair=repair)
    rep.add(
        "orphan vectors", orphans == 0, f"{orphans} vectors without a description", repaired=bool(orphans and repair)
    )

    kw = store.keyword_state()
    if kw is not None:
        if not kw.ok and repair:
            store.rebuild_keywords()  # the same row builder that indexing uses
        rep.add(
            "keyword index",
            kw.ok,
            f"{kw.rows} keyword rows for {kw.descriptions} descriptions ({kw.orphaned} orphaned)",
            repaired=not kw.ok and repair,
        )

    failed, first = store.failed_descriptions()
    rep.add(
        "descriptions",
        failed == 0,
        f"{failed} clips whose description failed"
        + (f" (e.g. clip {first[0][0]}: {first[0][1]})" if first else "")
        + ("; re-run `vidagent index` (or `caption`) to retry them" if failed else ""),
    )

    flat = store.evidence.missing_boxes()
    rep.add(
        "text layout",
        flat == 0,
        f"{flat} clips have on-screen text stored without positions (indexed before text boxes)"
        + (
            "; run `vidagent index` on their videos again to re-describe them with layout (`ask` re-reads "
            "such clips on demand meanwhile)"
            if flat
            else ""
        ),
    )

    vec_dir = store.root / "vectors"
    temps = sorted(vec_dir.glob("*.tmp*")) if vec_dir.is_dir() else []
    if vec_dir.is_dir():  # shard files no manifest names (a concurrent reader's top-up that lost the race)
        named = set()
        for space in store.spaces():
            meta = VectorIndex(vec_dir, space).manifest() or {}
            for sh in meta.get("shards", []):
                named |= {sh["file"], sh["file"][: -len(".faiss")] + ".ids.npy"}
        temps += [
            p for p in sorted(vec_dir.glob("*.s*.faiss")) + sorted(vec_dir.glob("*.s*.ids.npy")) if p.name not in named
        ]
    if temps and repair:
        for t in temps:
            t.unlink(missing_ok=True)
    rep.add(
        "temp files",
        not temps,
        f"{len(temps)} temporary or unreferenced files left by an interrupted save",
        repaired=bool(temps and repair),
    )

    for space in store.spaces():
        count, max_id = store.vector_repo.space_state(space)
        idx = VectorIndex(vec_dir, space)
        state = _faiss_state(idx)
        ok = state == (count, max_id)
        detail = f"{space}: FAISS file {'missing' if state is None else f'holds {state[0]}'}, database {count}"
        if not ok and repair:
            fresh = store.vector_index(space)
            fresh.rebuild(store.vector_rows)
            fresh.save()
        rep.add("vector index", ok, detail, repaired=(not ok and repair))


def doctor(
    store_dir: str | os.PathLike[str] | Store | None = None, repair: bool = False, recall_sample: int = 50
) -> DoctorReport:
    """Check (and with `repair`, fix) a store given by folder, database URL or as an open `Store`."""
    if isinstance(store_dir, Store):
        return check_store(store_dir, repair=repair, recall_sample=recall_sample)
    from .store.db import DB_NAME, split_store
    from .store.health import writable

    root, url = split_store(store_dir, None)
    rep = DoctorReport()
    if url is not None:  # a database server (PostgreSQL): it checks its own files
        try:
            store = Store(root, url=url, create=False)
        except Exception as exc:
            rep.add("open", False, f"the store cannot be opened: {one_line(ordinary(exc) or exc)}")
            return rep
        with store:
            return check_store(store, repair=repair, rep=rep, recall_sample=recall_sample)
    db = root / DB_NAME
    if not db.exists():
        raise StoreNotFound(root)
    problem = database_problem(db)
    if problem is None:
        rep.add("database", True, "SQLite integrity check: ok")
    elif not repair:
        rep.add(
            "database",
            False,
            f"{problem}. `vidagent doctor --repair` recovers what can be read, keeping a backup of the damaged file",
        )
        return rep  # the other checks would only trip over the same damage
    elif not writable(db):
        rep.add(
            "database",
            False,
            f"{problem}. The store is read-only: copy it somewhere writable and run `vidagent doctor --repair` there",
        )
        return rep
    else:
        from .store.recover import recover

        try:
            rec = recover(db)
        except Exception as exc:
            rep.add(
                "database",
                False,
                f"{problem}. Recovery failed: {one_line(ordinary(exc) or exc)}; the damaged file is unchanged",
            )
            return rep
        rep.add(
            "database",
            False,
            f"{problem}. Recovered with {rec.method} into a fresh database; the damaged "
            f"file is kept as {rec.backup.name}. {rec.lost_words()}",
            repaired=True,
        )
    try:
        store = Store(root, create=False)
    except Exception as exc:
        rep.add("open", False, f"the store cannot be opened: {one_line(ordinary(exc) or exc)}")
        return rep
    with store:
        return check_store(store, repair=repair, rep=rep, recall_sample=recall_sample)
