"""The video stage, and the only module that touches PyAV: hash, probe, stream frames, read audio, thumbnails.

Frames are streamed (never a whole film in memory) and scaled by the decoder's own swscale while
decoding, which is much cheaper than decoding at full size and resizing afterwards.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import BadVideo
from .types import Frame, VideoInfo

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .ogv .ogg .wmv .flv .ts .mts .m2ts .3gp .dv .vob".split()
)
_CHUNK = 1 << 16
_SAMPLES = 32


def content_hash(path: str | os.PathLike[str]) -> str:
    """Identify a file by content: size plus 32 evenly spaced 64 KiB samples (and head/tail), blake2b.

    Hashing a multi-GB film in full costs seconds per re-run; sampling keeps re-runs instant while a
    changed, truncated or re-encoded file still gets a new hash (its size or sampled bytes change).
    """
    size = os.path.getsize(path)
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        if size <= _CHUNK * (_SAMPLES + 2):
            h.update(f.read())
        else:
            offsets = [0] + [int(i * (size - _CHUNK) / (_SAMPLES + 1)) for i in range(1, _SAMPLES + 1)]
            offsets.append(size - _CHUNK)
            for off in offsets:
                f.seek(off)
                h.update(f.read(_CHUNK))
    return h.hexdigest()


def _open(path: str):  # type: ignore[no-untyped-def]
    import av

    try:
        return av.open(path, metadata_errors="ignore")
    except FileNotFoundError:
        raise BadVideo(path, "file not found") from None
    except PermissionError:
        raise BadVideo(path, "permission denied") from None
    except IsADirectoryError:
        raise BadVideo(path, "is a directory") from None
    except Exception as exc:  # PyAV raises many FFmpeg error classes
        raise BadVideo(path, f"not a readable video ({' '.join(str(exc).split())[:160]})") from None


def probe(path: str | os.PathLike[str], file_hash: str | None = None) -> VideoInfo:
    """Read container metadata and decode one frame to prove the video stream is usable."""
    path = str(path)
    if not os.path.exists(path):
        raise BadVideo(path, "file not found")
    if os.path.isdir(path):
        raise BadVideo(path, "is a directory")
    size = os.path.getsize(path)
    if size == 0:
        raise BadVideo(path, "empty file (0 bytes)")
    container = _open(path)
    try:
        if not container.streams.video:
            kind = "audio-only file" if container.streams.audio else "no video stream"
            raise BadVideo(path, kind)
        vs = container.streams.video[0]
        ctx = vs.codec_context
        if ctx is None:
            raise BadVideo(path, "unsupported or unknown video codec")
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width <= 0 or height <= 0:
            raise BadVideo(path, "video stream has no frame size")
        if width * height > 16384 * 16384:
            raise BadVideo(path, f"frame size {width}x{height} is implausible")
        rate = vs.average_rate or vs.guessed_rate or vs.base_rate
        fps = float(rate) if rate else 0.0
        duration = 0.0
        if vs.duration is not None and vs.time_base is not None:
            duration = float(vs.duration * vs.time_base)
        if duration <= 0 and container.duration:
            duration = container.duration / 1_000_000
        # Decode the first frame: headers alone do not prove the stream decodes.
        vs.thread_type = "AUTO"
        first = None
        try:
            for first in container.decode(vs):
                break
        except Exception as exc:
            raise BadVideo(path, f"video stream does not decode ({' '.join(str(exc).split())[:160]})") from None
        if first is None:
            raise BadVideo(path, "video stream has no decodable frames")
        if fps <= 0 or fps > 1000:
            fps = 25.0
        frames = int(vs.frames or 0) or int(round(duration * fps))
        a = container.streams.audio[0] if container.streams.audio else None
        return VideoInfo(
            path=path,
            hash=file_hash or content_hash(path),
            size=size,
            duration=duration,
            fps=fps,
            width=width,
            height=height,
            video_codec=ctx.name or "?",
            frame_count=frames,
            audio_codec=(a.codec_context.name if a is not None else None),
            audio_channels=(a.codec_context.channels if a is not None else 0),
            audio_rate=(a.codec_context.sample_rate if a is not None else 0),
        )
    finally:
        container.close()


def _scaled(width: int, height: int, target_w: int) -> tuple[int, int]:
    if target_w <= 0 or target_w >= width:
        w, h = width, height
    else:
        w, h = target_w, max(2, round(height * target_w / width))
    return w - (w % 2), h - (h % 2)


def iter_frames(
    path: str, width: int = 0, pix_fmt: str = "rgb24", size: tuple[int, int] | None = None
) -> Iterator[tuple[int, float, np.ndarray]]:
    """Decode every frame in order as (index, seconds, HxWx3 array), scaled while decoding.

    `size` forces an exact (w, h) (TransNetV2 wants 48x27); otherwise `width` keeps the aspect ratio.
    """
    container = _open(path)
    try:
        vs = container.streams.video[0]
        vs.thread_type = "AUTO"
        start = vs.start_time or 0
        tb = vs.time_base or Fraction(1, 1)
        ctx = vs.codec_context
        w, h = size if size else _scaled(ctx.width, ctx.height, width)
        index = 0
        try:
            for frame in container.decode(vs):
                t = float((frame.pts - start) * tb) if frame.pts is not None else index / float(vs.average_rate or 25)
                img = frame.to_ndarray(width=w, height=h, format=pix_fmt)
                yield index, max(0.0, t), img
                index += 1
        except Exception as exc:
            if index == 0:
                raise BadVideo(path, f"decode failed ({' '.join(str(exc).split())[:160]})") from None
            # A damaged tail: keep what decoded, like players do.
    finally:
        container.close()


def frames_at(path: str, times: Sequence[float], width: int = 0, max_gap: float = 3.0) -> list[Frame]:
    """Frames at the given times (sorted output), the first frame at or after each time.

    One forward decoding pass; seeks (to the keyframe before a time) only across gaps longer than
    `max_gap` seconds, so dense keyframe sets cost one decode and sparse ones skip the film in between.
    """
    wanted = sorted(set(max(0.0, float(t)) for t in times))
    if not wanted:
        return []
    out: list[Frame] = []
    container = _open(path)
    try:
        vs = container.streams.video[0]
        vs.thread_type = "AUTO"
        start = vs.start_time or 0
        tb = vs.time_base or Fraction(1, 1)
        w, h = _scaled(vs.codec_context.width, vs.codec_context.height, width)
        i = 0
        last = None
        while i < len(wanted):
            target = wanted[i]
            got = False
            try:
                if last is None or target - last > max_gap:
                    try:
                        container.seek(int(target / tb) + start, stream=vs, backward=True, any_frame=False)
                    except Exception:
                        pass  # unseekable (damaged index, odd container): decode forward from here
                for frame in container.decode(vs):
                    if frame.pts is None:
                        continue
                    t = float((frame.pts - start) * tb)
                    last = t
                    while i < len(wanted) and t + 1e-3 >= wanted[i]:
                        out.append(Frame(time=t, image=frame.to_ndarray(width=w, height=h, format="rgb24")))
                        i += 1
                        got = True
                    if i >= len(wanted) or (got and wanted[i] - t > max_gap):
                        break
            except Exception:
                pass  # damaged region: fall through to the end-of-stream handling below
            if not got:
                # Past the last decodable frame: reuse it for the remaining times rather than fail.
                if out:
                    while i < len(wanted):
                        out.append(Frame(time=out[-1].time, image=out[-1].image))
                        i += 1
                else:
                    raise BadVideo(path, f"no frame decodes at {target:.2f}s")
        return out
    finally:
        container.close()


def read_audio(path: str, rate: int = 16000) -> np.ndarray:
    """The whole audio track as float32 mono at `rate` Hz (empty array when there is none)."""
    import av

    container = _open(path)
    try:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks: list[np.ndarray] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except Exception:
            pass  # keep the audio decoded before a damaged region
        return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    finally:
        container.close()


def thumbnail(path: str, time: float, width: int = 320) -> bytes:
    """A JPEG of the frame at `time`."""
    from PIL import Image

    frame = frames_at(path, [time], width=width)[0]
    buf = io.BytesIO()
    Image.fromarray(frame.image).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def find_videos(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """Expand files and folders (recursively, no symlink loops) into video files, plus (path, error) pairs.

    A file named explicitly is taken whatever its extension (so a wrong file gets a clear error);
    inside folders only known video extensions are taken.
    """
    files: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            visited: set[tuple[int, int]] = set()
            for root, dirs, names in os.walk(p, followlinks=True):
                st = os.stat(root)
                if (st.st_dev, st.st_ino) in visited:
                    dirs[:] = []
                    continue
                visited.add((st.st_dev, st.st_ino))
                dirs.sort()
                for name in sorted(names):
                    fp = Path(root) / name
                    if fp.suffix.lower() in VIDEO_EXTENSIONS and not name.startswith("."):
                        key = os.path.realpath(fp)
                        if key not in seen:
                            seen.add(key)
                            files.append(str(fp))
        elif p.exists() or p.is_symlink():
            key = os.path.realpath(p)
            if key not in seen:
                seen.add(key)
                files.append(str(p))
        else:
            errors.append((str(p), "file not found"))
    return files, errors


# -- clip cutting (issue 6): stream copy on keyframes, re-encode otherwise ----------------------------


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
            src.seek(int(max(start, 0) / src.streams.video[0].time_base) + base[streams[0].index],
                     stream=src.streams.video[0], backward=True, any_frame=False)
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
            src.seek(int(max(start - 0.5, 0) / vin.time_base) + base, stream=vin, backward=True, any_frame=False)
            n = 0
            for frame in src.decode(vin):
                if frame.pts is None:
                    continue
                t = float((frame.pts - base) * vin.time_base)
                if t + 1e-3 < start:
                    continue
                if t + 1e-3 >= end:
                    break
                img = frame.reformat(width=vs.width, height=vs.height, format="yuv420p")
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


def _audio_stream(dst, ain):  # type: ignore[no-untyped-def]
    """An AAC stream at the input's rate; mono stays mono, anything else becomes stereo."""
    rate = ain.codec_context.sample_rate or 48000
    layout = "mono" if (ain.codec_context.channels or 1) == 1 else "stereo"
    return dst.add_stream("aac", rate=rate, layout=layout)


def _encode_audio(src, ain, ast, dst, start: float, end: float) -> None:  # type: ignore[no-untyped-def]
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
        af = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, i:i + size]), format="fltp", layout=layout)
        af.sample_rate, af.pts, af.time_base = rate, i, Fraction(1, rate)
        for p in ast.encode(af):
            dst.mux(p)
    for p in ast.encode():
        dst.mux(p)
