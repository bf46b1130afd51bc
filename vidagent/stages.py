"""The executor's stage steps, each "look up by content key, else compute and store": probe, scenes,
clip plan, transcript. Plain functions of (store, inputs, settings), so every caller (index, caption,
dry runs) gets the same reuse, and each can be tested alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from . import video as vmod
from .clips import plan_clips
from .config import ScenesConfig, Settings, stage_key
from .scenes import detect_scenes
from .store import Store
from .types import Clip, Scene, Segment, VideoInfo

log = logging.getLogger(__name__)

# Audio is transcribed in pieces of this many seconds (flat memory on long recordings); a word cut at
# a boundary is the cost, once every 10 minutes.
AUDIO_CHUNK_S = 600.0

# progress(stage, path, done, total)
ProgressFn = Callable[[str, str, float, float], None]


def probe(store: Store, path: str) -> VideoInfo:
    """Identify and probe a file, and record it; a file whose content changed drops its old clips."""
    file_hash = store.cached_hash(path) or vmod.content_hash(path)
    info = vmod.probe(path, file_hash=file_hash)
    # The file at this path was re-encoded, trimmed or replaced: what was indexed from its old
    # content would cite times in a video that no longer exists there, so it goes.
    for old in store.superseded(path, info.hash):
        log.info("%s changed since it was indexed: dropping the old content's clips", path)
        store.forget_video(old)
    store.upsert_video(info)
    store.remember_path(path, info.hash)
    return info


def scenes(
    store: Store, info: VideoInfo, cfg: ScenesConfig, tick: Callable[[float], None] | None = None
) -> tuple[str, list[Scene]]:
    """(scene-set key, shots) of a video under these detector settings."""
    key = stage_key("scenes", info.hash, cfg)
    found = store.get_scenes(key)
    if found is None:
        t0 = time.perf_counter()
        found = detect_scenes(info, cfg, tick)
        seconds = time.perf_counter() - t0
        store.put_scenes(key, info.hash, cfg.detector, cfg.model_dump(), found, seconds)
        log.info("%s: %d shots (%s) in %.1f s", info.path, len(found), cfg.detector, seconds)
        if tick is not None:
            tick(info.duration)
    return key, found


def clips(
    store: Store, info: VideoInfo, scenes_key: str, found: list[Scene], settings: Settings
) -> tuple[str, list[Clip]]:
    """(plan key, clips) planned from a scene set under these clip settings (planning itself is pure)."""
    key = stage_key("clips", scenes_key, settings.clips)
    planned = store.get_clips(key)
    if planned is None:
        planned = plan_clips(info.hash, found, settings.clips, info.duration)
        store.put_clips(key, planned)
        log.info("%s: planned %d clips", info.path, len(planned))
    return key, planned


def transcript(store: Store, info: VideoInfo, progress: ProgressFn | None = None) -> list[Segment]:
    """The video's transcript, computed once per (content, speech model) and sliced per clip later."""
    from .perception.speech import Transcriber

    tr = Transcriber.shared()
    key = stage_key("speech", info.hash, tr.model_id)
    segs = store.get_transcript(key)
    if segs is None:
        if progress:
            progress("speech", info.path, 0, info.duration)
        segs = []
        for offset, chunk in vmod.iter_audio(info.path, 16000, chunk_s=AUDIO_CHUNK_S):
            segs.extend(tr.transcribe(chunk, offset=offset))
        store.put_transcript(key, info.hash, tr.model_id, segs)
        log.info("%s: %d speech segments (%s)", info.path, len(segs), tr.model_id)
        if progress:
            progress("speech", info.path, info.duration, info.duration)
    return segs
