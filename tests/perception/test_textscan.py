"""OCR reads only new text: the recogniser is skipped on frames whose text boxes and pixels did not change,
with the same lines as a full pass (synthetic titles, and the Big Buck Bunny credits)."""

from __future__ import annotations

import numpy as np
import pytest

from vidagent.perception.ocr import TextReader, dedupe_lines


def _title(text: str, noise: int = 0, seed: int = 0, x: int = 40) -> np.ndarray:
    import cv2

    img = np.full((252, 448, 3), 30, np.uint8)
    cv2.putText(img, text, (x, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (240, 240, 240), 3, cv2.LINE_AA)
    if noise:  # compression-like jitter: small changes everywhere
        rng = np.random.default_rng(seed)
        img = np.clip(img.astype(np.int16) + rng.integers(-noise, noise + 1, img.shape), 0, 255).astype(np.uint8)
    return img


def _pair() -> tuple[TextReader, TextReader]:
    fast, full = TextReader(), TextReader()
    full.scanner.reuse = False
    return fast, full


def test_static_title_is_recognised_once_and_reads_the_same() -> None:
    frames = [_title("OPEN MOVIE 2008"), _title("OPEN MOVIE 2008", noise=1, seed=1), np.full((252, 448, 3), 30, np.uint8),
              _title("OPEN MOVIE 2008", noise=1, seed=2), _title("BLENDER FOUNDATION"),
              _title("BLENDER FOUNDATION", x=120)]
    fast, full = _pair()
    got, want = fast.read(frames), full.read(frames)
    assert got == want
    assert "OPEN MOVIE 2008" in " ".join(want[0]) and "FOUNDATION" in " ".join(want[4])
    s = fast.scanner.stats
    # frame 1 repeats frame 0; frame 2 has no text (detector only); frame 3 follows a text-less frame;
    # frame 5 moved: boxes changed, so it is read again.
    assert (s.frames, s.with_text, s.reused, s.recognised) == (6, 5, 1, 4)
    assert s.recogniser_calls_saved == 2
    assert full.scanner.stats.recognised == 5 and full.scanner.stats.reused == 0


def test_changed_pixels_inside_the_same_boxes_are_read_again() -> None:
    # Same layout, different words of the same width: the boxes match but the pixels inside do not.
    frames = [_title("CREDITS 0123"), _title("CREDITS 4567")]
    fast, full = _pair()
    assert fast.read(frames) == full.read(frames)
    assert fast.scanner.stats.reused == 0 and fast.scanner.stats.recognised == 2


@pytest.mark.slow
def test_film_credits_read_the_same(corpus, frames_between) -> None:  # type: ignore[no-untyped-def]
    # Every second through the end credits, at the pipeline's keyframe width. These credits scroll, so
    # every frame with text is recognised; the point is that the text read is the same as before.
    frames = [img for _, img in frames_between(corpus / "large" / "moviepy_bbb_full.mp4", 560.0, 596.0, 1.0,
                                               width=448)]
    fast, full = _pair()
    got, want = fast.read(frames), full.read(frames)
    assert got == want  # every frame's lines, not only the merged set
    merged = dedupe_lines(got)
    assert any("pioneers" in line.lower() for line in merged) and len(merged) >= 3
    s = fast.scanner.stats
    assert s.frames == len(frames) and s.recognised + s.reused == s.with_text < s.frames


@pytest.mark.slow
def test_trailer_static_titles_skip_the_recogniser(corpus, frames_between) -> None:  # type: ignore[no-untyped-def]
    frames = [img for _, img in frames_between(corpus / "small" / "moviepy_trailer_bbb.mp4", 0.0, 60.0, 1.0,
                                               width=448)]
    fast, full = _pair()
    assert fast.read(frames) == full.read(frames)
    s = fast.scanner.stats
    assert s.reused >= 1 and s.recognised < full.scanner.stats.recognised
