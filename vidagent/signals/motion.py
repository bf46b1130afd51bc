"""Motion from the codec: H.264/MPEG-4 motion vectors (no optical flow), per clip.

The decoder already knows how each block moved (PyAV exports it with `flags2=+export_mvs`). A few
short windows per clip, each starting at a keyframe inside the clip so nothing is decoded in vain,
give per-frame block displacements; a least-squares fit of translation + zoom about the centre is the
camera's motion, what is left over is things moving in the scene:

- `camera`: static / pan left / pan right / tilt up / tilt down / zoom in / zoom out,
- `magnitude`: mean displacement, in frame widths per second,
- `moving_area`: share of the frame whose motion the camera does not explain.

Decoding without colour conversion costs ~2-3 ms of CPU per 720p frame; a clip costs 8 frames plus
whatever lies between the seek point and its first keyframe.
"""

from __future__ import annotations

import bisect
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..video import frames_skipping

log = logging.getLogger("vidagent")

WINDOWS = 1  # decode windows per clip (each costs a seek and the frames up to it)
WINDOW_FRAMES = 8  # frames per window (the first, an intra frame, has no vectors)
PAN_SPEED = 0.04  # frame widths per second above which the camera pans/tilts
ZOOM_SPEED = 0.03  # relative scale change per second above which the camera zooms
MOVING = 0.03  # residual speed (widths/s) above which a block counts as moving
MOVING_AREA = 0.1  # share of the frame moving on its own above which "things move in the scene"
FAST = 0.15  # mean speed (widths/s) above which motion is fast
STILL = 0.01  # ... under which the picture is still


@dataclass
class Motion:
    """A clip's motion summary (all speeds per second, in frame widths)."""

    camera: str = "unknown"  # static | pan left | pan right | tilt up | tilt down | zoom in | zoom out | unknown
    magnitude: float = 0.0
    moving_area: float = 0.0
    pan: float = 0.0  # camera's horizontal speed (+: pans right)
    tilt: float = 0.0  # (+: tilts up)
    zoom: float = 0.0  # (+: zooms in)
    frames: int = 0  # frames with vectors that went into it

    def words(self) -> list[str]:
        """Caption phrases, e.g. ["camera pans right", "fast motion"]; none when nothing was measured."""
        if self.frames == 0:
            return []
        out = ["static camera" if self.camera == "static" else f"camera {_verb(self.camera)}"]
        if self.magnitude >= FAST:
            out.append("fast motion")
        elif self.magnitude < STILL and self.moving_area < 0.02:
            out.append("still picture")
        elif self.camera == "static" and self.moving_area >= MOVING_AREA:
            out.append("things moving in the scene")
        return out

    def to_json(self) -> dict[str, float | str | int]:
        return {
            "camera": self.camera,
            "magnitude": round(self.magnitude, 4),
            "moving_area": round(self.moving_area, 3),
            "pan": round(self.pan, 4),
            "tilt": round(self.tilt, 4),
            "zoom": round(self.zoom, 4),
            "frames": self.frames,
        }


def _verb(camera: str) -> str:
    kind, _, way = camera.partition(" ")
    return {"pan": "pans", "tilt": "tilts", "zoom": "zooms"}.get(kind, kind) + (f" {way}" if way else "")


def frame_motion(mv: np.ndarray, width: int, height: int, moving: float) -> tuple[float, ...] | None:
    """(tx, ty, s, mean |d|, moving share) of one frame's vectors, displacements in widths per frame;
    a block is moving when the camera fit leaves more than `moving` widths per frame unexplained.

    tx > 0: content moves right (camera pans left); s > 0: content expands (camera zooms in)."""
    if mv.size == 0:
        return None
    # src = dst + motion / scale (sub-pixel); content moved by dst - src since a past reference frame,
    # and will move by src - dst until a future one.
    sign = np.where(mv["source"] > 0, 1.0, -1.0) / np.maximum(mv["motion_scale"].astype(np.float64), 1.0)
    dx = mv["motion_x"].astype(np.float64) * sign / width
    dy = mv["motion_y"].astype(np.float64) * sign / width
    x = (mv["dst_x"].astype(np.float64) - width / 2) / width
    y = (mv["dst_y"].astype(np.float64) - height / 2) / width
    area = mv["w"].astype(np.float64) * mv["h"]
    keep = np.ones(len(mv), bool)
    params = np.zeros(3)
    for _ in range(3):  # least squares, then refit without the blocks it explains worst
        n = int(keep.sum())
        if n < 6:
            return None
        a = np.zeros((2 * n, 3))
        a[:n, 0], a[:n, 2] = 1.0, x[keep]
        a[n:, 1], a[n:, 2] = 1.0, y[keep]
        b = np.concatenate([dx[keep], dy[keep]])
        wts = np.sqrt(np.concatenate([area[keep], area[keep]]))
        params = np.linalg.lstsq(a * wts[:, None], b * wts, rcond=None)[0]
        res = np.hypot(dx - params[0] - params[2] * x, dy - params[1] - params[2] * y)
        cut = max(float(np.median(res[keep])) * 3.0, 0.002)
        keep = res <= cut
    total = float(area.sum()) or 1.0
    speed = float((np.hypot(dx, dy) * area).sum() / total)
    res = np.hypot(dx - params[0] - params[2] * x, dy - params[1] - params[2] * y)
    share = float((area * (res > moving)).sum() / total)
    return float(params[0]), float(params[1]), float(params[2]), speed, share


