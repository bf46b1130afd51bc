"""Keyframes kept from the scene pass (vidagent/video/capture.py): the same arrays a second pass decodes,
only the settled clips' keyframes converted, memory within its budget, and the indexer's store the same
whether the frames were kept or decoded again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vidagent import pipeline
from vidagent.clips import keyframe_times
from vidagent.config import load_settings
from vidagent.pipeline import Indexer
from vidagent.store import Store
from vidagent.video import frames_at, iter_frames, probe
from vidagent.video.capture import KeyframeCapture

from .conftest import make_video


def bframe_video(path: Path, seconds: float = 4.0, fps: int = 30) -> Path:
    """Noisy moving content, x264 with B-frames and a short GOP: frames are reordered and differ."""
    import av

    rng = np.random.default_rng(0)
    w, h = 192, 108
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "veryfast", "g": "24", "bf": "3"}
        for n in range(round(seconds * fps)):
            img = rng.integers(0, 40, (h, w, 3), dtype=np.uint8)
            x = (n * 5) % (w - 24)
            img[30:70, x : x + 24] = (200, 60 + n % 100, 30)
            for packet in vs.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    return path


def _scene_pass(path: Path, cap: KeyframeCapture) -> None:
    for _ in iter_frames(str(path), width=64, pix_fmt="bgr24", capture=cap):
        pass


def _assert_same(path: Path, kept: dict[float, object], width: int) -> None:
    times = sorted(kept)
    decoded = frames_at(str(path), times, width=width, one_thread=True)
    for t, f in zip(times, decoded, strict=True):
        k = kept[t]
        assert k.time == pytest.approx(f.time)  # type: ignore[attr-defined]
        assert np.array_equal(k.image, f.image)  # type: ignore[attr-defined]


def test_kept_frames_are_the_frames_a_second_pass_decodes(tmp_path: Path) -> None:
    video = bframe_video(tmp_path / "b.mp4")
    cap = KeyframeCapture(0.125, 96)
    _scene_pass(video, cap)
    grid = [round(k * 0.125, 3) for k in range(32)]  # 0 .. 3.875 s
    kept = cap.take(grid)
    assert sorted(kept) == grid and cap.stats.converted == len(grid)
    _assert_same(video, kept, 96)
    assert cap.take([0.1]) == {}  # off the grid: not kept, decoded by the second pass


def test_kept_frames_match_on_real_files(corpus: Path) -> None:
    """H.264 with B-frames and frame threads (the trailer), Theora, MPEG-4 part 2: every kept frame is
    the second pass's frame, array for array."""
    names = ["small/moviepy_trailer_bbb.mp4", "small/nbsphinx_Shepard_Calais_1906_FrenchGP_160p.ogv"]
    names += ["large/opencv_vtest.avi"]
    for name in names:
        path = corpus / name
        if not path.exists():
            continue
        cap = KeyframeCapture(0.125, 448, max_bytes=1 << 40)
        _scene_pass(path, cap)
        info = probe(str(path))
        rng = np.random.default_rng(1)
        times = sorted({round(float(k) * 0.125, 3) for k in rng.integers(0, int(info.duration * 8) - 1, 25)})
        kept = cap.take(times)
        assert sorted(kept) == times, name
        _assert_same(path, kept, 448)


