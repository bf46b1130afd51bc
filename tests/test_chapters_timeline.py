"""Chapters (merged at the strongest boundaries, titled, four text formats) and editor timelines
(OpenTimelineIO .otio, CMX 3600 EDL, FCP XML), read back with OpenTimelineIO (issue #17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vidagent
from vidagent.chapters import boundary_scores, choose, default_min_length, title_for
from vidagent.types import Clip, Segment

from .clirun import one_error_line, vcli
from .conftest import make_video

otio = pytest.importorskip("opentimelineio")


def _clip(i: int, start: float, end: float, scene: int) -> Clip:
    return Clip(id=f"c{i}", video_hash="h", index=i, start=start, end=end, keyframes=(), scene_indices=(scene,))


def test_boundaries_and_min_length() -> None:
    # Six 10 s clips; shots change after clips 1 and 3 (scene), speech runs across the first shot change.
    clips = [_clip(i, 10 * i, 10 * i + 10, scene) for i, scene in enumerate([0, 0, 1, 1, 2, 2])]
    rows = {
        c.id: {"caption": cap, "tags": [], "ocr": [], "transcript": ""}
        for c, cap in zip(
            clips,
            [
                "red room chair",
                "red room chair",
                "blue sea waves",
                "blue sea boat",
                "green forest trees",
                "green forest path",
            ],
        )
    }
    speech = [Segment(15.0, 25.0, "talking over the cut")]
    scores = boundary_scores(clips, rows, speech)
    assert len(scores) == 5
    # the shot change in silence (after clip 3) is the strongest; the one under speech is weaker but
    # still stronger than a split inside one shot with the same words
    assert scores[3] == max(scores)
    assert scores[1] > scores[0]
    assert choose(clips, scores, 20.0) == [1, 3]
    assert choose(clips, scores, 30.0) == [3] or choose(clips, scores, 30.0) == [2]
    assert choose(clips, scores, 0.0) == [0, 1, 2, 3, 4]
    assert choose(clips, scores, 61.0) == []
    assert default_min_length(600.0) == 60.0 and default_min_length(20.0) == 10.0


def test_titles_prefer_screen_text_then_speech_then_caption() -> None:
    base = {"start": 0.0, "end": 5.0, "caption": "Scene: a lecture hall, podium.", "tags": ["podium"]}
    assert (
        title_for(
            [
                {**base, "ocr": ["Chapter Two: Results", "x"], "transcript": "so we begin"},
                {**base, "ocr": ["Chapter Two: Results"], "transcript": ""},
            ]
        )
        == "Chapter Two: Results"
    )
    assert (
        title_for([{**base, "ocr": [], "transcript": "Welcome back to the show. Today we cook."}])
        == "Welcome back to the show"
    )
    assert title_for([{**base, "ocr": [], "transcript": ""}]) == "a lecture hall, podium"


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    d = tmp_path_factory.mktemp("ch")
    v = make_video(d / "film.mp4", [("red", 12), ("blue", 12), ("green", 12)], fps=10)
    cfg = d / "cfg.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n  max_duration: 6.0\n")
    vidagent.index(v, store=d / "st", config=cfg)
    return v, d / "st", cfg


def test_chapters_formats(film: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import av
    import webvtt

    v, st, _ = film
    code, out, _ = vcli(capsys, "chapters", "film.mp4", "-s", st, "-f", "json", "--min-length", "10")
    assert code == 0
    chapters = json.loads(out)
    # the shots are 12 s, the clips at most 6 s: chapters follow the shot changes, not the clip splits
    assert [(c["start"], c["end"]) for c in chapters] == [(0.0, 12.0), (12.0, 24.0), (24.0, 36.0)]
    assert [c["title"] for c in chapters] and all(c["video"] == str(v) for c in chapters)
    code, out, _ = vcli(capsys, "chapters", "film.mp4", "-s", st, "-f", "json")  # default: 10 s for 36 s
    assert code == 0 and len(json.loads(out)) == 3
    code, out, _ = vcli(capsys, "chapters", "film.mp4", "-s", st, "-f", "json", "--min-length", "15")
    assert code == 0 and all(c["end"] - c["start"] >= 15 for c in json.loads(out)) and len(json.loads(out)) == 2

    code, _, _ = vcli(capsys, "chapters", str(v), "-s", st, "-o", tmp_path / "c.vtt", "--min-length", "10")
    assert code == 0
    cues = list(webvtt.read(str(tmp_path / "c.vtt")))
    assert [(c.start, c.end) for c in cues] == [
        ("00:00:00.000", "00:00:12.000"),
        ("00:00:12.000", "00:00:24.000"),
        ("00:00:24.000", "00:00:36.000"),
    ]
    code, out, _ = vcli(capsys, "chapters", str(v), "-s", st, "-f", "youtube", "--min-length", "10")
    assert code == 0 and [ln.split()[0] for ln in out.splitlines()] == ["0:00", "0:12", "0:24"]
    meta = tmp_path / "ch.txt"
    code, _, _ = vcli(capsys, "chapters", str(v), "-s", st, "-f", "ffmetadata", "-o", meta, "--min-length", "10")
    assert code == 0 and meta.read_text().startswith(";FFMETADATA1")
    with av.open(str(meta), format="ffmetadata") as c:
        got = c.chapters()
    assert [(x["start"], x["end"]) for x in got] == [(0, 12000), (12000, 24000), (24000, 36000)]
    assert [x["metadata"]["title"] for x in got] == [c["title"] for c in chapters]


@pytest.mark.parametrize("fmt", ["otio", "edl", "fcpxml"])
def test_chapters_as_editor_timelines(
    fmt: str, film: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v, st, _ = film
    out = tmp_path / f"ch.{fmt}"
    code, _, err = vcli(capsys, "chapters", str(v), "-s", st, "-f", fmt, "-o", out, "--min-length", "10")
    assert code == 0, err
    kw = {"rate": 24000 / 1001} if fmt == "edl" else {}  # EDL timecode knows no 10 fps: written at 23.976
    clips = list(otio.adapters.read_from_file(str(out), **kw).find_clips())
    assert len(clips) == 3
    tol = {"fcpxml": 0.11, "edl": 0.05}.get(fmt, 1e-6)  # 10 fps conformed to 23.98 (FCP X) / 23.976 (EDL)
    for c, (a, b) in zip(clips, [(0, 12), (12, 24), (24, 36)]):
        assert c.source_range.start_time.to_seconds() == pytest.approx(a, abs=tol)
        assert c.source_range.end_time_exclusive().to_seconds() == pytest.approx(b, abs=tol)
        assert c.media_reference.target_url.endswith("film.mp4")


def test_search_timeline(film: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    v, st, cfg = film
    code, out, _ = vcli(capsys, "search", "blue", "-s", st, "-c", cfg, "-k", "3", "--json")
    hits = json.loads(out)
    for name in ("hits.otio", "hits.edl"):
        code, _, err = vcli(capsys, "search", "blue", "-s", st, "-c", cfg, "-k", "3", "--timeline", tmp_path / name)
        assert code == 0, err
        tl = otio.adapters.read_from_file(
            str(tmp_path / name), **({"rate": 24000 / 1001} if name.endswith("edl") else {})
        )
        clips = list(tl.find_clips())
        assert len(clips) == len(hits)
        for c, h in zip(clips, hits):
            assert c.source_range.start_time.to_seconds() == pytest.approx(h["start"], abs=0.051)
            assert c.source_range.end_time_exclusive().to_seconds() == pytest.approx(h["end"], abs=0.051)
            assert Path(v).as_uri() == c.media_reference.target_url or name.endswith("edl")
    code, _, err = vcli(capsys, "search", "blue", "-s", st, "-c", cfg, "--timeline", tmp_path / "hits.mov")
    assert code == 1 and ".otio" in one_error_line(err)
    code, _, err = vcli(capsys, "chapters", str(v), "-s", st, "-f", "otio")
    assert code == 1 and "--out" in one_error_line(err)
