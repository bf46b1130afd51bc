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


def _with_square(img: np.ndarray, x: int) -> np.ndarray:
    out = img.copy()
    out[200:230, x : x + 30] = (200, 60, 60)  # something moving away from the text
    return out


def test_static_title_is_recognised_once_and_reads_the_same() -> None:
    a = _title("OPEN MOVIE 2008")
    frames = [
        a,
        _title("OPEN MOVIE 2008", noise=1, seed=1),
        np.full((252, 448, 3), 30, np.uint8),
        a,
        _with_square(a, 300),
        _title("BLENDER FOUNDATION"),
        _title("BLENDER FOUNDATION", x=120),
    ]
    fast, full = _pair()
    got, want = fast.read(frames), full.read(frames)
    assert got == want
    assert "OPEN MOVIE 2008" in " ".join(want[0]) and "BLENDER" in " ".join(want[5])
    s = fast.scanner.stats
    # 1: the same frame within compression-like noise (not even detected); 2: no text (detector only);
    # 3: follows a text-less frame, read; 4: something moved but the text boxes and their pixels did not
    # (recogniser skipped); 6: the text moved, read again.
    assert (s.frames, s.unchanged, s.with_text, s.reused, s.recognised) == (7, 1, 5, 1, 4)
    assert s.recogniser_calls_saved == 3
    assert full.scanner.stats.recognised == 6 and full.scanner.stats.reused == 0


def test_small_text_appearing_on_a_held_frame_is_read() -> None:
    import cv2

    a = _title("OPEN MOVIE 2008")
    b = a.copy()
    cv2.putText(b, "FIN 42", (330, 230), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (240, 240, 240), 1, cv2.LINE_AA)
    fast, full = _pair()
    got, want = fast.read([a, b]), full.read([a, b])
    assert got == want and len(got[1]) == len(got[0]) + 1
    assert fast.scanner.stats.unchanged == 0 and fast.scanner.stats.recognised == 2


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
    frames = [img for _, img in frames_between(corpus / "large" / "moviepy_bbb_full.mp4", 560.0, 596.0, 1.0, width=448)]
    fast, full = _pair()
    got, want = fast.read(frames), full.read(frames)
    assert got == want  # every frame's lines, not only the merged set
    merged = dedupe_lines(got)
    assert any("pioneers" in line.lower() for line in merged) and len(merged) >= 3
    s = fast.scanner.stats
    assert s.frames == len(frames) and s.recognised + s.reused == s.with_text < s.frames


@pytest.mark.slow
def test_trailer_static_titles_skip_the_recogniser(corpus, frames_between) -> None:  # type: ignore[no-untyped-def]
    frames = [img for _, img in frames_between(corpus / "small" / "moviepy_trailer_bbb.mp4", 0.0, 60.0, 1.0, width=448)]
    fast, full = _pair()
    assert fast.read(frames) == full.read(frames)
    s = fast.scanner.stats
    assert s.reused + s.unchanged >= 1 and s.recognised < full.scanner.stats.recognised
