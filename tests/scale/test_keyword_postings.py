"""The large-store keyword top-k (store/postings.py) on SQLite and a real PostgreSQL server: the arrays
give the backend's own BM25 ranking and scores, newer rows are merged, deleted ones left out, and the
per-generation figures (store/hot.py) follow writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vidagent.store import Store, keyword, postings
from vidagent.types import Clip, Description, VideoInfo

from .test_postgres_store import QUERIES, TEXTS

SUBJECTS = ["a man", "a woman", "a dog", "two children", "a cyclist", "a chef"]
PLACES = ["in a park", "on a beach", "in a kitchen", "on a mountain road", "in a library", "at a station"]
ACTIONS = ["walking", "running fast", "cooking pasta", "reading a book", "riding a bike", "waiting"]


def _texts(n: int, seed: int) -> list[tuple[str, list[str], str, list[str]]]:
    rng = np.random.default_rng(seed)
    out = list(TEXTS)
    while len(out) < n:
        s, a, p = (int(rng.integers(6)) for _ in range(3))
        extra = " dog" * int(rng.integers(0, 3))  # varied term frequencies and lengths
        out.append((f"{SUBJECTS[s]} {ACTIONS[a]} {PLACES[p]}{extra}", [], "", [SUBJECTS[(s + 1) % 6].split()[-1]]))
    return out[:n]


def _add_video(st: Store, name: str, texts: list[tuple[str, list[str], str, list[str]]], space: str) -> None:
    h = name * 16
    st.upsert_video(VideoInfo(f"/v/{name}.mp4", h, 10, 5.0 * len(texts), 25.0, 64, 48, "h264", 125 * len(texts)))
    clips = [Clip(f"{name}{i:04d}", h, i, i * 5.0, i * 5.0 + 5, (i * 5.0 + 1,)) for i in range(len(texts))]
    st.put_clips(f"plan{name}", clips)
    st.set_active(h, f"plan{name}", "dk")
    vecs = np.random.default_rng(len(texts)).standard_normal((len(texts), 8)).astype(np.float32)
    descs = [
        Description(caption=c, tags=[(t, 0.5) for t in g], ocr=o, transcript=tr, frame_times=[1.0])
        for c, o, tr, g in texts
    ]
    st.put_descriptions(
        h, "dk", "d", "m", None, list(zip(clips, descs, strict=True)), [{space: (v, "m")} for v in vecs]
    )


def _backend_ranking(st: Store, q: str, k: int) -> list[tuple[int, float]]:
    repo = st.description_repo
    assert repo.keywords is not None
    with repo.db.read() as s:
        return repo.keywords.search(s, q, k)


def _stats_both_ways(st: Store) -> tuple[int, bool]:
    """(descriptions, whether the store's keyword document counts equal the backend's own counts)."""
    words = ["dog", "park", "zebra", "kitchen", "e-mail", "nothing"]
    n, fast = st.keyword_stats(words)
    repo = st.description_repo
    assert repo.keywords is not None
    with repo.db.read() as s:
        return n, fast == {w: repo.keywords.df(s, w) for w in words}


@pytest.fixture()
def large_above_20(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stores over 20 descriptions count as large (the postings path), so tests stay small."""
    monkeypatch.setattr(keyword, "PRUNE_ABOVE", 20)
    monkeypatch.setattr(postings, "PRUNE_ABOVE", 20)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_postings_rank_like_the_backend(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, large_above_20: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDAGENT_CACHE", str(tmp_path / "cache"))
    st = Store(tmp_path / "lite") if backend == "sqlite" else Store(request.getfixturevalue("pg_url"))
    _add_video(st, "a", _texts(120, 0), "text:t")
    _add_video(st, "d", _texts(4, 3), "text:t")
    p = postings.open_postings(st.root / "keywords")
    assert not p.load()
    st.save_indexes()  # a large store: the arrays are built with the FAISS shards
    assert p.load() and p.meta is not None and p.meta["docs"] == 124
    for q in [*QUERIES, "a man walking in a park", "chef cooking pasta kitchen", "nothing like this"]:
        got = dict(st.keyword_search(q, 500))
        want = dict(_backend_ranking(st, q, 500))
        assert got.keys() == want.keys(), q  # every match, none extra
        # the same BM25 numbers (FTS5's bm25(), or the tsvector SQL) from the arrays
        assert all(got[i] == pytest.approx(want[i], rel=1e-6) for i in want), q
    assert _stats_both_ways(st) == (124, True)
    top = st.keyword_search("dog park", 5)
    assert [s for _, s in top] == sorted((s for _, s in top), reverse=True) and len(top) == 5

    # rows added after the build: ranked by the backend over the newer ids, merged (no rebuild: 5 < 10%)
    _add_video(st, "b", [("a zebra grazing in a savanna", [], "", ["zebra"])] * 5, "text:t")
    st.save_indexes()
    assert p.load() and p.meta["docs"] == 124
    zebra = st.keyword_search("zebra", 10)
    assert len(zebra) == 5 and all(i > p.meta["max_id"] for i, _ in zebra)
    assert _stats_both_ways(st) == (129, True)  # document counts: the arrays plus the newer rows
    mixed = {i for i, _ in st.keyword_search("zebra park", 500)}
    assert {i for i, _ in zebra} <= mixed and len(mixed) > 5

    # rows of a forgotten video leave the results at once (the arrays still hold them until a rebuild)
    st.forget_video("d" * 16)
    found = {i for i, _ in st.keyword_search("zebra park", 500)}
    assert found <= {r["description_id"] for r in st.active_rows()} and {i for i, _ in zebra} <= found
    assert found == {i for i, _ in _backend_ranking(st, "zebra park", 500)}
    # over a tenth changed: the next search rebuilds the arrays first (as a save would)
    _add_video(st, "c", _texts(30, 1), "text:t")
    got = dict(st.keyword_search("zebra park", 500))
    assert p.load() and p.meta["docs"] == 155
    keyword._STATS.clear()  # PostgreSQL's BM25 keeps its collection figures 30 s; compare with fresh ones
    want = dict(_backend_ranking(st, "zebra park", 500))
    assert got.keys() == want.keys() and all(got[i] == pytest.approx(want[i], rel=1e-6) for i in want)
    st.close()


def test_a_new_searcher_builds_the_arrays(tmp_path: Path, large_above_20: None) -> None:
    """A machine that only searches (no save) builds them on its first search; a read-only one never."""
    st = Store(tmp_path / "s")
    _add_video(st, "a", _texts(60, 0), "text:t")
    st.close()  # written by a process that never saved its indexes
    st = Store(tmp_path / "s", create=False)
    first = st.keyword_search("dog park", 10)
    p = postings.open_postings(tmp_path / "s" / "keywords")
    assert p.load() and p.meta is not None and p.meta["docs"] == 60
    assert first == st.keyword_search("dog park", 10) and len(first) == 10
    st.close()


def test_generation_cache_follows_writes(tmp_path: Path) -> None:
    st = Store(tmp_path / "s")
    _add_video(st, "a", _texts(12, 0), "text:one")
    assert st.spaces() == ["text:one"]
    n, dfs = st.keyword_stats(["dog"])
    assert n == 12
    _add_video(st, "b", _texts(3, 2), "text:two")  # a new space and new rows: seen by the next call
    assert st.spaces() == ["text:one", "text:two"]
    n2, dfs2 = st.keyword_stats(["dog"])
    assert n2 == 15 and dfs2["dog"] >= dfs["dog"]
    st.forget_video("b" * 16)  # a deletion does not move the highest ids: this process forgets its figures
    assert st.spaces() == ["text:one"] and st.keyword_stats(["dog"]) == (n, dfs)
    st.close()
