"""Vector indexes at scale: append-only shards, exact below the threshold and IVF above, memory-mapped
opening, deletions, two savers, doctor's recall measurement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vidagent.store import vectors
from vidagent.store.vectors import VectorIndex


class Rows:
    """A stand-in for the database's embeddings table: (ids, vectors) above a bound."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.vecs = np.zeros((0, 16), dtype=np.float32)

    def add(self, vecs: np.ndarray) -> None:
        start = int(self.ids.max()) + 1 if len(self.ids) else 1
        self.ids = np.concatenate([self.ids, np.arange(start, start + len(vecs), dtype=np.int64)])
        self.vecs = np.concatenate([self.vecs, vecs.astype(np.float32)])

    def delete(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self.ids, ids)
        self.ids, self.vecs = self.ids[keep], self.vecs[keep]

    def __call__(self, space: str, above: int):  # type: ignore[no-untyped-def]
        m = self.ids > above
        for a in range(0, int(m.sum()), 1000):
            yield self.ids[m][a : a + 1000], self.vecs[m][a : a + 1000]

    def sync(self, idx: VectorIndex) -> bool:
        return idx.sync(
            int(self.ids.max()) if len(self.ids) else 0, lambda: len(self.ids), self, lambda space: self.ids
        )


def clustered(n: int, rng: np.random.Generator, centres: int = 40, dim: int = 16) -> np.ndarray:
    """Vectors around a few centres (like captions sharing phrases), unit length."""
    c = rng.standard_normal((centres, dim))
    x = c[rng.integers(0, centres, n)] + 0.35 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def exact_top(rows: Rows, q: np.ndarray, k: int = 10) -> set[int]:
    return {int(i) for i in rows.ids[np.argsort(-(rows.vecs @ q))[:k]]}


@pytest.fixture()
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "EXACT_MAX", 2000)


def test_batches_append_shards_and_never_rewrite_big_files(tmp_path: Path, small_threshold: None) -> None:
    rng = np.random.default_rng(0)
    rows, idx = Rows(), VectorIndex(tmp_path, "text:t")
    rows.add(clustered(5000, rng))
    rows.sync(idx)
    idx.save()
    big = [s for s in idx.shards if s.kind == "ivf"]
    assert len(big) == 1 and big[0].ntotal == 5000 and big[0].nlist == vectors.ivf_lists(5000)
    big_file = tmp_path / big[0].file
    before = big_file.stat()
    for _ in range(3):  # three small batches: three small exact shards, the big file untouched
        rows.add(clustered(100, rng))
        rows.sync(idx)
        idx.save()
    assert [s.kind for s in idx.shards] == ["ivf", "flat", "flat", "flat"]
    after = big_file.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
    # the small shards merge once they add up to the threshold: into one IVF shard, old files gone
    rows.add(clustered(1800, rng))
    rows.sync(idx)
    idx.save()
    assert sorted(s.kind for s in idx.shards) == ["ivf", "ivf"] and idx.ntotal == 7100
    names = {p.name for p in tmp_path.glob("*.faiss")}
    assert names == {s.file for s in idx.shards}
    # a fresh object reads the manifest and finds the same neighbours, close to exact
    fresh = VectorIndex(tmp_path, "text:t")
    assert not rows.sync(fresh) and fresh.ntotal == 7100
    recall = np.mean(
        [
            len({i for i, _ in fresh.search(q, 10)} & exact_top(rows, q)) / 10
            for q in clustered(50, np.random.default_rng(1))
        ]
    )
    assert recall >= 0.9
    exact = np.mean(
        [
            len({i for i, _ in fresh.search(q, 10, exact=True)} & exact_top(rows, q)) / 10
            for q in clustered(20, np.random.default_rng(2))
        ]
    )
    assert exact == 1.0