def summarise(per_frame: Sequence[tuple[float, ...]], fps: float) -> Motion:
    """Pool per-frame fits (tx, ty, s, speed, moving share) into a clip summary (speeds per second)."""
    if not per_frame:
        return Motion()
    arr = np.asarray([p[:4] for p in per_frame])
    tx, ty, s = (float(np.median(arr[:, i])) * fps for i in range(3))
    magnitude = float(arr[:, 3].mean()) * fps
    moving = float(arr_moving.mean()) if (arr_moving := np.asarray([p[4] for p in per_frame])).size else 0.0
    scores = {
        "pan right" if tx < 0 else "pan left": abs(tx) / PAN_SPEED,
        "tilt up" if ty > 0 else "tilt down": abs(ty) / PAN_SPEED,
        "zoom in" if s > 0 else "zoom out": abs(s) / ZOOM_SPEED,
    }
    best = max(scores, key=lambda k: scores[k])
    camera = best if scores[best] >= 1.0 else "static"
    return Motion(
        camera=camera, magnitude=magnitude, moving_area=moving, pan=-tx, tilt=ty, zoom=s, frames=len(per_frame)
    )


def _keyframe_times(container: object, stream: object) -> list[float]:
    """Presentation times of the stream's keyframes, from packet flags (demuxing only, no decoding)."""
    times = []
    for pkt in container.demux(stream):  # type: ignore[attr-defined]
        if pkt.is_keyframe and pkt.pts is not None:
            times.append(float(pkt.pts * stream.time_base))  # type: ignore[attr-defined]
    return sorted(times)


_KEYFRAMES: OrderedDict[tuple[str, int, int], list[float]] = OrderedDict()
_KEYFRAMES_LOCK = threading.Lock()


def _cached_keyframe_times(path: str, container: object, stream: object) -> list[float]:
    """`_keyframe_times`, remembered per file (path, size, mtime) for the last few files: the describer
    asks for each batch of clips, and demuxing the whole film again per batch cost ~0.17 s each."""
    try:
        st = os.stat(path)
        key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    except OSError:
        return _keyframe_times(container, stream)
    with _KEYFRAMES_LOCK:
        if key in _KEYFRAMES:
            _KEYFRAMES.move_to_end(key)
            return _KEYFRAMES[key]
    times = _keyframe_times(container, stream)
    with _KEYFRAMES_LOCK:
        _KEYFRAMES[key] = times
        while len(_KEYFRAMES) > 8:
            _KEYFRAMES.popitem(last=False)
    return times


def window_starts(keyframes: Sequence[float], start: float, end: float, n: int = WINDOWS) -> list[float]:
    """Up to n decode start times for a clip: keyframes inside it, spread out; else the clip start (pure)."""
    lo, hi = bisect.bisect_left(keyframes, start - 1e-3), bisect.bisect_left(keyframes, end - 1e-3)
    inside = list(keyframes[lo:hi])
    if not inside:
        return [start]
    if len(inside) <= n:
        return inside
    if n == 1:
        return inside[:1]  # the shot's own first keyframe (a cut is usually coded as one)
    return [inside[round(i * (len(inside) - 1) / max(n - 1, 1))] for i in range(n)]


def clip_motion(path: str, spans: Sequence[tuple[float, float]], fps: float | None = None) -> list[Motion]:
    """One Motion per (start, end) span of the video at `path`; Motion() where the codec gives no vectors."""
    import av

    out = [Motion() for _ in spans]
    if not spans:
        return out
    try:
        with av.open(path) as container:
            if not container.streams.video:
                return out
            stream = container.streams.video[0]
            rate = float(fps or stream.average_rate or 25.0)
            keyframes = _cached_keyframe_times(path, container, stream)
            stream.codec_context.options = {"flags2": "+export_mvs"}
            # Slice threads, not frame threads: with frame threading the vectors of a window after a
            # seek varied from run to run (the same clip gave magnitudes 0.0050 / 0.0051); slice
            # threading gives the single-threaded decoder's vectors every time, for ~10% less CPU.
            stream.thread_type = "SLICE"
            for i, (start, end) in enumerate(spans):
                fits: list[tuple[float, ...]] = []
                for t0 in window_starts(keyframes, start, end):
                    fits.extend(_window(container, stream, t0, start, end, rate))
                out[i] = summarise(fits, rate)
    except Exception as exc:  # noqa: BLE001 - a signal, not the index: a file the codec cannot seek in gets no motion
        log.debug("motion vectors unavailable for %s: %s", path, exc)
    return out


def _window(
    container: object, stream: object, t0: float, start: float, end: float, fps: float
) -> list[tuple[float, ...]]:
    """Fits of up to WINDOW_FRAMES frames from t0 on, inside [start, end)."""
    tb = stream.time_base  # type: ignore[attr-defined]
    container.seek(int(max(t0, 0.0) / tb), stream=stream, backward=True)  # type: ignore[attr-defined]
    fits: list[tuple[float, ...]] = []
    seen = 0
    width, height = stream.codec_context.width, stream.codec_context.height  # type: ignore[attr-defined]
    # Non-reference frames before the window are not decoded: only reaching it needs the others.
    for frame in frames_skipping(container, stream, 0, tb, lambda: max(start, t0)):
        if frame.pts is None:
            continue
        t = float(frame.pts * tb)
        if t >= end - 1e-3:
            break
        if t < max(start, t0) - 1e-3:
            continue  # decoded only to reach the window
        seen += 1
        mv = frame.side_data.get("MOTION_VECTORS")
        if mv is not None:
            fit = frame_motion(mv.to_ndarray(), width, height, MOVING / fps)
            if fit is not None:
                fits.append(fit)
        if seen >= WINDOW_FRAMES:
            break
    return fits
