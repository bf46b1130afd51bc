"""The video stage's decoding, the only module that touches PyAV: probe, stream frames, read audio.

Frames are streamed (never a whole film in memory) and scaled by the decoder's own swscale while
decoding, which is much cheaper than decoding at full size and resizing afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import BadVideo, one_line
from ..types import Frame, VideoInfo
from .files import content_hash, regular_file_problem
from .scale import Scaler, can_shrink, shrink


def _open(path: str) -> Any:  # an av container (PyAV is untyped)
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
        raise BadVideo(path, f"not a readable video ({one_line(exc, 160, with_type=False)})") from None


def probe(path: str | os.PathLike[str], file_hash: str | None = None) -> VideoInfo:
    """Read container metadata and decode one frame to prove the video stream is usable."""
    path = str(path)
    problem = regular_file_problem(path)
    if problem is not None:
        raise BadVideo(path, problem)
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
        try:
            first = next(iter(container.decode(vs)), None)
        except Exception as exc:
            raise BadVideo(path, f"video stream does not decode ({one_line(exc, 160, with_type=False)})") from None
        if first is None:
            raise BadVideo(path, "video stream has no decodable frames")
        if fps <= 0 or fps > 1000:
            fps = 25.0
        header = 0.0
        end = _decodable_end(path, size, duration, fps)
        if end is not None:
            header, duration = duration, end
        frames = int(vs.frames or 0) or int(round(duration * fps))
        if header:
            frames = min(frames, int(round(duration * fps)))
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
            header_duration=header,
        )
    finally:
        container.close()


def _decodable_end(path: str, size: int, duration: float, fps: float) -> float | None:
    """None when the file holds what its header promises; else the end (s) of the last video packet
    whose bytes are in the file.

    Why: a "faststart" mp4 cut short keeps its complete index at the front, so the header promises
    the full length while the data stops early; trusting it made clips past the cut out of repeated
    last frames. A seek near the promised end is cheap and settles the usual case; only when no
    packet is there are all packets' positions read (no decoding) to find where the data stops.
    """
    if duration <= 0:
        return None
    margin = max(1.0, 3.0 / fps)
    container = _open(path)
    try:
        vs = container.streams.video[0]
        start, tb = vs.start_time or 0, vs.time_base or Fraction(1, 1)
        try:
            container.seek(int(max(duration - margin, 0.0) / tb) + start, stream=vs, backward=True)
            for n, pkt in enumerate(container.demux(vs)):
                if pkt.pts is not None and pkt.size and (pkt.pos is None or pkt.pos < 0 or pkt.pos + pkt.size <= size):
                    if float((pkt.pts - start) * tb) >= duration - 2 * margin:
                        return None  # the tail is there
                if n > 2000:
                    break
        except Exception:  # a failed seek is a hint, not a verdict: scan below
            pass
    finally:
        container.close()
    container = _open(path)
    last, last_any, missing = 0.0, 0.0, False
    try:
        vs = container.streams.video[0]
        streams = [vs, *container.streams.audio[:1]]
        try:
            for pkt in container.demux(streams):
                if pkt.pts is None or not pkt.size:
                    continue
                if pkt.pos is not None and pkt.pos >= 0 and pkt.pos + pkt.size > size:
                    missing = True
                    continue
                st = pkt.stream
                t = float((pkt.pts - (st.start_time or 0) + (pkt.duration or 0)) * (st.time_base or Fraction(1, 1)))
                last_any = max(last_any, t)
                if st.index == vs.index:
                    last = max(last, t)
        except Exception:
            missing = True  # the demuxer hit the cut
    finally:
        container.close()
    if last <= 0 or duration - last <= margin / 2:
        return None
    # Packets the index lists past the end of the file, a demuxer error, or no stream reaching the
    # promised end: truncated. A video stream ending before a longer audio track is not damage.
    return round(last, 3) if missing or last_any < duration - margin else None


def _video_stream(container: Any) -> tuple[Any, int, Fraction]:
    """The first video stream set up for threaded decoding, with its start pts and time base."""
    vs = container.streams.video[0]
    vs.thread_type = "AUTO"
    return vs, vs.start_time or 0, vs.time_base or Fraction(1, 1)


def _scaled(width: int, height: int, target_w: int) -> tuple[int, int]:
    if target_w <= 0 or target_w >= width:
        w, h = width, height
    else:
        w, h = target_w, max(2, round(height * target_w / width))
    return w - (w % 2), h - (h % 2)


def iter_frames(
    path: str,
    width: int = 0,
    pix_fmt: str = "rgb24",
    size: tuple[int, int] | None = None,
    *,
    coarse: bool = False,
    capture: Any = None,
) -> Iterator[tuple[int, float, np.ndarray]]:
    """Decode every frame in order as (index, seconds, HxWx3 array), scaled while decoding.

    `size` forces an exact (w, h) (TransNetV2 wants 48x27); otherwise `width` keeps the aspect ratio.
    `coarse` (`scenes.fast_decode`) trades exactness for CPU where frames are only compared with each
    other: the decoder skips its deblocking filter (~1/3 of H.264 decoding) and runs one thread (frame
    threads cost ~20% more CPU in all), and 4:2:0 frames are shrunk by OpenCV (`scale.py`, half
    swscale's cost). The images differ from the exact ones by a few grey levels.
    `capture` (a `capture.KeyframeCapture`) is offered every frame as decoded; never with `coarse`,
    whose frames are not the ones a second pass would decode.
    """
    if coarse:
        capture = None
    container = _open(path)
    try:
        vs, start, tb = _video_stream(container)
        if coarse:
            vs.thread_type = "NONE"
            vs.codec_context.options = {"skip_loop_filter": "all"}
        w, h = size if size else _scaled(vs.codec_context.width, vs.codec_context.height, width)
        scale = Scaler(w, h, pix_fmt)
        if capture is not None:
            capture.begin(vs.codec_context.width, vs.codec_context.height)
        index = 0
        try:
            for frame in container.decode(vs):
                t = float((frame.pts - start) * tb) if frame.pts is not None else index / float(vs.average_rate or 25)
                if capture is not None and frame.pts is not None:
                    capture.offer(frame, t)
                if coarse and can_shrink(frame, w, h, pix_fmt):
                    img = shrink(frame, w, h, pix_fmt)
                else:
                    img = scale(frame)
                yield index, max(0.0, t), img
                index += 1
        except Exception as exc:
            if index == 0:
                raise BadVideo(path, f"decode failed ({one_line(exc, 160, with_type=False)})") from None
            # A damaged tail: keep what decoded, like players do.
    finally:
        container.close()


def decode_from(container, vs, t: float, start: int, tb: Fraction, decode=None):  # type: ignore[no-untyped-def]
    """Decode `vs` from the random-access point before `t`, yielding only frames that decode cleanly.

    Some streams flag recovery points (non-IDR I-frames, open GOPs) as keyframes: decoding from one
    gives grey/green "corrupt" frames until the next true IDR. When the first frame after a seek is
    marked corrupt, seek again before it (to the previous keyframe, at worst the start of the file).
    `decode()` gives the frames from the current position (default: every frame of `vs`).
    """
    decode = decode or (lambda: container.decode(vs))
    target = max(0.0, t)
    for _ in range(16):
        try:
            container.seek(int(target / tb) + start, stream=vs, backward=True, any_frame=False)
        except Exception:
            pass  # unseekable (damaged index, odd container): decode forward from here
        frames = decode()
        first = next(frames, None)
        if first is None:
            return
        landed = float((first.pts - start) * tb) if first.pts is not None else 0.0
        if not getattr(first, "is_corrupt", False) or target <= 0.0 or landed <= 0.0:
            yield first
            yield from frames
            return
        target = max(0.0, min(target, landed) - 0.001)
    yield from decode()


def _h264_disposable(vs: Any) -> Callable[[bytes], bool] | None:
    """For H.264 in MP4/MOV/MKV (length-prefixed NAL units): a test of whether a packet holds only
    non-reference slices (nal_ref_idc 0), which no other frame is predicted from; None for any other
    stream (Annex-B H.264, other codecs: every packet is decoded)."""
    ctx = vs.codec_context
    extra = bytes(ctx.extradata or b"")
    if ctx.name != "h264" or len(extra) < 7 or extra[0] != 1:
        return None
    size = (extra[4] & 3) + 1

    def disposable(data: bytes) -> bool:
        i, slices = 0, 0
        while i + size < len(data):
            n = int.from_bytes(data[i : i + size], "big")
            head = data[i + size]
            if head & 0x1F in (1, 5):  # coded slice (5: IDR)
                if head & 0x60:
                    return False
                slices += 1
            i += size + n
        return slices > 0

    return disposable


def frames_skipping(container: Any, vs: Any, start: int, tb: Fraction, before: Callable[[], float]) -> Iterator[Any]:
    """Every frame of `vs` from the current position, except non-reference H.264 frames shown before
    `before()` seconds: those can never be the frame wanted at or after that time, and no other frame
    depends on them, so not decoding them changes no frame that is returned (about half the packets
    of a typical x264 film are such B-frames)."""
    disposable = _h264_disposable(vs)
    for pkt in container.demux(vs):
        if disposable is not None and pkt.pts is not None and pkt.size:
            if float((pkt.pts - start) * tb) + 1e-3 < before() and disposable(bytes(pkt)):
                continue
        yield from pkt.decode()


def frames_at(
    path: str, times: Sequence[float], width: int = 0, max_gap: float = 3.0, *, one_thread: bool = False
) -> list[Frame]:
    """Frames at the given times (sorted output), the first frame at or after each time.

    `one_thread`: for the indexer, whose other threads keep both cores busy; frame threads cost ~15%
    more CPU in all (the film's keyframes: 15.3 vs 13.0 CPU s, `benchmarks/bench_keyframe_decode.py`)
    and only pay where a core would otherwise idle (an interactive re-read). The frames are the same.

    One forward decoding pass; seeks (to the keyframe before a time) only across gaps longer than
    `max_gap` seconds, so dense keyframe sets cost one decode and sparse ones skip the film in between.
    Non-reference frames before the next wanted time are not decoded at all (`frames_skipping`).
    """
    wanted = sorted(set(max(0.0, float(t)) for t in times))
    if not wanted:
        return []
    out: list[Frame] = []
    container = _open(path)
    try:
        vs, start, tb = _video_stream(container)
        if one_thread:
            vs.thread_type = "NONE"
        w, h = _scaled(vs.codec_context.width, vs.codec_context.height, width)
        scale = Scaler(w, h, "rgb24")
        i = 0
        last = None

        def decode() -> Iterator[Any]:
            return frames_skipping(container, vs, start, tb, lambda: wanted[i] if i < len(wanted) else 0.0)

        forward = decode()
        while i < len(wanted):
            target = wanted[i]
            got = False
            try:
                seeking = last is None or target - last > max_gap
                if seeking:
                    forward = decode_from(container, vs, target, start, tb, decode)
                for frame in forward:
                    if frame.pts is None:
                        continue
                    t = float((frame.pts - start) * tb)
                    last = t
                    while i < len(wanted) and t + 1e-3 >= wanted[i]:
                        out.append(Frame(time=t, image=scale(frame)))
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


def iter_audio(path: str, rate: int = 16000, chunk_s: float = 600.0) -> Iterator[tuple[float, np.ndarray]]:
    """The audio track as (start seconds, float32 mono chunk) pieces of about `chunk_s` seconds.

    Streaming keeps memory flat on long recordings (a 3-hour lecture is 690 MB as one float32 array).
    """
    import av

    container = _open(path)
    try:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        limit = int(chunk_s * rate)
        pending: list[np.ndarray] = []
        size, start = 0, 0
        frames = container.decode(stream)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                frame = None
            except Exception:
                frame = None  # keep the audio decoded before a damaged region
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1)
                pending.append(chunk)
                size += chunk.size
            if size >= limit or (frame is None and size):
                data = np.concatenate(pending).astype(np.float32)
                for i in range(0, data.size if frame is None else limit * (data.size // limit), limit):
                    yield (start + i) / rate, data[i : i + limit]
                done = data.size if frame is None else limit * (data.size // limit)
                start += done
                pending = [data[done:]] if done < data.size else []
                size = data.size - done
            if frame is None:
                return
    finally:
        container.close()


def read_audio(path: str, rate: int = 16000) -> np.ndarray:
    """The whole audio track as float32 mono at `rate` Hz (empty array when there is none)."""
    chunks = [c for _, c in iter_audio(path, rate)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
