"""The video stage, and the only package that touches PyAV: probe, stream frames, read audio (`decode`),
cut clips out (`cut`); finding files and hashing their content (`files`) needs no PyAV."""

from .cut import cut_clip, keyframe_times
from .decode import frames_at, frames_skipping, iter_audio, iter_frames, probe, read_audio
from .files import VIDEO_EXTENSIONS, content_hash, find_videos

__all__ = [
    "VIDEO_EXTENSIONS",
    "content_hash",
    "cut_clip",
    "find_videos",
    "frames_at",
    "frames_skipping",
    "iter_frames",
    "iter_audio",
    "keyframe_times",
    "probe",
    "read_audio",
]
