"""Cutting clips out of videos with PyAV: stream copy when the span lies on keyframes, re-encode otherwise.

Part of the video stage (the only PyAV user); `export` calls it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BadVideo
from ..types import VideoInfo
from .decode import _open, decode_from, probe

# 8-bit 4:2:0 plays everywhere; anything else (4:4:4, 10-bit, gray, paletted) is re-encoded on export
# so the clip opens in every player and browser (High 4:4:4 shows as green in many of them).
PLAYABLE_PIX_FMTS = frozenset({"yuv420p", "yuvj420p", "nv12"})


def pixel_format(path: str) -> str:
    """The video stream's pixel format name as the decoder reports it ("" when unknown)."""
    container = _open(path)
    try:
        fmt = container.streams.video[0].codec_context.format
        return fmt.name if fmt is not None else ""
    finally:
        container.close()


def keyframe_times(path: str) -> list[float]:
    """Presentation times (s, from the stream start) of the video's keyframes, from packets, no decoding.

    Reading packet flags is cheap (no decode), and it is the only honest way to know whether a cut can
    be a stream copy: a copied clip must begin on a keyframe or its first frames do not decode.
    """
    container = _open(path)
    try:
        vs = container.streams.video[0]
        start = vs.start_time or 0
        tb = vs.time_base or Fraction(1, 1)
        out = [float((p.pts - start) * tb) for p in container.demux(vs) if p.is_keyframe and p.pts is not None]
        return sorted(out)
    finally:
        container.close()


def _on(times: Sequence[float], t: float, tol: float) -> bool:
    return any(abs(k - t) <= tol for k in times)


def cut_clip(path: str, start: float, end: float, out: str | os.PathLike[str], mode: str = "auto") -> str:
    """Write [start, end) of `path` to `out` (mp4); returns the mode used: "copy" or "reencode".

    auto: stream copy when the start is on a keyframe and the end is on a keyframe or the end of the
    video (half a frame of tolerance), else re-encode with libx264 (+ AAC audio) so the clip is exact
    to one frame. A copy is bit-exact and fast but can only start where the encoder put a keyframe.
    """
    if end <= start:
        raise BadVideo(path, f"empty span {start:.3f}-{end:.3f} s")
    info = probe(path, file_hash="-")
    half = 0.5 / (info.fps or 25.0)
    if mode == "auto" and pixel_format(path) not in PLAYABLE_PIX_FMTS:
        mode = "reencode"
    if mode == "auto":
        keys = keyframe_times(path)
        ends_ok = end >= info.duration - half or _on(keys, end, half)
        mode = "copy" if _on(keys, start, half) and ends_ok else "reencode"
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    if mode == "copy":
        try:
            _copy_span(path, start - half, end - half, str(out))
            return mode
        except Exception:  # the mp4 muxer refuses some codecs/timestamps (MPEG-PS, theora): re-encode
            mode = "reencode"
    if mode == "reencode":
        _reencode_span(path, start, end, str(out), info)
    else:
        raise BadVideo(path, f"unknown cut mode '{mode}' (auto, copy, reencode)")
    return mode


def _copy_span(path: str, start: float, end: float, out: str) -> None:
    """Stream copy packets whose time is in [start, end) (bounds already moved half a frame back)."""
    import av

    src = _open(path)
    try:
        streams = [src.streams.video[0]] + ([src.streams.audio[0]] if src.streams.audio else [])
        with av.open(out, "w") as dst:
            omap = {s.index: dst.add_stream_from_template(s) for s in streams}
            base = {s.index: s.start_time or 0 for s in streams}
            src.seek(
                int(max(start, 0) / src.streams.video[0].time_base) + base[streams[0].index],
                stream=src.streams.video[0],
                backward=True,
                any_frame=False,
            )
            for pkt in src.demux(*streams):
                if pkt.pts is None or pkt.dts is None:
                    continue
                tb = pkt.time_base
                t = float((pkt.pts - base[pkt.stream.index]) * tb)
                if pkt.stream.type == "video" and t >= end:
                    break
                if t < start or t >= end:
                    continue
                shift = int(round(start / tb)) + base[pkt.stream.index]
                pkt.pts -= shift
                pkt.dts -= shift
                pkt.stream = omap[pkt.stream.index]
                dst.mux(pkt)
    finally:
        src.close()


