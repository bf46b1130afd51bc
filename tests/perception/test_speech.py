"""Whisper tiny.en transcripts, and slicing a transcript to a clip."""

from __future__ import annotations

import re

import numpy as np
import pytest

from vidagent.perception.speech import Transcriber, slice_segments
from vidagent.types import Segment


def test_slice_segments_keeps_overlapping_and_clips_times() -> None:
    segs = [Segment(0.0, 2.0, "one"), Segment(2.0, 5.0, "two"), Segment(5.0, 6.0, "three"), Segment(9.0, 12.0, "four")]
    out = slice_segments(segs, 1.5, 5.2)
    assert [s.text for s in out] == ["two"]  # "one" is mostly outside, "three" barely inside
    assert out[0].start == 2.0 and out[0].end == 5.0
    assert [s.text for s in slice_segments(segs, 0.5, 2.5)] == ["one"]
    short = slice_segments(segs, 10.0, 11.0)  # a short clip inside a long sentence gets it
    assert [(s.start, s.end, s.text) for s in short] == [(10.0, 11.0, "four")]
    assert slice_segments(segs, 6.5, 8.5) == []
    assert slice_segments([], 0, 10) == []


def test_silence_gives_no_segments() -> None:
    assert Transcriber.shared().transcribe(np.zeros(16000 * 2, dtype=np.float32)) == []


@pytest.mark.slow
def test_transcribes_english_speech(corpus, audio_of) -> None:  # type: ignore[no-untyped-def]
    audio = audio_of(corpus / "small" / "psychopy_jwpIntro.mp4")
    segments = Transcriber.shared().transcribe(audio, offset=100.0)
    text = " ".join(s.text for s in segments)
    print(segments)
    words = re.findall(r"[A-Za-z']+", text)
    assert len(words) >= 8
    assert sum(c.isascii() for c in text) / len(text) > 0.95
    assert "university" in text.lower()
    assert all(100.0 <= s.start < s.end <= 100.0 + len(audio) / 16000 + 0.5 for s in segments)
