"""The store on a real PostgreSQL server: same schema, tsvector BM25 keyword search ranked like FTS5,
vectors in the database with FAISS as the machine's cache, concurrent writers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vidagent
from vidagent.store import Store
from vidagent.types import Clip, Description, VideoInfo

TEXTS = [
    ("a man walking a dog in a park", ["EXIT 12"], "we are going to the park today", ["dog", "park bench"]),
    ("a dog running on the beach", [], "look at the dog run", ["dog", "seashore"]),
    ("two people cooking pasta in a kitchen", ["MENU"], "", ["frying pan"]),
    ("a red car driving through a city street at night", ["TAXI"], "", ["sports car", "street sign"]),
    ("a cyclist riding a bike on a mountain road", [], "the road is steep here", ["mountain bike"]),
    ("children playing football in a park", ["GOAL"], "pass the ball", ["soccer ball"]),
    ("a woman reading a book in a library", ["SILENCE"], "", ["bookcase"]),
    ("a dog and a cat sleeping on a sofa", [], "they are so quiet", ["tabby cat", "dog"]),
    ("a chef cooking in a restaurant kitchen", ["OPEN"], "the sauce needs more salt", ["wok"]),
    ("a train arriving at a station platform", ["PLATFORM 3"], "mind the gap", ["passenger car"]),
]
QUERIES = ["dog", "dog park", "cooking kitchen", "the road", "platform 3 train", "ball", "car night taxi", "quiet cat"]


def _fill(st: Store, space: str = "text:bench") -> None:
    info = VideoInfo(
        path="/v/a.mp4",
        hash="h" * 16,
        size=10,
        duration=100.0,
        fps=25.0,
        width=64,
        height=48,
        video_codec="h264",
        frame_count=2500,
    )
    st.upsert_video(info)
    clips = [Clip(f"c{i:04d}", info.hash, i, i * 5.0, i * 5.0 + 5, (i * 5.0 + 1,)) for i in range(len(TEXTS))]
    st.put_clips("plan", clips)
    st.set_active(info.hash, "plan", "dk")
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((len(TEXTS), 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    descs = [
        Description(caption=c, tags=[(t, 0.5) for t in g], ocr=o, transcript=tr, frame_times=[1.0])
        for c, o, tr, g in TEXTS
    ]
    st.put_descriptions(
        info.hash, "dk", "d", "m", None, list(zip(clips, descs, strict=True)), [{space: (v, "m")} for v in vecs]
    )


@pytest.mark.parametrize("prune_above", [50_000, 3])
def test_keyword_ranking_matches_fts5(
    pg_url: str, tmp_path: Path, prune_above: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vidagent.store import keyword

    monkeypatch.setattr(keyword, "PRUNE_ABOVE", prune_above)  # 3: the large-store path on 10 documents
    lite, pg = Store(tmp_path / "lite"), Store(pg_url)
    assert pg.engine.dialect.name == "postgresql"
    _fill(lite)
    _fill(pg)
    clip_of = {}
    for st in (lite, pg):
        clip_of[st.url] = {r["description_id"]: r["clip_id"] for r in st.active_rows()}
    for q in QUERIES:
        a = [(clip_of[lite.url][i], s) for i, s in lite.keyword_search(q, 10)]
        b = [(clip_of[pg.url][i], s) for i, s in pg.keyword_search(q, 10)]
        assert a, q
        assert [c for c, _ in a] == [c for c, _ in b], q
        # the same BM25: scores agree closely (stemmers and token counts differ a little)
        assert np.allclose([s for _, s in a], [s for _, s in b], rtol=0.25), (q, a, b)
    if prune_above == 3:  # "a" is in most documents: left out of the match, the ranking of the rest kept
        a = lite.keyword_search("a dog", 10)
        assert [clip_of[lite.url][i] for i, _ in a] == ["c0001", "c0007", "c0000"]
        assert [clip_of[pg.url][i] for i, _ in pg.keyword_search("a dog", 10)] == ["c0001", "c0007", "c0000"]
    lite.close()
    pg.close()


def test_index_search_status_doctor_on_postgres(
    pg_url: str, tmp_path: Path, shots_video: Path, colour_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDAGENT_CACHE", str(tmp_path / "cache"))
    report = vidagent.index(shots_video, store=pg_url, config=colour_config)
    assert [f.status for f in report.files] == ["indexed"]
    hits = vidagent.search("a blue coloured screen", store=pg_url, config=colour_config)
    assert hits[0].caption == "a blue coloured screen" and hits[0].start == pytest.approx(2.0, abs=0.1)
    assert "keyword" in hits[0].sources  # tsvector search found it too
    st = vidagent.status(pg_url)
    assert st["videos"] == 1 and st["descriptions"] == st["clips"] == st["vectors"] > 0
    again = vidagent.index(shots_video, store=pg_url, config=colour_config)
    assert [f.status for f in again.files] == ["unchanged"] and again.summary()["described"] == 0
    # the FAISS files are this machine's cache, beside nothing of the database
    assert list((tmp_path / "cache").glob("store-*/vectors/*.json"))
    from vidagent.doctor import doctor

    rep = doctor(pg_url)
    assert rep.healthy, [vars(f) for f in rep.findings if not f.ok]
    assert {f.check for f in rep.findings} >= {"keyword index", "vector index"}


def test_cli_store_url_and_env(
    pg_url: str, tmp_path: Path, shots_video: Path, colour_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from vidagent.cli import app

    monkeypatch.setenv("VIDAGENT_CACHE", str(tmp_path / "cache"))
    r = CliRunner().invoke(
        app, ["index", str(shots_video), "--store", pg_url, "-c", str(colour_config), "--no-progress"]
    )
    assert r.exit_code == 0, r.output
    monkeypatch.setenv("VIDAGENT_STORE", pg_url)
    r = CliRunner().invoke(app, ["search", "green coloured screen", "-c", str(colour_config), "--json"])
    assert r.exit_code == 0, r.output
    assert '"a green coloured screen"' in r.output.split("}")[0]


def test_keyword_stats_and_rebuild_agree_with_fts5(pg_url: str, tmp_path: Path) -> None:
    """Document counts for textmatch's BM25 come from the same backend and stemming as the match, and
    the repair rebuild (records.keyword_row, the builder writes use) gives back the same ranking."""
    lite, pg = Store(tmp_path / "lite"), Store(pg_url)
    _fill(lite)
    _fill(pg)
    words = ["dog", "dogs", "cooking", "park", "platform", "zebra"]
    n_lite, df_lite = lite.keyword_stats(words)
    n_pg, df_pg = pg.keyword_stats(words)
    assert n_lite == n_pg == len(TEXTS)
    assert df_lite == df_pg
    assert df_lite["dog"] == df_lite["dogs"] == 3 and df_lite["zebra"] == 0  # stems, tags counted
    for st in (lite, pg):
        before = st.keyword_search("dog park", 10)
        state = st.keyword_state()
        assert state is not None and state.ok and state.rows == len(TEXTS)
        assert st.rebuild_keywords() == len(TEXTS)
        assert st.keyword_search("dog park", 10) == before
    lite.close()
    pg.close()


def test_keyword_counts_leave_out_inactive_descriptions_on_postgres(pg_url: str) -> None:
    """The same activity rules on PostgreSQL (its tsvector matches give the inactive documents)."""
    from ..store.test_activity import check_counts_follow_activation

    st = Store(pg_url)
    try:
        check_counts_follow_activation(st)
    finally:
        st.close()


def test_prune_on_postgres(pg_url: str) -> None:
    from ..test_prune import check_prune_keeps_newer

    check_prune_keeps_newer(Store(pg_url))