def _reencode_span(path: str, start: float, end: float, out: str, info: VideoInfo) -> None:
    """Decode [start, end) and encode H.264 (yuv420p) + AAC, frame-accurate; audio trimmed to the sample."""
    import av

    fps = Fraction(info.fps).limit_denominator(1001) if info.fps else Fraction(25)
    src = _open(path)
    try:
        vin = src.streams.video[0]
        vin.thread_type = "AUTO"
        ain = src.streams.audio[0] if src.streams.audio else None
        with av.open(out, "w") as dst:
            vs = dst.add_stream("libx264", rate=fps)
            vs.width, vs.height, vs.pix_fmt = info.width - info.width % 2, info.height - info.height % 2, "yuv420p"
            vs.options = {"preset": "veryfast", "crf": "20"}
            # Streams are all added before the first packet is muxed (the header is written then).
            ast = _audio_stream(dst, ain) if ain is not None else None
            base = vin.start_time or 0
            n = 0
            for frame in decode_from(src, vin, start - 0.5, base, vin.time_base):
                if frame.pts is None:
                    continue
                t = float((frame.pts - base) * vin.time_base)
                if t + 1e-3 < start:
                    continue
                if t + 1e-3 >= end:
                    break
                img = _to_yuv420p(frame, vs.width, vs.height)
                img.pts, img.time_base = n, Fraction(1, 1) / fps
                n += 1
                for p in vs.encode(img):
                    dst.mux(p)
            for p in vs.encode():
                dst.mux(p)
            if ain is not None and ast is not None:
                _encode_audio(src, ain, ast, dst, start, end)
    finally:
        src.close()


def _to_yuv420p(frame: Any, width: int, height: int) -> Any:  # PyAV objects are untyped
    """An encoder-ready copy of a decoded frame: explicit conversion to 8-bit limited-range yuv420p.

    Full-range (yuvj), 10-bit, 4:4:4, gray and paletted inputs are all converted by swscale here.
    The picture type is cleared: a decoded frame keeps its source type (P/B), and libx264 honours it,
    so a cut starting between source keyframes had no I-frame and decoded as solid green.
    """
    from av.video.frame import PictureType

    src_range = 2 if frame.format.name.startswith("yuvj") or frame.format.name in ("gray", "pal8") else None
    kw = {"src_color_range": src_range} if src_range else {}
    img = frame.reformat(width=width, height=height, format="yuv420p", dst_color_range=1, **kw)
    img.pict_type = PictureType.NONE
    return img


def _audio_stream(dst: Any, ain: Any) -> Any:  # PyAV objects are untyped
    """An AAC stream at the input's rate; mono stays mono, anything else becomes stereo."""
    rate = ain.codec_context.sample_rate or 48000
    layout = "mono" if (ain.codec_context.channels or 1) == 1 else "stereo"
    return dst.add_stream("aac", rate=rate, layout=layout)


def _encode_audio(src: Any, ain: Any, ast: Any, dst: Any, start: float, end: float) -> None:
    """Re-encode the span's audio to AAC, trimmed to the sample (any input codec)."""
    import av

    rate = ast.codec_context.sample_rate
    layout = "mono" if ast.codec_context.channels == 1 else "stereo"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    base = ain.start_time or 0
    src.seek(int(max(start - 1.0, 0) / ain.time_base) + base, stream=ain, backward=True, any_frame=False)
    chunks: list[np.ndarray] = []
    first: float | None = None
    try:
        for frame in src.decode(ain):
            if frame.pts is None:
                continue
            t = float((frame.pts - base) * ain.time_base)
            if t >= end:
                break
            for r in resampler.resample(frame):
                if first is None:
                    first = t
                chunks.append(r.to_ndarray())
    except Exception:
        pass  # a damaged audio tail: keep what decoded
    if not chunks or first is None:
        return
    pcm = np.concatenate(chunks, axis=1)
    a, b = max(0, round((start - first) * rate)), max(0, round((end - first) * rate))
    pcm = np.ascontiguousarray(pcm[:, a:b], dtype=np.float32)
    size = ast.codec_context.frame_size or 1024
    for i in range(0, pcm.shape[1], size):
        af = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, i : i + size]), format="fltp", layout=layout)
        af.sample_rate, af.pts, af.time_base = rate, i, Fraction(1, rate)
        for p in ast.encode(af):
            dst.mux(p)
    for p in ast.encode():
        dst.mux(p)
