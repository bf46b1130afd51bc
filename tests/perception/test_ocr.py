"""RapidOCR on the Big Buck Bunny end credits, and line de-duplication."""

from __future__ import annotations

import time

import pytest

from vidagent.perception.ocr import TextReader, dedupe_lines, normalise


def test_dedupe_merges_jitter_and_keeps_order() -> None:
    frames = [
        ["BIG BUCK BUNNY", "Digital Pioneers fund"],
        ["BIG  BUCK BUNNY.", "Digital Pioneers fnd", "DOLBY"],
        ["DODOLBY", "Blender Foundation", "Digital Pioneers"],
    ]
    assert dedupe_lines(frames) == ["BIG BUCK BUNNY", "Digital Pioneers fund", "DODOLBY", "Blender Foundation"]
    assert dedupe_lines([["", "  "], []]) == []
    assert normalise("WWW.BigBuckBunny.ORG ") == "wwwbigbuckbunnyorg"


@pytest.mark.slow
def test_reads_big_buck_bunny_credits(corpus, frames_between) -> None:  # type: ignore[no-untyped-def]
    # Keyframes as the pipeline decodes them (448 px wide), every 2 s through the credits.
    frames = frames_between(corpus / "large" / "moviepy_bbb_full.mp4", 565.0, 585.0, 2.0, width=448)
    assert len(frames) >= 9
    reader = TextReader.shared()
    reader.read([frames[0][1]])  # load the sessions outside the timing
    t0 = time.perf_counter()
    lines = reader.read([img for _, img in frames])
    ms = (time.perf_counter() - t0) * 1000 / len(frames)
    merged = dedupe_lines(lines)
    print(f"{ms:.0f} ms/frame at 448 px; {len(merged)} lines: {merged}")
    keys = [normalise(line) for line in merged]
    assert any("digitalpioneers" in k for k in keys)
    assert any("wwwbigbuckbunnyorg" in k for k in keys)
    assert any("blenderfoundation" in k for k in keys)
    found_at = [t for (t, _), ls in zip(frames, lines, strict=True) if any("pioneers" in normalise(x) for x in ls)]
    assert found_at and all(567 <= t <= 577 for t in found_at)
    assert len(merged) < sum(len(x) for x in lines)  # the same credits on several frames count once


def test_sessions_sleep_when_idle_and_keep_their_memory_arena() -> None:
    """RapidOCR's own options turn the arena off and let idle threads spin; the reader's sessions are
    built with both changed (docs/performance.md), or the text would cost ~7% more CPU."""
    engine = TextReader().load()
    for part in (engine.text_det, engine.text_rec):
        opts = part.session.session.get_session_options()
        assert opts.enable_cpu_mem_arena
        assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"
