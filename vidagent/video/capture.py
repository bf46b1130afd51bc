"""Keyframes kept from the scene pass, so that a new video is decoded once where that pays (#14).

Scene detection decodes every frame of a new video; the describer then wanted 3 frames per clip and
decoded them again (the film: a second pass of 10-13 CPU s, after skipping the frames no keyframe can
be). A clip's keyframe times depend on its end, known only after later cuts, so any frame of an open
clip may turn out to be wanted, and keeping every frame costs more than the second pass (~0.8 ms a
720p frame to convert to the describer's size, or ~1.4 MB a frame held as decoded). So:

- keyframes sit on a time grid (`clips.keyframe_grid`, 1/8 s: a keyframe is at most 1/16 s from the
  centre of its part of the clip), and the scene pass holds only the decoded frames at grid times
  (the first frame at or after each, as `frames_at` picks them);
- when clips settle (`clips.settled_clips`, a few seconds of video behind the decoder), their
  keyframes are converted, exactly as the second pass converts them (the same `Scaler`), and the other
  grid frames before them are dropped: the film converts its 273 keyframes, not its 4700 grid frames;
- the describe loop takes the converted frames and releases everything before the clips it has read.

Memory is bounded (`max_bytes`): past it the oldest held frames are converted early (a third of the
bytes), and past that nothing more is kept. The second pass (`inputs.read_inputs`) decodes whatever was
not kept: clips of videos whose scenes were found before (re-runs, the lookahead of a many-file run),
times off the grid (a clip shorter than the step; describers choosing their own frame count), frames
over budget, and the coarse detection decode (`scenes.fast_decode`: different pixels), which keeps none.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..types import Frame
from .scale import Scaler

#: bytes held at most: ~190 720p frames as decoded, or ~780 converted to 448 px
MAX_BYTES = 256 << 20


@dataclass
class CaptureStats:
    held: int = 0  # decoded frames held at grid times
    converted: int = 0  # frames converted to the describer's size
    taken: int = 0  # keyframe times served from kept frames
    over_budget: int = 0  # grid times not kept because `max_bytes` was reached
    peak_bytes: int = 0


@dataclass
class _Kept:
    time: float  # the frame's own time
    obj: Any  # the decoded frame, or its converted image (np.ndarray)


def _size(obj: Any) -> int:
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    return sum(int(p.buffer_size) for p in obj.planes)


class KeyframeCapture:
    """Frames at every multiple of `grid` seconds from one decoding pass, until settled or released."""

    def __init__(self, grid: float, width: int, max_bytes: int = MAX_BYTES) -> None:
        if grid <= 0:
            raise ValueError("grid must be positive")
        self.grid = grid
        self.width = width
        self.max_bytes = max_bytes
        self.stats = CaptureStats()
        self._k = 0  # the next grid index to fill
        self._kept: dict[float, _Kept] = {}  # grid time -> frame
        self._refs: dict[int, int] = {}  # id(obj) -> grid times it serves (a frame can serve several)
        self._bytes = 0
        self._until = 0.0  # grid times before this are settled or released: only wanted ones stay
        self._scaler: Scaler | None = None
        self._lock = threading.RLock()

    # -- the decoding thread ----------------------------------------------------------------------
    def begin(self, coded_width: int, coded_height: int) -> None:
        """The stream's size as `frames_at` reads it (the codec's, which a frame's may differ from)."""
        from .decode import _scaled

        self._scaler = Scaler(*_scaled(coded_width, coded_height, self.width), "rgb24")

    def offer(self, frame: Any, t: float) -> None:
        """Called with every decoded frame in presentation order (`t`: seconds from the stream start,
        as `frames_at` computes them): the first frame at or after each grid time is held. Nothing is
        held before `begin` has given the stream's size (a frame's own size may differ from it)."""
        if self._scaler is None:
            return
        while True:
            g = round(self._k * self.grid, 3)
            if t + 1e-3 < g:
                return
            self._k += 1
            with self._lock:
                if g < self._until:
                    continue
                self._add(g, _Kept(t, frame))
                self._fit(g)

    # -- the detection thread, as clips settle ----------------------------------------------------
    def settle(self, times: Iterable[float], until: float) -> None:
        """Clips up to `until` are final and want these keyframe times: convert those, drop the rest."""
        wanted = {round(t, 3) for t in times}
        with self._lock:
            for g in sorted(self._kept):
                if g >= until:
                    break
                if g in wanted:
                    self._convert(g)
                else:
                    self._drop(g)
            self._until = max(self._until, until)

    # -- the describe loop ------------------------------------------------------------------------
    def take(self, times: Sequence[float]) -> dict[float, Frame]:
        """The kept frames at these times, converted; times not kept are absent."""
        found = {}
        with self._lock:
            for t in times:
                g = round(t, 3)
                if g in self._kept:
                    self._convert(g)
                    k = self._kept[g]
                    found[t] = Frame(time=k.time, image=k.obj)
        self.stats.taken += len(found)
        return found

    def release(self, before: float) -> None:
        """Drop everything kept for times before `before` (the clips up to there have been read)."""
        with self._lock:
            for g in [g for g in self._kept if g < before]:
                self._drop(g)
            self._until = max(self._until, before)

    def close(self) -> None:
        """Drop everything (the video is done)."""
        self.release(float("inf"))

    # -- bookkeeping (under the lock) -------------------------------------------------------------
    def _add(self, g: float, kept: _Kept) -> None:
        key = id(kept.obj)
        if key not in self._refs:
            self._bytes += _size(kept.obj)
            if not isinstance(kept.obj, np.ndarray):
                self.stats.held += 1
        self._refs[key] = self._refs.get(key, 0) + 1
        self._kept[g] = kept
        self.stats.peak_bytes = max(self.stats.peak_bytes, self._bytes)

    def _drop(self, g: float) -> None:
        kept = self._kept.pop(g)
        key = id(kept.obj)
        left = self._refs.pop(key) - 1
        if left:
            self._refs[key] = left
        else:
            self._bytes -= _size(kept.obj)

    def _convert(self, g: float) -> None:
        """Replace a held frame by its image at the describer's size (every grid time it serves)."""
        raw = self._kept[g].obj
        if isinstance(raw, np.ndarray) or self._scaler is None:
            return
        image = self._scaler(raw)
        self.stats.converted += 1
        for other in [o for o, k in self._kept.items() if k.obj is raw]:
            t = self._kept[other].time
            self._drop(other)
            self._add(other, _Kept(t, image))

    def _fit(self, newest: float) -> None:
        """Within `max_bytes`: convert the oldest held frames, then give up the newest grid time."""
        if self._bytes <= self.max_bytes:
            return
        for g in sorted(self._kept):
            if self._bytes <= self.max_bytes:
                return
            if not isinstance(self._kept[g].obj, np.ndarray):
                self._convert(g)
        if self._bytes > self.max_bytes and newest in self._kept:
            self._drop(newest)
            self.stats.over_budget += 1
