"""Test-only plugins, loaded in subprocesses through VIDAGENT_PLUGINS=tests.plugins (the same hook a
user's own describer module would use)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vidagent.describe import Describer, register_describer
from vidagent.scenes import register_detector
from vidagent.types import ClipInput, Description, VideoInfo

COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 200, 40),
    "blue": (30, 40, 220),
    "yellow": (230, 220, 40),
    "white": (240, 240, 240),
    "black": (10, 10, 10),
}


class ColourDescriber(Describer):
    """Test double: names the dominant colour of a clip's keyframes. Deterministic and instant."""

    name = "test-colour"
    model_id = "test/colour-v1"
    version = "1"
    calls = 0

    def __init__(self, config: object = None) -> None:
        pass

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        type(self).calls += len(items)
        out = []
        for item in items:
            mean = np.mean([f.image.reshape(-1, 3).mean(0) for f in item.frames], axis=0)
            name = min(COLOURS, key=lambda c: float(np.sum((np.array(COLOURS[c]) - mean) ** 2)))
            out.append(
                Description(
                    caption=f"a {name} coloured screen", tags=[(name, 1.0)], frame_times=[f.time for f in item.frames]
                )
            )
        return out


register_describer("test-colour", ColourDescriber)


class SlowColourDescriber(ColourDescriber):
    """The colour double, slowed down (VIDAGENT_TEST_DELAY seconds per clip) so a test can kill a run
    part-way through describing."""

    name = "test-slow-colour"

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        import os
        import time

        time.sleep(float(os.environ.get("VIDAGENT_TEST_DELAY", "0.2")) * len(items))
        return super().describe_batch(items, prompt)


register_describer("test-slow-colour", SlowColourDescriber)


class TruncatingDescriber(ColourDescriber):
    """Cuts its video file to 40% on the first batch, as a file changing while being read would."""

    name = "test-truncating"
    target = ""

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        import os

        if type(self).target and os.path.exists(type(self).target):
            size = os.path.getsize(type(self).target)
            with open(type(self).target, "r+b") as f:
                f.truncate(int(size * 0.4))
            type(self).target = ""
        return super().describe_batch(items, prompt)


register_describer("test-truncating", TruncatingDescriber)


class BrokenDescriber(ColourDescriber):
    """A describer whose models cannot load (as with missing weights and no network)."""

    name = "test-broken"
    loads = 0

    def load(self) -> None:
        type(self).loads += 1
        raise OSError("no weights at /nowhere and no network")


register_describer("test-broken", BrokenDescriber)


class EverySecondDetector:
    """Test double shot detector: a new shot every `fps` frames (one per second of a 25 fps video)."""

    pix_fmt = "rgb24"
    width = 32
    frame_size = None

    def __init__(self, fps: float) -> None:
        self.every = max(1, round(fps))

    def process_frame(self, index: int, image: np.ndarray) -> list[int]:
        return [index] if index and index % self.every == 0 else []

    def finish(self, last_index: int) -> list[int]:
        return []


def make_every_second(cfg: object, info: VideoInfo) -> EverySecondDetector:
    return EverySecondDetector(info.fps)


register_detector("test-every-second", make_every_second, summary="test double: a cut every second")
