"""Stages overlap across videos: the next video's scenes are detected while this one is described, with
the same results, the same Ctrl-C behaviour (nothing of the next video stored) and per-file errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

import vidagent
from vidagent import pipeline, stages
from vidagent.config import load_settings
from vidagent.pipeline import Indexer
from vidagent.store import Store

from .conftest import make_video, slow_colour_config


@pytest.fixture()
def two_videos(tmp_path: Path) -> list[str]:
    a = make_video(tmp_path / "a.mp4", [("red", 2), ("blue", 2), ("green", 2), ("white", 2)])
    b = make_video(tmp_path / "b.mp4", [("black", 2), ("yellow", 2)])
    return [str(a), str(b)]


@pytest.fixture()
def slow_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return slow_colour_config(tmp_path / "slow.yaml", monkeypatch, delay=0.15, batch_size=1)


@pytest.fixture()
def detections(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every scene detection: which file, in which thread, when it started and ended."""
    seen: list[dict[str, Any]] = []
    real = pipeline.detect_scenes

    def recording(info: Any, cfg: Any, progress: Any = None, on_shots: Any = None, capture: Any = None) -> Any:
        row = {"path": Path(info.path).name, "thread": threading.current_thread().name, "start": time.monotonic()}
        seen.append(row)
        out = real(info, cfg, progress, on_shots, capture=capture)
        row["end"] = time.monotonic()
        return out

    # the executor's own detection (stages) and the one run ahead (pipeline hands it to the lookahead)
    monkeypatch.setattr(pipeline, "detect_scenes", recording)
    monkeypatch.setattr(stages, "detect_scenes", recording)
    return seen


def _index(
    store: Path, videos: list[str], config: Path, lookahead: int = 1, progress: Any = None
) -> tuple[Indexer, Any]:
    st = Store(store)
    try:
        ix = Indexer(st, load_settings(config), progress=progress)
        ix.lookahead = lookahead
        return ix, ix.run(videos)
    finally:
        st.close()


def _captions(store: Path) -> list[tuple[str, float, float, str]]:
    hits = vidagent.search("coloured screen", store=store, top_k=50)
    return sorted((Path(h.video).name, round(h.start, 2), round(h.end, 2), h.caption) for h in hits)


def test_next_video_scenes_are_detected_while_this_one_is_described(
    tmp_path: Path, two_videos: list[str], slow_config: Path, detections: list[dict[str, Any]]
) -> None:
    described: dict[str, float] = {}

    def progress(stage: str, path: str, done: float, total: float) -> None:
        if stage == "describe":
            described[Path(path).name] = time.monotonic()  # the last call is the video's last commit

    _, report = _index(tmp_path / "on", two_videos, slow_config, progress=progress)
    assert [f.status for f in report.files] == ["indexed", "indexed"]
    by_file = {d["path"]: d for d in detections}
    assert len(detections) == 2
    assert by_file["a.mp4"]["thread"] == "vidagent-shots"  # the first video streams its clips (streaming.py)
    assert by_file["b.mp4"]["thread"].startswith("vidagent-lookahead")
    assert by_file["b.mp4"]["start"] < described["a.mp4"]  # overlapped with describing a.mp4
    assert not any(t.name.startswith("vidagent-lookahead") for t in threading.enumerate())

    # Same clips and captions as the one-after-the-other run; the scene stage seconds are stored.
    _, off = _index(tmp_path / "off", two_videos, slow_config, lookahead=0)
    assert [f.status for f in off.files] == ["indexed", "indexed"]
    assert _captions(tmp_path / "on") == _captions(tmp_path / "off") and len(_captions(tmp_path / "on")) == 6
    on, off_ = (dict(vidagent.status(tmp_path / d), store="") for d in ("on", "off"))
    assert on == off_


def test_unchanged_next_video_is_not_detected_again(
    tmp_path: Path, two_videos: list[str], slow_config: Path, detections: list[dict[str, Any]]
) -> None:
    _index(tmp_path / "s", two_videos, slow_config)
    detections.clear()
    _, report = _index(tmp_path / "s", two_videos, slow_config)
    assert [f.status for f in report.files] == ["unchanged", "unchanged"] and detections == []


def test_ctrl_c_stores_nothing_of_the_video_detected_ahead(
    tmp_path: Path, two_videos: list[str], slow_config: Path, detections: list[dict[str, Any]]
) -> None:
    holder: dict[str, Indexer] = {}

    def progress(stage: str, path: str, done: float, total: float) -> None:
        if stage == "describe" and done >= 1 and Path(path).name == "a.mp4":
            holder["ix"].stop_requested = True  # what the first Ctrl-C does

    st = Store(tmp_path / "s")
    try:
        ix = Indexer(st, load_settings(slow_config), progress=progress)
        holder["ix"] = ix
        report = ix.run(two_videos)
    finally:
        st.close()
    assert report.interrupted
    assert [(Path(f.path).name, f.status) for f in report.files] == [("a.mp4", "interrupted")]
    assert not any(t.name.startswith("vidagent-lookahead") for t in threading.enumerate())
    assert vidagent.status(tmp_path / "s")["videos"] == 1  # b.mp4 left no row, no scenes
    # The re-run finishes both; a.mp4's committed batch is kept.
    detections.clear()
    _, again = _index(tmp_path / "s", two_videos, slow_config)
    assert [f.status for f in again.files] == ["indexed", "indexed"]
    # a.mp4 was streaming (its clips described while its cuts were detected), so its scenes were not
    # complete and are detected again; the clip committed before Ctrl-C is not described again.
    assert {d["path"] for d in detections} == {"a.mp4", "b.mp4"}
    assert (
        1 <= report.files[0].described and again.files[0].described == again.files[0].clips - report.files[0].described
    )


def test_a_bad_next_file_fails_on_its_own_line(tmp_path: Path, two_videos: list[str], slow_config: Path) -> None:
    bad = tmp_path / "bad.mp4"
    data = Path(two_videos[0]).read_bytes()
    bad.write_bytes(data[:200] + bytes(len(data) - 200))  # header kept, frames zeroed
    _, report = _index(tmp_path / "s", [two_videos[0], str(bad), two_videos[1]], slow_config)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["a.mp4"].status == "indexed" and by_name["b.mp4"].status == "indexed"
    assert by_name["bad.mp4"].status == "failed" and "bad.mp4" in by_name["bad.mp4"].error
    assert "\n" not in by_name["bad.mp4"].error
