"""Hostile and damaged input: each bad file gets one line, the batch goes on, nothing partial is stored.

The fuzz part is bounded (a fixed, seeded set of corruptions of a real encoded file) so it runs the
same way every time in CI.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import vidagent
from vidagent.errors import BadVideo
from vidagent.store import Store
from vidagent.video import frames_at, iter_frames, probe

from .conftest import SUMMARY, count, make_video


def corrupt_files(base: Path, out: Path) -> list[Path]:
    data = base.read_bytes()
    rng = random.Random(1234)
    files = []
    for i, frac in enumerate([0.0005, 0.002, 0.01, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99]):
        p = out / f"trunc_{i:02d}.mp4"
        p.write_bytes(data[: max(1, int(len(data) * frac))])
        files.append(p)
    for i in range(12):
        buf = bytearray(data)
        for _ in range(40):
            pos = rng.randrange(len(buf))
            buf[pos] = rng.randrange(256)
        p = out / f"flip_{i:02d}.mp4"
        p.write_bytes(bytes(buf))
        files.append(p)
    for ext in (".mp4", ".mkv", ".avi", ".mov", ".webm", ".ts"):
        p = out / f"random{ext}"
        p.write_bytes(rng.randbytes(30000))
        files.append(p)
    (out / "empty.mkv").write_bytes(b"")
    files.append(out / "empty.mkv")
    huge = out / "huge.y4m"
    huge.write_bytes(b"YUV4MPEG2 W200000 H200000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + b"\x80" * 4096)
    files.append(huge)
    zero_frames = out / "header_only.mp4"
    zero_frames.write_bytes(data[:48])
    files.append(zero_frames)
    return files


def vfr_video(path: Path) -> Path:
    """Variable frame rate: frame durations alternate 20 ms / 60 ms / 100 ms."""
    import av

    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=1000)
        s.width, s.height, s.pix_fmt = 96, 64, "yuv420p"
        s.codec_context.time_base = __import__("fractions").Fraction(1, 1000)
        t = 0
        for i in range(60):
            img = np.full((64, 96, 3), 200 if i < 30 else 20, dtype=np.uint8)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts = t
            f.time_base = s.codec_context.time_base
            for pkt in s.encode(f):
                out.mux(pkt)
            t += (20, 60, 100)[i % 3]
        for pkt in s.encode():
            out.mux(pkt)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    d = tmp_path_factory.mktemp("hostile")
    base = make_video(d / "base.mp4", [("red", 1.0), ("blue", 1.0), ("green", 1.0)], audio=True)
    bad_dir = d / "bad"
    bad_dir.mkdir()
    bad = corrupt_files(base, bad_dir)
    good = [
        make_video(d / "naïve vidéo ñ 名前.mp4", [("white", 1.5), ("black", 1.5)]),
        vfr_video(d / "vfr.mkv"),
        make_video(d / "mpeg4 codec.avi", [("blue", 1.0)], codec="mpeg4"),
    ]
    return d, bad, good


def test_decode_path_fuzz_raises_only_badvideo(hostile: tuple[Path, list[Path], list[Path]]) -> None:
    _, bad, _ = hostile
    outcomes = {"ok": 0, "rejected": 0}
    for p in bad:
        try:
            info = probe(p)
            n = sum(1 for _ in iter_frames(str(p), width=32))
            frames_at(str(p), [0.1, info.duration / 2, info.duration + 5], width=32)
            assert n >= 1
            outcomes["ok"] += 1
        except BadVideo as exc:
            assert str(p) in str(exc) and "\n" not in str(exc)
            outcomes["rejected"] += 1
    SUMMARY.append(f"fuzz: {len(bad)} malformed files through probe/decode: {outcomes}")
    count("hostile files tried", len(bad))
    assert sum(outcomes.values()) == len(bad) >= 30
    assert outcomes["rejected"] >= 10


def test_batch_with_hostile_files_goes_on(
    tmp_path: Path, hostile: tuple[Path, list[Path], list[Path]], colour_config: Path
) -> None:
    _, bad, good = hostile
    store = tmp_path / "st"
    report = vidagent.index([*bad, *good], store=store, config=colour_config)
    by_path = {Path(f.path): f for f in report.files}
    assert len(by_path) == len(bad) + len(good)
    for g in good:
        assert by_path[g].status == "indexed", by_path[g].error
    assert by_path[bad[0].parent / "huge.y4m"].status == "failed"
    assert (
        "implausible" in by_path[bad[0].parent / "huge.y4m"].error
        or "not a readable" in by_path[bad[0].parent / "huge.y4m"].error
    )
    for f in report.failed:
        assert "\n" not in f.error and Path(f.path).name in f.error
    # Nothing partial: every stored description belongs to a file that indexed, and counts agree.
    st = Store(store, create=False)
    try:
        stats = st.stats()
        ok_hashes = {f.hash for f in report.files if f.status != "failed"}
        assert {r["video_hash"] for r in st.active_rows()} <= ok_hashes
        assert stats["descriptions"] == stats["clips"] == sum(f.clips for f in report.files if f.status != "failed")
    finally:
        st.close()
    SUMMARY.append(
        f"hostile batch: {len(report.files)} files indexed in one run, {len(report.failed)} "
        "rejected with one line each, the rest searchable"
    )
    hits = vidagent.search("a black coloured screen", store=store, config=colour_config, top_k=1)
    assert hits and "naïve" in hits[0].video
