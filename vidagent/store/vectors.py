"""FAISS indexes beside the database, one per vector space, with ids equal to `embeddings.id`.

The database holds every vector, so the files are a per-machine cache, kept as append-only shards:

    vectors/<space>.json            manifest: the shards, their id ranges, counts, kinds
    vectors/<space>.sNNNNNN.faiss   one immutable shard (exact below EXACT_MAX vectors, IVF above)
    vectors/<space>.sNNNNNN.ids.npy the shard's ids (to find rows deleted from the database)

Saving writes only the vectors added since the last save as a new shard, so adding a batch never
rewrites a large file. Small exact shards are merged once they add up to EXACT_MAX vectors (a bounded
rewrite of small files); the merge of that size is built as an inverted-file index (IVF-Flat, FAISS's
guideline for 50k-10M vectors), which is opened memory-mapped: a fresh `search` reads the lists it
probes, not the collection. Rows deleted from the database are tombstones filtered out of results
until they exceed a fifth of the index, which triggers a rebuild. On open the manifest is compared with
the rows (count and highest id) and topped up or rebuilt when they disagree (crash between commit
and save, another process indexing, a damaged file). Files are replaced atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import require
from .shards import (
    ShardInfo,
    _fsync,
    _locked,
    _mtime,
    _read_mapped,
    _Shard,
    build_index,
    ivf_lists,
    ivf_probes,
)

__all__ = [
    "EXACT_MAX",
    "ShardInfo",
    "VectorIndex",
    "build_index",
    "forget_counts",
    "ivf_lists",
    "ivf_probes",
    "open_index",
]

log = logging.getLogger("vidagent")

# (ids, vectors) batches from the database, optionally only ids above a bound.
RowSource = Callable[[str, int], Iterable[tuple[np.ndarray, np.ndarray]]]
# All ids the database holds for a space (to find deleted rows).
IdSource = Callable[[str], np.ndarray]

#: below this many vectors a shard is an exact flat index; at or above it, IVF-Flat
EXACT_MAX = 50_000
#: more small shards than this are merged even before they add up to EXACT_MAX
MAX_SMALL_SHARDS = 16
#: seconds between full row counts of a warm index (the highest id is checked on every open)
RECOUNT_S = 30.0
#: rebuild everything once deleted-but-indexed rows exceed this fraction
MAX_TOMBSTONE_FRACTION = 0.2


def _file_stem(space: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", space)[:60]
    if safe != space:
        safe += "-" + hashlib.blake2b(space.encode(), digest_size=4).hexdigest()
    return safe


class VectorIndex:
    """One space's inner-product index (vectors are L2-normalised, so scores are cosines)."""

    def __init__(self, directory: Path, space: str) -> None:
        self.space = space
        self.directory = directory
        stem = _file_stem(space)
        self.stem = stem
        self.meta_path = directory / f"{stem}.json"
        self.path = self.meta_path  # what doctor and callers name as "the index file"
        self._shards: list[_Shard] = []
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # (ids, vecs) not yet in a shard file
        self._tombstones: set[int] = set()
        self._loaded = False
        self.max_id = 0
        self.dirty = False
        self._lock = threading.RLock()
        self._next = 1
        self._drop_files_later: list[str] = []  # shard files to delete once a new manifest is written
        self._counted = -1e9  # monotonic time of the last full row count
        self._manifest_mtime: int | None = None

    # -- state --------------------------------------------------------------------------------
    @property
    def ntotal(self) -> int:
        return sum(s.info.ntotal for s in self._shards) + sum(len(i) for i, _ in self._pending) - len(self._tombstones)

    @property
    def shards(self) -> list[ShardInfo]:
        return [s.info for s in self._shards]

    def manifest(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.meta_path.read_text())
            return data if isinstance(data, dict) and isinstance(data.get("shards"), list) else None
        except (OSError, ValueError):
            return None

    def _reset(self) -> None:
        self._shards, self._pending, self._tombstones = [], [], set()
        self.max_id = 0

    def load(self) -> None:
        """Open the shards named by the manifest (IVF shards memory-mapped); any damage -> empty."""
        if self._loaded:
            return
        self._loaded = True
        self._manifest_mtime = _mtime(self.meta_path)
        meta = self.manifest()
        if meta is None:
            return
        require("faiss", "default")  # a missing faiss is named before any shard is read
        try:
            shards = []
            for raw in meta["shards"]:
                info = ShardInfo(**raw)
                path = self.directory / info.file
                if path.stat().st_size != info.size:
                    raise ValueError(f"{path}: size differs from the manifest")
                index = _read_mapped(path, info.kind)
                ids = np.load(path.with_suffix(".ids.npy"), mmap_mode="r")
                if int(index.ntotal) != info.ntotal or len(ids) != info.ntotal:
                    raise ValueError(f"{path}: holds {index.ntotal} vectors, manifest says {info.ntotal}")
                shards.append(_Shard(info, index, ids, path))
            self._shards = shards
            self._tombstones = {int(i) for i in meta.get("tombstones", [])}
            self.max_id = int(meta["max_id"])
            self._next = int(meta.get("next", len(shards) + 1))
        except Exception as exc:  # a damaged or half-written cache: sync() rebuilds from the database
            log.info("vector index %s unreadable (%s): rebuilding from the database", self.space, exc)
            self._reset()
            self._drop_files_later = [str(r["file"]) for r in meta["shards"] if isinstance(r, dict) and "file" in r]

    # -- keeping in step with the database ----------------------------------------------------
    def manifest_changed(self) -> bool:
        """True when the manifest was replaced since it was read or written here (another process
        saved), or a mapped shard file was changed in place (damage): the object must be reopened."""
        return self._loaded and (
            _mtime(self.meta_path) != self._manifest_mtime or not all(s.intact() for s in self._shards)
        )

    def sync(
        self, db_max_id: int, db_count: Callable[[], int], rows: RowSource, all_ids: IdSource | None = None
    ) -> bool:
        """Make the index hold exactly the database's vectors; returns True if it changed.

        The highest id is checked on every call (cheap); the row count (which finds deletions and rows
        committed out of id order by concurrent writers) at most every RECOUNT_S seconds."""
        with self._lock:
            self.load()
            now = time.monotonic()
            if self.max_id == db_max_id and now - self._counted < RECOUNT_S:
                return False
            count = db_count()
            self._counted = now
            if self.ntotal == count and self.max_id == db_max_id:
                return False
            if self.max_id <= db_max_id:
                # Ids only grow: add the rows above our highest id, then re-check.
                self._add_rows(rows(self.space, self.max_id))
                if self.ntotal == count and self.max_id == db_max_id:
                    self.dirty = True
                    return True
                if self.ntotal > count and all_ids is not None:
                    # Rows were deleted (a video forgotten): filter them out until there are many.
                    present = np.asarray(all_ids(self.space), dtype=np.int64)
                    self._tombstones |= {int(i) for i in np.setdiff1d(self._all_ids(), present)}
                    indexed = self.ntotal + len(self._tombstones)
                    if self.ntotal == count and len(self._tombstones) <= MAX_TOMBSTONE_FRACTION * indexed:
                        self.dirty = True
                        return True
            self.rebuild(rows)
            return True

    def rebuild(self, rows: RowSource) -> None:
        """Forget every shard and index the database's rows afresh (written by the next save)."""
        with self._lock:
            log.info("vector index %s: rebuilding from the database", self.space)
            self.load()
            self._drop_files_later += [s.info.file for s in self._shards]
            self._reset()
            self._add_rows(rows(self.space, 0))
            self.dirty = True
            self._counted = time.monotonic()

    def _all_ids(self) -> np.ndarray:
        parts = [np.asarray(s.ids) for s in self._shards] + [i for i, _ in self._pending]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def _add_rows(self, batches: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        for ids, vecs in batches:
            if len(ids) == 0:
                continue
            self._pending.append((ids.astype(np.int64), np.ascontiguousarray(vecs, dtype=np.float32)))
            self.max_id = max(self.max_id, int(ids.max()))

    # -- search -------------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int, exact: bool = False) -> list[tuple[int, float]]:
        """The k best (id, cosine) over every shard; `exact` probes every IVF list (ground truth)."""
        with self._lock:
            if self.ntotal <= 0:
                return []
            q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
            want = k + len(self._tombstones)
            found: list[tuple[float, int]] = []
            faiss = require("faiss", "default")
            # One query is faster on one thread: OpenMP's spin-waiting threads cost 20x on a busy machine.
            threads = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)
            try:
                for shard in self._shards:
                    if shard.index.d != q.shape[1]:
                        return []
                    scores, ids = shard.search(q, want, exact)
                    found += [(float(s), int(i)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
            finally:
                faiss.omp_set_num_threads(threads)
            for ids, vecs in self._pending:
                if vecs.shape[1] != q.shape[1]:
                    return []
                sims = vecs @ q[0]
                top = np.argsort(-sims)[:want]
                found += [(float(sims[j]), int(ids[j])) for j in top]
            found.sort(key=lambda x: (-x[0], x[1]))
            out = [(i, s) for s, i in found if i not in self._tombstones]
            return out[:k]

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> None:
        """Write the pending vectors as one new shard, merge small shards when due, then the manifest."""
        with self._lock:
            if not self.dirty:
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            with _locked(self.directory / f"{self.stem}.lock"):
                self._save_locked()

    def _save_locked(self) -> None:
        if self.manifest_changed():
            # Another process saved since we read the manifest: adopt its shards and write only
            # our rows above its highest id (no id ends up in two shards).
            pending, drop = self._pending, self._drop_files_later
            self._loaded = False
            self._reset()
            self.load()
            self._drop_files_later = [f for f in drop if f not in {s.info.file for s in self._shards}]
            for ids, vecs in pending:
                keep = ids > self.max_id
                if keep.any():
                    self._add_rows([(ids[keep], vecs[keep])])
        old_files, self._drop_files_later = self._drop_files_later, []
        if self._pending:
            ids = np.concatenate([i for i, _ in self._pending])
            vecs = np.concatenate([v for _, v in self._pending])
            self._shards.append(self._write_shard(vecs, ids))
            self._pending = []
        small = [s for s in self._shards if s.info.kind == "flat"]
        if len(small) > 1 and (sum(s.info.ntotal for s in small) >= EXACT_MAX or len(small) > MAX_SMALL_SHARDS):
            ids = np.concatenate([np.asarray(s.ids) for s in small])
            vecs = np.concatenate([s.vectors() for s in small])
            merged = self._write_shard(vecs, ids)
            self._shards = [s for s in self._shards if s.info.kind != "flat"] + [merged]
            old_files += [s.info.file for s in small]
        self._write_manifest()
        for name in old_files:  # only after the manifest no longer names them
            for p in (self.directory / name, (self.directory / name).with_suffix(".ids.npy")):
                p.unlink(missing_ok=True)
        self.dirty = False

    def _write_shard(self, vecs: np.ndarray, ids: np.ndarray) -> _Shard:
        faiss = require("faiss", "default")
        index, kind, nlist = build_index(vecs, ids, EXACT_MAX)
        # A unique name: a reader topping up its cache never overwrites a writer's shard (the manifest
        # is last-writer-wins; an unreferenced shard is garbage that `doctor --repair` removes).
        name = f"{self.stem}.s{self._next:06d}-{os.urandom(3).hex()}.faiss"
        self._next += 1
        path = self.directory / name
        tmp = path.with_suffix(f".faiss.tmp{os.getpid()}")
        ids_tmp = path.with_suffix(f".ids.tmp{os.getpid()}.npy")
        try:
            if len(ids) < EXACT_MAX:
                # Serialised here and written by Python, so a full disk is an OSError (ENOSPC) that
                # says so, not FAISS's bare "write error".
                data = faiss.serialize_index(index)
                with open(tmp, "wb") as f:
                    f.write(data.tobytes())
                    f.flush()
                    os.fsync(f.fileno())
            else:  # a large shard is streamed by FAISS (no second copy in memory)
                try:
                    faiss.write_index(index, str(tmp))
                except RuntimeError as exc:
                    raise OSError(f"{tmp}: cannot write the vector index ({exc}); is the disk full?") from None
                _fsync(tmp)
            os.replace(tmp, path)
            np.save(ids_tmp, ids.astype(np.int64))
            os.replace(ids_tmp, path.with_suffix(".ids.npy"))
        finally:
            tmp.unlink(missing_ok=True)
            ids_tmp.unlink(missing_ok=True)
        info = ShardInfo(name, kind, len(ids), int(ids.min()), int(ids.max()), path.stat().st_size, nlist)
        del index  # reopen memory-mapped: the built copy's memory goes back now
        index = _read_mapped(path, kind)
        return _Shard(info, index, np.load(path.with_suffix(".ids.npy"), mmap_mode="r"), path)

    def _write_manifest(self) -> None:
        data = {
            "space": self.space,
            "max_id": self.max_id,
            "ntotal": self.ntotal,
            "next": self._next,
            "shards": [asdict(s.info) for s in self._shards],
            "tombstones": sorted(self._tombstones),
        }
        tmp = self.meta_path.with_suffix(f".json.tmp{os.getpid()}")
        try:
            tmp.write_text(json.dumps(data))
            _fsync(tmp)
            os.replace(tmp, self.meta_path)
        finally:
            tmp.unlink(missing_ok=True)
        self._manifest_mtime = _mtime(self.meta_path)


def open_index(directory: Path, space: str) -> VectorIndex:
    """The process's VectorIndex of a space (shared by every Store on the same folder): shard files
    never change once written, so a warm process keeps them open."""
    key = (str(directory.resolve()), space)
    with _OPEN_LOCK:
        idx = _OPEN.get(key)
        if idx is None or idx.manifest_changed():
            idx = _OPEN[key] = VectorIndex(directory, space)
        return idx


_OPEN: dict[tuple[str, str], VectorIndex] = {}
_OPEN_LOCK = threading.Lock()


def forget_counts(directory: Path) -> None:
    """After deletions by this process: open indexes of this folder recount on their next sync."""
    prefix = str(directory.resolve())
    with _OPEN_LOCK:
        for (d, _), idx in _OPEN.items():
            if d == prefix:
                idx._counted = -1e9
