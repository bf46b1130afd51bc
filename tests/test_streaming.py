"""A video's first clips are described while its later cuts are still detected (vidagent/streaming.py):
the same store as describing after detection, searchable while it runs, and the same Ctrl-C and
bad-file behaviour."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import vidagent
from vidagent import pipeline
from vidagent.config import load_settings
from vidagent.pipeline import Indexer
from vidagent.store import Store

from .conftest import make_video, slow_colour_config

COLOURS = ["red", "blue", "green", "white", "black", "yellow", "red", "blue"]


@pytest.fixture()
def shots(tmp_path: Path) -> str:
    return str(make_video(tmp_path / "shots.mp4", [(c, 1.2) for c in COLOURS]))


@pytest.fixture()
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return slow_colour_config(tmp_path / "c.yaml", monkeypatch, delay=0.05, batch_size=2)


@pytest.fixture()
def slow_detection(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Detection that takes a while per frame, so clips settle one by one; records what it saw."""
    seen: dict[str, Any] = {"threads": set(), "events": [], "committed": threading.Event()}
    real = pipeline.detect_scenes

    def slow(info: Any, cfg: Any, progress: Any = None, on_shots: Any = None, capture: Any = None) -> Any:
        seen["threads"].add(threading.current_thread().name)

        def tick(t: float) -> None:
            if progress is not None:
                progress(t)

        def shots_so_far(complete: Any) -> None:
            seen["events"].append(("shots", len(complete)))
            if on_shots is not None:
                on_shots(complete)
            if len(complete) == 5:  # the rest of the video waits until a batch was committed (or 30 s)
                seen["overlapped"] = seen["committed"].wait(30)

        out = real(info, cfg, tick, shots_so_far, capture=capture)
        seen["events"].append(("end", len(out)))
        return out

    monkeypatch.setattr(pipeline, "detect_scenes", slow)
    return seen


def _run(store: Path, video: str, config: Path, stream: bool = True, progress: Any = None) -> Any:
    st = Store(store)
    try:
        ix = Indexer(st, load_settings(config), progress=progress)
        ix.stream = stream
        return ix.run([video])
    finally:
        st.close()


def _rows(store: Path) -> list[tuple[float, float, str]]:
    hits = vidagent.search("coloured screen", store=store, top_k=50)
    return sorted((round(h.start, 2), round(h.end, 2), h.caption) for h in hits)


def test_clips_are_described_before_detection_ends_with_the_same_result(
    tmp_path: Path, shots: str, config: Path, slow_detection: dict[str, Any]
) -> None:
    def progress(stage: str, path: str, done: float, total: float) -> None:
        if stage == "describe" and done >= 2:
            slow_detection["committed"].set()

    on = _run(tmp_path / "on", shots, config, progress=progress)
    assert [f.status for f in on.files] == ["indexed"]
    assert slow_detection["threads"] == {"vidagent-shots"}
    assert slow_detection["overlapped"]  # a whole batch was committed while cuts were still coming
    slow_detection["committed"].set()  # the run below describes after detection: nothing to wait for
    off = _run(tmp_path / "off", shots, config, stream=False)
    n = on.files[0].clips
    assert n >= 6 and n == off.files[0].clips == on.files[0].described
    assert _rows(tmp_path / "on") == _rows(tmp_path / "off") and len(_rows(tmp_path / "on")) == n
    on_s, off_s = (dict(vidagent.status(tmp_path / d), store="") for d in ("on", "off"))
    assert on_s == off_s  # no provisional clip rows left behind
    assert not any(t.name == "vidagent-shots" for t in threading.enumerate())
    for d in ("on", "off"):  # `ask` re-queries a clip with the describe settings it was described with
        st = Store(tmp_path / d)
        try:
            key = st.videos()[0].describer_key
            assert key and st.describer_settings(key) is not None, d
        finally:
            st.close()


def test_search_sees_a_streaming_video_and_ctrl_c_keeps_its_batches(
    tmp_path: Path, shots: str, config: Path, slow_detection: dict[str, Any]
) -> None:
    holder: dict[str, Indexer] = {}

    def progress(stage: str, path: str, done: float, total: float) -> None:
        if stage == "describe" and done >= 2:
            holder["ix"].stop_requested = True  # what the first Ctrl-C does
            slow_detection["committed"].set()

    st = Store(tmp_path / "s")
    try:
        ix = holder["ix"] = Indexer(st, load_settings(config), progress=progress)
        report = ix.run([shots])
    finally:
        st.close()
    assert report.interrupted and [f.status for f in report.files] == ["interrupted"]
    first = report.files[0].described
    assert first >= 2
    # Stopped mid-stream: the committed clips are searchable through the provisional plan.
    assert len(_rows(tmp_path / "s")) == first
    assert not any(t.name == "vidagent-shots" for t in threading.enumerate())
    again = _run(tmp_path / "s", shots, config)
    n = again.files[0].clips
    assert [f.status for f in again.files] == ["indexed"] and again.files[0].described == n - first
    assert len(_rows(tmp_path / "s")) == n and vidagent.status(tmp_path / "s")["clips"] == n


def test_a_file_that_fails_mid_detection_leaves_nothing(
    tmp_path: Path, shots: str, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vidagent.errors import BadVideo

    real = pipeline.detect_scenes

    def failing(info: Any, cfg: Any, progress: Any = None, on_shots: Any = None, capture: Any = None) -> Any:
        def shots_so_far(complete: Any) -> None:
            if on_shots is not None:
                on_shots(complete)
            if len(complete) >= 5:
                raise BadVideo(info.path, "decode failed at frame 150")

        return real(info, cfg, progress, shots_so_far, capture=capture)

    monkeypatch.setattr(pipeline, "detect_scenes", failing)
    good = make_video(tmp_path / "good.mp4", [("red", 1.5), ("blue", 1.5)])
    st = Store(tmp_path / "s")
    try:
        report = Indexer(st, load_settings(config)).run([shots, str(good)])
    finally:
        st.close()
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["shots.mp4"].status == "failed" and "decode failed at frame 150" in by_name["shots.mp4"].error
    assert by_name["good.mp4"].status == "indexed"
    status = vidagent.status(tmp_path / "s")
    assert status["videos"] == 1 and status["clips"] == 2  # nothing of the failed new file stays
