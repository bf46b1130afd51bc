"""The video stage, and the only package that touches PyAV: hash, probe, stream frames, read audio,
thumbnails (`decode`), and cutting clips out (`cut`)."""

from .cut import cut_clip, keyframe_times
from .decode import (
    VIDEO_EXTENSIONS,
    content_hash,
    find_videos,
    frames_at,
    iter_audio,
    iter_frames,
    probe,
    read_audio,
    thumbnail,
)

__all__ = ["VIDEO_EXTENSIONS", "content_hash", "cut_clip", "find_videos", "frames_at", "iter_frames",
           "iter_audio", "keyframe_times", "probe", "read_audio", "thumbnail"]
