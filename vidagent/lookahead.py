"""Overlap the stages across videos: detect the next video's scenes while this one is described.

Scene detection is decode-bound (FFmpeg threads + OpenCV, both outside the GIL) and describing is
model-bound (ONNX Runtime, also outside the GIL); run one after the other per video, one core idles
through much of each stage. `SceneLookahead` keeps one video (a bounded queue of depth 1: memory stays
flat, and a run stopped part-way wastes at most one video's detection) being detected in a background
thread. It touches no store: the main thread probes the next file read-only, asks the store whether its
scenes are already known, and later takes the result (or the error, reported on that file's own line
as if detection had run in the main thread) in `Indexer.plan`. Ctrl-C and errors elsewhere `close()`
it: the detection stops at its next progress tick and nothing of it is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from .config import ScenesConfig, stage_key
from .types import Scene, VideoInfo

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger("vidagent")


class Aborted(BaseException):
    """Stops a background detection (the run ended or was interrupted); never reaches the user."""


class SceneLookahead:
    """At most `depth` videos' scene detection running ahead of the describe stage, in one thread."""

    def __init__(self, detect: Callable[..., list[Scene]], depth: int = 1) -> None:
        self._detect = detect
        self.depth = depth
        self._abort = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: dict[str, Future[tuple[list[Scene], float]]] = {}

    def wants(self) -> bool:
        return self.depth > 0 and len(self._jobs) < self.depth and not self._abort.is_set()

    def start(self, key: str, info: VideoInfo, cfg: ScenesConfig) -> None:
        """Begin detecting `info`'s scenes (stored later under `key` by whoever takes them)."""
        if not self.wants() or key in self._jobs:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidagent-lookahead")
        log.debug("detecting scenes of %s ahead", info.path)
        self._jobs[key] = self._pool.submit(self._run, info, cfg)

    def _run(self, info: VideoInfo, cfg: ScenesConfig) -> tuple[list[Scene], float]:
        t0 = time.perf_counter()

        def tick(_t: float) -> None:
            if self._abort.is_set():
                raise Aborted()

        return self._detect(info, cfg, tick), time.perf_counter() - t0

    def take(self, key: str) -> tuple[list[Scene], float] | None:
        """(scenes, seconds) for `key` if it was detected ahead (waits for it), else None; raises the
        detection's own error (a bad file) so the caller reports it for that file."""
        job = self._jobs.pop(key, None)
        for stale in self._jobs.values():  # ahead for content that changed since: not wanted
            stale.cancel()
        self._jobs.clear()
        return None if job is None else job.result()

    def close(self) -> None:
        """Stop whatever runs ahead and wait for the thread (quick: detection checks every few seconds
        of video); nothing it computed is kept."""
        self._abort.set()
        for job in self._jobs.values():
            job.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._jobs.clear()


def start_next(ahead: SceneLookahead | None, store: Store, cfg: ScenesConfig, upcoming: Sequence[str]) -> None:
    """Start detecting the next file's scenes in the background (read-only: nothing is stored here)."""
    if ahead is None or not ahead.wants() or not upcoming:
        return
    from . import video as vmod

    path = upcoming[0]
    try:
        info = vmod.probe(path, file_hash=store.cached_hash(path) or vmod.content_hash(path))
    except Exception:  # noqa: BLE001  # its own turn reports the problem on its own line
        return
    key = stage_key("scenes", info.hash, cfg)
    if store.get_scenes(key) is None:
        ahead.start(key, info, cfg)


def adopt(ahead: SceneLookahead | None, store: Store, info: VideoInfo, cfg: ScenesConfig) -> bool:
    """Store the scenes detected ahead for this video as that stage's result (the same key and content
    a detection now would give); True when there were some."""
    if ahead is None:
        return False
    key = stage_key("scenes", info.hash, cfg)
    got = ahead.take(key) if store.get_scenes(key) is None else None
    if got is None:
        return False
    found, seconds = got
    store.put_scenes(key, info.hash, cfg.detector, cfg.model_dump(), found, seconds)
    return True
