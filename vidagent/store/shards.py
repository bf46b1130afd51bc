"""The shard files behind a vector index (store/vectors.py): how one shard is built (exact or
IVF-Flat, on GPUs when faiss-gpu sees any), opened memory-mapped, and written safely."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import require

#: below this many vectors a shard is an exact flat index; at or above it, IVF-Flat (vectors.py
#: passes its own EXACT_MAX, the one to change)
EXACT_MAX = 50_000


def ivf_lists(n: int) -> int:
    """Inverted lists for n vectors: 4*sqrt(n) (FAISS guideline: 4..16*sqrt(n))."""
    return max(16, min(65536, int(4 * math.sqrt(n))))


def ivf_probes(nlist: int) -> int:
    """Lists visited per query: enough for recall@10 >= 0.95 on caption-like vectors (see bench_scale)."""
    env = os.environ.get("VIDAGENT_NPROBE")
    if env:
        return max(1, min(nlist, int(env)))
    return max(16, min(nlist, nlist // 24))


@dataclass
class ShardInfo:
    file: str
    kind: str  # "flat" | "ivf"
    ntotal: int
    min_id: int
    max_id: int
    size: int  # bytes of the .faiss file (a cheap integrity check)
    nlist: int = 0


def _gpu_count(faiss: Any) -> int:
    try:
        return int(faiss.get_num_gpus())
    except Exception:  # a CPU build has no GPU functions
        return 0


def build_index(vecs: np.ndarray, ids: np.ndarray, exact_max: int = EXACT_MAX) -> tuple[Any, str, int]:
    """An index over these vectors: exact below `exact_max`, else IVF-Flat trained on them (on GPUs when
    faiss-gpu sees any: k-means is the expensive part; the CPU build is the fallback)."""
    faiss = require("faiss", "default")
    dim = int(vecs.shape[1])
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if len(ids) < exact_max:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        index.add_with_ids(vecs, ids)
        return index, "flat", 0
    nlist = ivf_lists(len(ids))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    sample = vecs if len(vecs) <= 40 * nlist else vecs[np.sort(rng.choice(len(vecs), 40 * nlist, replace=False))]
    if _gpu_count(faiss):
        gpu = faiss.index_cpu_to_all_gpus(index)
        gpu.train(sample)
        gpu.add_with_ids(vecs, ids)
        index = faiss.index_gpu_to_cpu(gpu)
    else:
        index.train(sample)
        index.add_with_ids(vecs, ids)
    return index, "ivf", nlist


class _Shard:
    def __init__(self, info: ShardInfo, index: Any, ids: np.ndarray, path: Path) -> None:
        self.info, self.index, self.ids, self.path = info, index, ids, path
        self.stat = _identity(path)

    def intact(self) -> bool:
        """The mapped file is still the one opened (touching a truncated mapping kills the process)."""
        return _identity(self.path) == self.stat

    def search(self, q: np.ndarray, k: int, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        if self.info.kind == "ivf":
            self.index.nprobe = self.info.nlist if exact else ivf_probes(self.info.nlist)
        return self.index.search(q, min(k, self.info.ntotal))

    def vectors(self) -> np.ndarray:
        faiss = require("faiss", "default")
        if self.info.kind == "flat":
            flat = faiss.downcast_index(self.index.index)
            return flat.reconstruct_n(0, self.info.ntotal)
        ivf = self.index
        ivf.make_direct_map()
        return np.stack([ivf.reconstruct(int(i)) for i in self.ids])


def _read_mapped(path: Path, kind: str) -> Any:
    """A shard opened memory-mapped (IVF lists or flat codes): opening costs no read of the vectors."""
    faiss = require("faiss", "default")
    flag = faiss.IO_FLAG_MMAP if kind == "ivf" else faiss.IO_FLAG_MMAP_IFC
    return faiss.read_index(str(path), flag | faiss.IO_FLAG_READ_ONLY)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One saver at a time per space on this machine (the cache is per machine)."""
    import fcntl

    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
        return st.st_ino, st.st_size, st.st_mtime_ns
    except OSError:
        return None


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
