"""Sentences said in a clip: a transcript's segments cut into sentences, and a sentence the speech
recogniser cut at a pause joined again (it answers only when read whole). Pure, no models."""

from __future__ import annotations

import re

from ..perception.layout import normalise
from ..types import Segment
from .words import tokens


def word_window(
    words: list[tuple[float, float, str]], start: float, end: float, seg: Segment, answer: str
) -> tuple[float, float]:
    """The spoken words of the answer (word timestamps when the clip was re-read), else the sentence."""
    want = [normalise(w) for w in tokens(answer)]
    ws = [(a, b, normalise(t)) for a, b, t in words if seg.start - 0.5 <= a <= seg.end + 0.5]
    if want and ws:
        for i in range(len(ws)):
            if ws[i][2] == want[0]:
                j = min(i + len(want) - 1, len(ws) - 1)
                return max(start, ws[i][0] - 0.3), min(max(end, seg.end), ws[j][1] + 0.3)
    return seg.start, seg.end


def sentences(seg: Segment) -> list[Segment]:
    """Split a segment into sentences, sharing its time proportionally to length."""
    parts = [p for p in re.split(r"(?<=[.!?])\s+", " ".join(seg.text.split())) if sum(c.isalnum() for c in p) >= 3]
    total = sum(len(p) for p in parts) or 1
    out, t = [], seg.start
    for p in parts:
        dt = (seg.end - seg.start) * len(p) / total
        out.append(Segment(t, t + dt, p))
        t += dt
    return out


#: a pause longer than this (s) ends a sentence the transcriber left open
SENTENCE_PAUSE = 1.0
SENTENCE_WORDS = 60  # ... and a joined sentence of this many words is not joined further


def whole_sentences(speech: list[Segment]) -> list[Segment]:
    """The clip's segments in order, a segment that ends mid-sentence joined with the next: speech
    recognisers cut at pauses, not sentences ("Did you know that when you create something, ..." /
    "you automatically own ... copyright"), and a sentence answers only when it is read whole."""
    out: list[Segment] = []
    for seg in sorted(speech, key=lambda x: x.start):
        prev = out[-1] if out else None
        if (
            prev is not None
            and not re.search(r"[.!?][\"')\]]*$", prev.text.strip())
            and seg.start - prev.end <= SENTENCE_PAUSE
            and len(prev.text.split()) + len(seg.text.split()) <= SENTENCE_WORDS
        ):
            out[-1] = Segment(prev.start, max(prev.end, seg.end), f"{prev.text.strip()} {seg.text.strip()}")
        else:
            out.append(seg)
    return out
