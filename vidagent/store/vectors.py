"""FAISS indexes beside the database, one per vector space, with ids equal to `embeddings.id`.

The database holds every vector, so an index file is a cache: on open it is compared with the rows
(count and highest id) and topped up or rebuilt when they disagree, e.g. after a crash between a
commit and a save, or while another process is indexing. Files are replaced atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import require

# (ids, vectors) batches from the database, optionally only ids above a bound.
RowSource = Callable[[str, int], Iterable[tuple[np.ndarray, np.ndarray]]]


def _file_stem(space: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", space)[:60]
    if safe != space:
        safe += "-" + hashlib.blake2b(space.encode(), digest_size=4).hexdigest()
    return safe


class VectorIndex:
    """One space's exact inner-product index (vectors are L2-normalised, so scores are cosines)."""

    def __init__(self, directory: Path, space: str) -> None:
        self.space = space
        self.path = directory / f"{_file_stem(space)}.faiss"
        self.meta_path = self.path.with_suffix(".json")
        self._index: Any = None
        self.max_id = 0
        self.dirty = False
        self._lock = threading.Lock()

    @property
    def ntotal(self) -> int:
        return 0 if self._index is None else int(self._index.ntotal)

    def _new(self, dim: int) -> Any:
        faiss = require("faiss", "default")
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def load(self) -> None:
        if self._index is not None or not self.path.exists():
            return
        faiss = require("faiss", "default")
        try:
            self._index = faiss.read_index(str(self.path))
            self.max_id = int(json.loads(self.meta_path.read_text())["max_id"])
        except Exception:
            # A damaged or half-written cache: forget it, sync() rebuilds from the database.
            self._index, self.max_id = None, 0

    def sync(self, db_count: int, db_max_id: int, rows: RowSource) -> bool:
        """Make the index hold exactly the database's vectors; returns True if it changed."""
        with self._lock:
            self.load()
            if self._index is not None and self.ntotal == db_count and self.max_id == db_max_id:
                return False
            if self._index is not None and self.max_id <= db_max_id:
                # Only new rows (ids only grow): add those above our highest id, then re-check.
                self._add_rows(rows(self.space, self.max_id))
                if self.ntotal == db_count and self.max_id == db_max_id:
                    self.dirty = True
                    return True
            self._index, self.max_id = None, 0
            self._add_rows(rows(self.space, 0))
            self.dirty = True
            return True

    def _add_rows(self, batches: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        for ids, vecs in batches:
            if len(ids) == 0:
                continue
            if self._index is None:
                self._index = self._new(vecs.shape[1])
            self._index.add_with_ids(np.ascontiguousarray(vecs, dtype=np.float32), ids.astype(np.int64))
            self.max_id = max(self.max_id, int(ids.max()))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self._index is None or self.ntotal == 0:
            return []
        if query.shape[-1] != self._index.d:
            return []
        scores, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(k, self.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def save(self) -> None:
        """Atomically replace the file (write temp, fsync, rename), then its sidecar."""
        with self._lock:
            if not self.dirty or self._index is None:
                return
            faiss = require("faiss", "default")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".faiss.tmp{os.getpid()}")
            meta_tmp = self.meta_path.with_suffix(f".json.tmp{os.getpid()}")
            try:
                # Serialised here and written by Python, so a full disk is an OSError (ENOSPC) that
                # says so, not FAISS's bare "write error".
                data = faiss.serialize_index(self._index)
                with open(tmp, "wb") as f:
                    f.write(data.tobytes())
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
                meta_tmp.write_text(json.dumps({"max_id": self.max_id, "ntotal": self.ntotal, "space": self.space}))
                os.replace(meta_tmp, self.meta_path)
            finally:
                tmp.unlink(missing_ok=True)
                meta_tmp.unlink(missing_ok=True)
            self.dirty = False
