"""Camera motion from the codec's motion vectors, on videos with known pans, tilts and zooms."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidagent.signals import motion

from .synth import camera_video

CASES = {
    "static": "static",
    "pan_right": "pan right",
    "pan_left": "pan left",
    "tilt_up": "tilt up",
    "tilt_down": "tilt down",
    "zoom_in": "zoom in",
    "zoom_out": "zoom out",
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("motion")
    return {k: camera_video(d / f"{k}.mp4", k) for k in CASES}


@pytest.mark.parametrize("kind", list(CASES))
def test_camera_motion_is_recovered(videos: dict[str, Path], kind: str) -> None:
    m = motion.clip_motion(str(videos[kind]), [(0.0, 2.0)])[0]
    assert m.frames >= 5
    assert m.camera == CASES[kind], m.to_json()
    words = m.words()
    assert words[0] == ("static camera" if kind == "static" else "camera " + motion._verb(CASES[kind]))


def test_speeds_are_measured_in_widths_per_second(videos: dict[str, Path]) -> None:
    pan = motion.clip_motion(str(videos["pan_right"]), [(0.0, 2.0)])[0]
    assert 0.09 < pan.pan < 0.2  # the synthetic camera moves 0.12 widths/s (integer-pixel steps)
    assert pan.magnitude > 0.09
    zoom = motion.clip_motion(str(videos["zoom_in"]), [(0.0, 2.0)])[0]
    assert 0.08 < zoom.zoom < 0.16  # 12% scale change per second
    still = motion.clip_motion(str(videos["static"]), [(0.0, 2.0)])[0]
    assert still.magnitude < motion.STILL and "still picture" in still.words()


def test_fast_pan_is_called_fast(tmp_path: Path) -> None:
    v = camera_video(tmp_path / "fast.mp4", "pan_left", speed=0.4)
    m = motion.clip_motion(str(v), [(0.0, 2.0)])[0]
    assert m.words() == ["camera pans left", "fast motion"]


def test_each_span_gets_its_own_summary(tmp_path: Path, videos: dict[str, Path]) -> None:
    ms = motion.clip_motion(str(videos["tilt_up"]), [(0.0, 1.0), (1.0, 2.0)])
    assert [m.camera for m in ms] == ["tilt up", "tilt up"]


def test_window_starts_prefer_keyframes_inside_the_clip() -> None:
    assert motion.window_starts([0.0, 4.0, 8.0, 9.0, 12.0], 3.0, 10.0, n=2) == [4.0, 9.0]
    assert motion.window_starts([0.0, 4.0, 8.0, 9.0, 12.0], 3.0, 10.0, n=1) == [4.0]
    assert motion.window_starts([0.0, 4.0, 8.0], 4.5, 7.5) == [4.5]
    assert motion.window_starts([0.0, 5.0, 6.0, 7.0], 5.0, 8.0, n=3) == [5.0, 6.0, 7.0]


def test_codec_without_vectors_gives_no_motion_words(tmp_path: Path) -> None:
    v = camera_video(tmp_path / "intra.mp4", "pan_right", seconds=1.0, gop=1)
    m = motion.clip_motion(str(v), [(0.0, 1.0)])[0]
    assert m.frames == 0 and m.words() == []
    assert motion.clip_motion(str(tmp_path / "missing.mp4"), [(0.0, 1.0)])[0].frames == 0


def test_motion_is_the_same_on_every_run(corpus) -> None:  # type: ignore[no-untyped-def]
    """Frame-threaded decoding after a seek gave slightly different vectors run to run; slice threading
    gives the single-threaded decoder's: the same summary for a clip alone or among others."""
    from vidagent.signals.motion import clip_motion

    path = str(corpus / "small" / "moviepy_trailer_bbb.mp4")
    spans = [(i * 5.0, i * 5.0 + 5.0) for i in range(6)]
    first = [m.to_json() for m in clip_motion(path, spans, 24.0)]
    assert first == [m.to_json() for m in clip_motion(path, spans, 24.0)]
    assert first[3:] == [m.to_json() for m in clip_motion(path, spans[3:], 24.0)]
    assert any(m["frames"] for m in first)
