"""Cheap visual signals beside the ImageNet tagger: people/faces, colour/light, codec motion, crops, WordNet kinds.

Each signal is computed from data the pipeline already decoded (keyframes) or from the codec's own
motion vectors, and comes out as caption phrases (searchable words) and, per signal, a text-space
vector so that fusion can weigh it as its own named space (`visual.people`, `visual.colour`,
`visual.motion`; see `vidagent.signals.fusion`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..types import ClipInput
from .colour import Light
from .motion import Motion
from .people import People

log = logging.getLogger("vidagent")

ALL = ("people", "colour", "motion", "crops", "hierarchy")
#: signal -> the named vector space its phrases are embedded into
SPACES = {"people": "visual.people", "colour": "visual.colour", "motion": "visual.motion"}
CAPTION_HEADS = {"people": "People", "colour": "Look", "motion": "Motion"}


@dataclass
class ClipSignals:
    """What the cheap signals found in one clip."""

    people: People | None = None
    light: Light | None = None
    motion: Motion | None = None
    phrases: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"phrases": self.phrases}
        if self.people is not None and self.people.available:
            out["people"] = {
                "persons": self.people.persons,
                "faces": self.people.faces,
                "close_up": self.people.close_up,
            }
        if self.light is not None:
            out["light"] = {
                "colours": self.light.colours,
                "grayscale": self.light.grayscale,
                "brightness": self.light.brightness,
            }
        if self.motion is not None and self.motion.frames:
            out["motion"] = self.motion.to_json()
        return out

    def caption(self) -> str:
        """ "People: a person, a face close-up. Look: dark. Motion: camera pans right." ("" when nothing)"""
        parts = [f"{CAPTION_HEADS[k]}: {', '.join(v)}." for k, v in self.phrases.items() if v]
        return " ".join(parts)


def analyse(items: Sequence[ClipInput], enabled: Sequence[str]) -> list[ClipSignals]:
    """Signals for a batch of clips (motion decodes each video's clips in one pass over its file)."""
    from . import colour, motion, people

    out = [ClipSignals() for _ in items]
    if "motion" in enabled:
        by_path: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            by_path.setdefault(item.video.path, []).append(i)
        for path, idx in by_path.items():
            spans = [(items[i].clip.start, items[i].clip.end) for i in idx]
            for i, m in zip(idx, motion.clip_motion(path, spans, items[idx[0]].video.fps), strict=True):
                out[i].motion = m
    for item, sig in zip(items, out, strict=True):
        images = [f.image for f in item.frames]
        if "people" in enabled and images:
            sig.people = people.analyse(images)
            sig.phrases["people"] = sig.people.words(speech=bool(item.speech))
        if "colour" in enabled and images:
            sig.light = colour.analyse(images)
            sig.phrases["colour"] = sig.light.words()
        if sig.motion is not None:
            sig.phrases["motion"] = sig.motion.words()
    return out


__all__ = ["ALL", "SPACES", "ClipSignals", "Light", "Motion", "People", "analyse"]
