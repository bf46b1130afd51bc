"""Describe a video's first clips while its later cuts are still being detected.

A video's clips used to wait for its whole scene detection, so one video alone (a film) kept one core
idle through each stage: detection is one decode thread, describing is mostly ONNX Runtime. Clip
planning merges short shots left to right, so a clip is fixed as soon as two groups of shots after it
are known (`clips.settled_clips`); `ShotStream` runs the detection in a thread and hands out those
clips as they settle, and the executor describes them in batches meanwhile.

Crash safety is as before: the stream touches no store; descriptions are committed per batch under the
clip's content id, and the scenes and the clip plan are stored when the detection ends. A run stopped
part-way (Ctrl-C, kill -9) leaves described clips that no plan names yet (search reads only a video's
active plan); the re-run detects the scenes again, plans the same clips and describes only the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .clips import settled_clips
from .config import ClipsConfig, ScenesConfig
from .lookahead import Aborted
from .types import Clip, Scene, VideoInfo

Detect = Callable[..., list[Scene]]


class Batches(Protocol):
    """Where the executor's describe loop takes its batches from."""

    def next(self, block: bool) -> list[Clip] | None:
        """The next batch (None: none now, or no more); `block` waits for one."""

    def exhausted(self) -> bool:
        """No batch will come any more."""

    def total(self, done: int) -> int:
        """Clips expected in all, for the progress bar."""


class ShotStream:
    """One video's scene detection in a background thread, its settled clips readable as they come."""

    def __init__(
        self, info: VideoInfo, scenes: ScenesConfig, clips: ClipsConfig, detect: Detect, capture: Any = None
    ) -> None:
        self.info = info
        #: keeps the describer's keyframes from the detection pass (`video/capture.py`), or None
        self.capture = capture
        self._clips_cfg = clips
        self._detect = detect
        self._cfg = scenes
        self._cond = threading.Condition()
        self._abort = threading.Event()
        self._settled: list[Clip] = []
        self._scenes: list[Scene] | None = None
        self._error: BaseException | None = None
        self.seconds = 0.0
        #: seconds of video decoded so far (the scenes progress bar)
        self.position = 0.0
        self._thread = threading.Thread(target=self._run, name="vidagent-shots", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        t0 = time.perf_counter()

        def tick(t: float) -> None:
            self.position = t
            if self._abort.is_set():
                raise Aborted()

        try:
            if self.capture is None:
                found = self._detect(self.info, self._cfg, tick, self._on_shots)
            else:
                found = self._detect(self.info, self._cfg, tick, self._on_shots, capture=self.capture)
        except BaseException as exc:  # handed to the reader, raised there
            with self._cond:
                self._error = exc
                self._cond.notify_all()
            return
        with self._cond:
            self.seconds = time.perf_counter() - t0
            self._scenes = found
            self.position = self.info.duration
            self._cond.notify_all()

    def _on_shots(self, complete: list[Scene]) -> None:
        clips = settled_clips(self.info.hash, complete, self._clips_cfg)
        if len(clips) > len(self._settled):
            if self.capture is not None:  # their keyframes are known now: keep those frames only
                self.capture.settle([t for c in clips for t in c.keyframes], clips[-1].end)
            with self._cond:
                self._settled = clips
                self._cond.notify_all()

    @property
    def finished(self) -> bool:
        return self._scenes is not None or self._error is not None

    def settled(self, have: int, want: int, timeout: float) -> tuple[list[Clip], bool]:
        """(settled clips, detection finished), waiting up to `timeout` s for `want` clips beyond the
        first `have`; raises the detection's error."""
        with self._cond:
            self._cond.wait_for(lambda: self.finished or len(self._settled) >= have + want, timeout)
            if self._error is not None:
                raise self._error
            return list(self._settled), self._scenes is not None

    def result(self) -> tuple[list[Scene], float]:
        """The whole video's shots and the detection's seconds (waits for the end)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._scenes is not None
        return self._scenes, self.seconds

    def close(self) -> None:
        """Stop the detection (at its next progress tick) and wait for the thread; nothing is kept."""
        self._abort.set()
        self._thread.join()


class StreamBatches:
    """Describe batches from a `ShotStream`: `size` settled clips not described yet, in order."""

    def __init__(
        self,
        stream: ShotStream,
        size: int,
        todo: Callable[[Sequence[Clip]], list[Clip]],
        stopping: Callable[[], bool],
        tick: Callable[[], None],
    ) -> None:
        self.stream = stream
        self.size = size
        self._todo = todo
        self._stopping = stopping
        self._tick = tick
        self._seen = 0  # settled clips already handed out or found described
        self._ready: list[Clip] = []
        self.ended = False

    def next(self, block: bool) -> list[Clip] | None:
        """The next batch; without `block`, only one that is ready now. None once detection has
        ended: the clips not settled by then are described from the final plan."""
        while len(self._ready) < self.size and not self.ended:
            clips, finished = self.stream.settled(self._seen, self.size, 0.5 if block else 0.0)
            if len(clips) > self._seen:
                self._ready.extend(self._todo(clips[self._seen :]))
                self._seen = len(clips)
            self.ended = finished
            self._tick()
            if not block or self._stopping():
                break
        if len(self._ready) >= self.size:  # a short last batch waits for the final plan's clips
            batch, self._ready = self._ready[: self.size], self._ready[self.size :]
            return batch
        return None

    def exhausted(self) -> bool:
        return self.ended

    def total(self, done: int) -> int:
        """Clips expected in all (for the progress bar): those settled, plus the rest of the video at
        the settled clips' mean length."""
        clips, _ = self.stream.settled(0, 0, 0.0)
        if not clips:
            return max(done, 1)
        per = max(clips[-1].end / len(clips), 1e-3)
        return max(done, len(clips) + round(max(self.stream.info.duration - clips[-1].end, 0.0) / per))


class FixedBatches:
    """Describe batches of a known list of clips (a plan's clips not described yet)."""

    def __init__(self, clips: Sequence[Clip], size: int, before: int = 0) -> None:
        self._batches = [list(clips[b : b + size]) for b in range(0, len(clips), size)]
        self._total = before + len(clips)

    def next(self, block: bool) -> list[Clip] | None:
        return self._batches.pop(0) if self._batches else None

    def exhausted(self) -> bool:
        return not self._batches

    def total(self, done: int) -> int:
        return self._total