def test_deleted_rows_are_filtered_then_rebuilt(tmp_path: Path, small_threshold: None) -> None:
    rng = np.random.default_rng(3)
    rows, idx = Rows(), VectorIndex(tmp_path, "s")
    rows.add(clustered(3000, rng))
    rows.sync(idx)
    idx.save()
    gone = rows.ids[:100]
    rows.delete(gone)
    idx._counted = -1e9  # as after RECOUNT_S seconds
    assert rows.sync(idx)
    idx.save()
    hits = {i for q in rows.vecs[:50] for i, _ in idx.search(q, 20)}
    assert not hits & set(gone.tolist()) and idx.ntotal == 2900
    assert json.loads((tmp_path / "s.json").read_text())["tombstones"] == sorted(gone.tolist())
    rows.delete(rows.ids[:1000])  # more than a fifth gone: rebuilt without them
    idx._counted = -1e9
    rows.sync(idx)
    idx.save()
    assert idx.ntotal == 1900 and not json.loads((tmp_path / "s.json").read_text())["tombstones"]


def test_two_savers_keep_every_row_once(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    rows = Rows()
    rows.add(clustered(300, rng))
    a, b = VectorIndex(tmp_path, "s"), VectorIndex(tmp_path, "s")
    rows.sync(a)
    a.save()
    rows.sync(b)  # b read a's manifest
    rows.add(clustered(50, rng))
    rows.sync(a)
    rows.sync(b)  # both now hold the same 50 new rows, unsaved
    a.save()
    b.save()  # b sees a's newer manifest and adopts it instead of writing the rows again
    c = VectorIndex(tmp_path, "s")
    c.load()
    ids = np.concatenate([np.asarray(s.ids) for s in c._shards])
    assert len(ids) == len(set(ids.tolist())) == 350


def test_fresh_process_maps_instead_of_reading(tmp_path: Path, small_threshold: None) -> None:
    rng = np.random.default_rng(5)
    rows, idx = Rows(), VectorIndex(tmp_path, "s")
    big = clustered(30_000, rng, centres=200, dim=256)
    rows.vecs = np.zeros((0, 256), dtype=np.float32)
    rows.add(big)
    rows.sync(idx)
    idx.save()
    size_mb = sum(p.stat().st_size for p in tmp_path.glob("*.faiss")) / 1e6
    assert size_mb > 28
    code = (
        "import resource, sys, numpy as np\nfrom pathlib import Path\nfrom vidagent.store.vectors import VectorIndex\n"
        "import faiss\nr0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "idx = VectorIndex(Path(sys.argv[1]), 's'); idx.load()\n"
        "q = np.ones(256, dtype=np.float32) / 16\nhits = idx.search(q, 10)\n"
        "print(len(hits), (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - r0) / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    n, grew_mb = out.stdout.split()
    assert int(n) == 10
    assert float(grew_mb) < size_mb / 3, (grew_mb, size_mb)


def test_doctor_measures_recall_of_the_approximate_index(tmp_path: Path, small_threshold: None) -> None:
    from vidagent.doctor import check_store
    from vidagent.store import Store
    from vidagent.types import Clip, Description, VideoInfo

    st = Store(tmp_path / "st")
    rng = np.random.default_rng(6)
    h = "d" * 16
    st.upsert_video(
        VideoInfo(
            path="/x.mp4", hash=h, size=1, duration=1e4, fps=25, width=8, height=8, video_codec="h264", frame_count=1
        )
    )
    clips = [Clip(f"c{i:05d}", h, i, i, i + 1.0, (i + 0.5,)) for i in range(2500)]
    st.put_clips("p", clips)
    st.set_active(h, "p", "dk")
    vecs = clustered(2500, rng)
    st.put_descriptions(
        h, "dk", "d", "m", None, [(c, Description(caption=c.id)) for c in clips], [{"text:x": (v, "m")} for v in vecs]
    )
    st.save_indexes()
    rep = check_store(st, recall_sample=30)
    found = [f for f in rep.findings if f.check == "recall@10"]
    assert len(found) == 1 and found[0].ok and "30 sampled queries" in found[0].detail
    assert all(f.ok for f in rep.findings if f.check in ("vector index", "keyword index", "temp files"))
    st.close()