def test_settling_converts_only_the_keyframes_and_memory_stays_in_budget(tmp_path: Path) -> None:
    video = bframe_video(tmp_path / "b.mp4", seconds=6.0)
    raw = 192 * 108 * 3 // 2  # one decoded 4:2:0 frame
    cap = KeyframeCapture(0.125, 96, max_bytes=10 * raw)
    seen: list[int] = []
    real_offer = cap.offer

    def offer(frame: object, t: float) -> None:
        real_offer(frame, t)
        seen.append(cap._bytes)  # noqa: SLF001 - the budget is the point of this test
        if t >= 1.0 and not cap._until:  # noqa: SLF001
            cap.settle(keyframe_times(0.0, 0.9, 3, 0.125), 0.9)  # a clip 0-0.9 s settles

    cap.offer = offer  # type: ignore[method-assign]
    _scene_pass(video, cap)
    assert max(seen) <= 10 * raw and cap.stats.over_budget > 0  # held within budget: later times given up
    wanted = keyframe_times(0.0, 0.9, 3, 0.125)
    kept = cap.take(wanted)
    assert sorted(kept) == sorted(wanted)
    _assert_same(video, kept, 96)
    assert cap.take([0.25, 0.375, 0.625]) == {}  # grid times of the settled clip that are no keyframes: dropped
    cap.release(2.0)
    assert all(g >= 2.0 for g in cap._kept)  # noqa: SLF001
    cap.close()
    assert cap._bytes == 0 and not cap._kept  # noqa: SLF001


def _rows(store: Path) -> list[tuple[str, str, str]]:
    st = Store(store)
    try:
        return sorted((r.clip_id, r.caption, str(r.tags)) for r in st.active_rows())
    finally:
        st.close()


def test_index_with_kept_frames_stores_what_a_second_pass_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offline describer (tagger, colour, people, OCR) on kept frames and on decoded frames: the same
    rows; and the kept ones really served every keyframe."""
    video = make_video(tmp_path / "v.mp4", [("red", 2.5), ("blue", 3.0), ("green", 2.6)], size=(256, 144))
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "clips:\n  min_duration: 1.0\n  keyframe_grid: 0.125\ndescribe:\n  signals: [colour]\n  speech: false\n"
    )
    stats: list[object] = []
    real = pipeline.keyframe_capture

    def recording(settings: object, describer: object) -> object:
        cap = real(settings, describer)  # type: ignore[arg-type]
        stats.append(cap.stats)
        return cap

    monkeypatch.setattr(pipeline, "keyframe_capture", recording)
    st = Store(tmp_path / "kept")
    try:
        assert Indexer(st, load_settings(cfg)).run([str(video)]).files[0].status == "indexed"
        clips = st.active_rows()
    finally:
        st.close()
    assert stats and stats[0].taken == 3 * len(clips) > 0  # type: ignore[attr-defined]
    monkeypatch.setattr(pipeline, "keyframe_capture", lambda settings, describer: None)
    st = Store(tmp_path / "decoded")
    try:
        Indexer(st, load_settings(cfg)).run([str(video)])
    finally:
        st.close()
    assert _rows(tmp_path / "kept") == _rows(tmp_path / "decoded")


def test_by_default_keyframes_are_exact_and_decoded_again() -> None:
    """The grid is opt-in: the default plan keeps the exact centres (and its stage key, so stores built
    before the setting existed keep their plans), and no frames are kept."""
    from vidagent.config import ClipsConfig, Settings, stage_key
    from vidagent.describe import get_describer
    from vidagent.inputs import keyframe_capture

    assert keyframe_capture(Settings(), get_describer("offline")) is None
    assert "keyframe_grid" not in ClipsConfig().key_dump()
    assert stage_key("clips", "k", ClipsConfig(keyframe_grid=0.125)) != stage_key("clips", "k", ClipsConfig())


def test_the_example_config_turns_it_on() -> None:
    from vidagent.config import load_settings
    from vidagent.describe import get_describer
    from vidagent.inputs import keyframe_capture

    from .conftest import REPO

    settings = load_settings(REPO / "examples" / "configs" / "one_decode.yaml")
    cap = keyframe_capture(settings, get_describer("offline"))
    assert cap is not None and cap.grid == 0.125 and cap.width == settings.describe.frame_width
    fast = load_settings(REPO / "examples" / "configs" / "fast_cpu.yaml")  # its coarse decode keeps none
    assert keyframe_capture(fast.model_copy(update={"clips": settings.clips}), get_describer("offline")) is None
