"""Keyword statistics describe the descriptions search shows: a store that keeps superseded ones
(an earlier describer, a caption job's) counts and ranks like the same store built afresh."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vidagent
from vidagent.store import Store, keyword, postings
from vidagent.types import Clip, Description, VideoInfo

OLD = ["a dog in a park", "a dog on a beach", "a dog asleep", "a red car"]
NEW = ["a cat on a sofa", "a cat in a garden", "a dog and a cat", "a red car"]


def two_describers(st: Store) -> str:
    """One video of four clips described twice ("old", then "new"), the second active."""
    h = "a" * 16
    st.upsert_video(VideoInfo("/v/a.mp4", h, 10, 20.0, 25.0, 64, 48, "h264", 500))
    clips = [Clip(f"a{i:04d}", h, i, i * 5.0, i * 5.0 + 5, (i * 5.0 + 1,)) for i in range(4)]
    st.put_clips("plan", clips)
    vecs = np.eye(4, 8, dtype=np.float32)
    for key, texts in (("old", OLD), ("new", NEW)):
        descs = [Description(caption=t, frame_times=[1.0]) for t in texts]
        st.put_descriptions(
            h, key, "d", "m", None, list(zip(clips, descs, strict=True)), [{"text:t": (v, "m")} for v in vecs]
        )
    st.set_active(h, "plan", "new")
    return h


def check_counts_follow_activation(st: Store) -> None:
    h = two_describers(st)
    words = ["dog", "cat", "car", "sofa"]
    assert st.activity().n_inactive == 4 and st.activity().overfetch == 2.0
    assert st.keyword_stats(words) == (4, {"dog": 1, "cat": 3, "car": 1, "sofa": 1})
    st.set_active(h, "plan", "old")  # switching back: the counts follow at once in this process
    assert st.keyword_stats(words) == (4, {"dog": 3, "cat": 0, "car": 1, "sofa": 0})
    st.forget_video(h)
    assert st.keyword_stats(words) == (0, {"dog": 0, "cat": 0, "car": 0, "sofa": 0})
    assert st.activity().overfetch == 1.0


def test_keyword_counts_leave_out_inactive_descriptions(tmp_path: Path) -> None:
    st = Store(tmp_path / "s")
    try:
        check_counts_follow_activation(st)
    finally:
        st.close()


def test_large_store_counts_from_postings_leave_them_out_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyword, "PRUNE_ABOVE", 3)
    monkeypatch.setattr(postings, "PRUNE_ABOVE", 3)
    st = Store(tmp_path / "s")
    try:
        h = two_describers(st)
        assert st.keyword_repo.refresh_postings(force=True)  # the counts now come from the arrays
        assert st.keyword_stats(["dog", "cat"]) == (4, {"dog": 1, "cat": 3})
        st.set_active(h, "plan", "old")
        assert st.keyword_stats(["dog", "cat"]) == (4, {"dog": 3, "cat": 0})
    finally:
        st.close()


def _ranking(store: Path, cfg: Path) -> list[tuple[str, float, dict[str, float]]]:
    hits = vidagent.search("a blue coloured screen", store=store, config=cfg, min_score=0)
    return [(h.clip_id, round(h.score, 9), dict(h.contributions)) for h in hits]


def test_a_re_described_store_ranks_like_a_fresh_one(
    tmp_path: Path, shots_video: Path, colour_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDAGENT_TEST_DELAY", "0")
    other = tmp_path / "other.yaml"
    other.write_text(colour_config.read_text().replace("test-colour", "test-slow-colour"))
    fresh, redone = tmp_path / "fresh", tmp_path / "redone"
    vidagent.index(shots_video, store=fresh, config=colour_config)
    for cfg in (colour_config, other, colour_config):  # the last run reuses the first run's descriptions
        vidagent.index(shots_video, store=redone, config=cfg)
    st = Store(redone, create=False)
    try:
        assert st.activity().n_inactive == st.activity().active > 0
    finally:
        st.close()
    assert vidagent.status(redone)["superseded_descriptions"] == vidagent.status(redone)["clips"]
    assert vidagent.status(fresh)["superseded_descriptions"] == 0
    assert _ranking(redone, colour_config) == _ranking(fresh, colour_config)
