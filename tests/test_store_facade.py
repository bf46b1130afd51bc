"""The store facade: typed records out (never ORM rows), one keyword-row builder for writes and repairs,
one open/close idiom, schema upgrades from the engine alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import vidagent
from vidagent.doctor import doctor
from vidagent.errors import StoreNotFound, UnknownVideo
from vidagent.store import ClipRecord, Store, StoredDescription, VideoRecord
from vidagent.store.records import RunRecord
from vidagent.types import VideoInfo


@pytest.fixture()
def indexed(tmp_path: Path, shots_video: Path, colour_config: Path) -> Path:
    store = tmp_path / "store"
    vidagent.index(shots_video, store=store, config=colour_config)
    return store


def test_reads_return_typed_records(indexed: Path) -> None:
    with Store(indexed, create=False) as st:
        videos = st.videos()
        assert len(videos) == 1 and isinstance(videos[0], VideoRecord) and videos[0].plan_key
        assert isinstance(st.find_video(videos[0].hash), VideoRecord)
        assert isinstance(st.video_info(videos[0].hash), VideoInfo)
        rows = st.active_rows()
        assert rows and all(isinstance(r, ClipRecord) for r in rows)
        r = rows[0]
        assert r["caption"] == r.caption and r.get("nope", 7) == 7  # dict-style reads still work
        assert r.description().caption == r.caption
        span = st.clip_span(r.clip_id)
        assert span is not None and (span.start, span.end, span.video_hash) == (r.start, r.end, r.video_hash)
        found = st.descriptions_for(videos[0].describer_key or "", [r.clip_id])
        assert isinstance(found[r.clip_id], StoredDescription) and found[r.clip_id].tags == r.tag_scores
        run = st.start_run("caption", {"describer": "x"})
        st.update_run(run, "done", {"clips": 3})
        runs = st.runs("caption")
        assert isinstance(runs[0], RunRecord) and runs[0].summary == {"clips": 3} and runs[0].finished
        assert st.vector_index("text:minilm") is st.index("text:minilm")  # old name kept for callers
        with pytest.raises(UnknownVideo, match="no indexed video with hash nope"):
            st.video_info("nope")


def test_doctor_rebuilds_the_keyword_index_exactly_as_indexing_wrote_it(indexed: Path) -> None:
    with sqlite3.connect(indexed / "vidagent.db") as db:
        written = sorted(db.execute("SELECT rowid, caption, ocr, transcript, tags FROM desc_fts").fetchall())
        db.execute("DELETE FROM desc_fts WHERE rowid = (SELECT min(rowid) FROM desc_fts)")
        db.execute("INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) VALUES (9999, 'stray', '', '', '')")
    report = doctor(indexed, repair=False)
    assert [f.ok for f in report.findings if f.check == "keyword index"] == [False]
    assert doctor(indexed, repair=True).healthy
    with sqlite3.connect(indexed / "vidagent.db") as db:
        rebuilt = sorted(db.execute("SELECT rowid, caption, ocr, transcript, tags FROM desc_fts").fetchall())
    assert rebuilt == written and len(written) == 4
    assert all(f.ok for f in doctor(indexed).findings)


def test_doctor_accepts_an_open_store(indexed: Path) -> None:
    with Store(indexed, create=False) as st:
        assert doctor(st).healthy


def test_read_commands_never_create_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="no vidagent store here"):
        Store(tmp_path / "none", create=False)
    with pytest.raises(StoreNotFound):
        vidagent.search("x", store=tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_closing_a_store_twice_through_with_is_harmless(indexed: Path) -> None:
    st = Store(indexed)
    with st:
        n = st.stats()["clips"]
    st.close()
    assert n == 4
