"""OCR on a video's real keyframes: recogniser calls saved by reading only new text, and CPU per call.

    python benchmarks/bench_ocr.py [VIDEO ...]   (default: the Big Buck Bunny film and its trailer)

Plans the clips with the default settings (scene detection + clip planning, as `index` does), decodes
their keyframes as the describer sees them (448 px), then reads them twice in keyframe order with fresh
readers: once reusing the previous frame's reading when its text boxes and pixels match (the default),
once recognising every frame with text (the old behaviour). Reports frames, frames with text,
recogniser calls made and saved, whether every frame's lines are identical, and process CPU seconds
(user + sys, all threads) for the detector and the recogniser per call.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def keyframes(path: str) -> list[Any]:
    from vidagent import video as vmod
    from vidagent.clips import plan_clips
    from vidagent.config import Settings
    from vidagent.scenes import detect_scenes

    cfg = Settings()
    info = vmod.probe(path)
    clips = plan_clips(info.hash, detect_scenes(info, cfg.scenes), cfg.clips, info.duration)
    times = [t for c in clips for t in c.keyframes]
    by_time = {f.time: f for f in vmod.frames_at(path, times, width=cfg.describe.frame_width)}
    import bisect

    ordered = sorted(by_time)
    return [by_time[ordered[min(bisect.bisect_left(ordered, t - 1e-3), len(ordered) - 1)]].image for t in times]


def read_timed(reader: Any, images: list[Any]) -> tuple[list[list[str]], dict[str, float]]:
    engine = reader.load()
    spent = {"det": 0.0, "rec": 0.0}
    det, rec = engine.detect_and_crop, engine.recognize_txt

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            c = _cpu()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += _cpu() - c

        return wrapper

    engine.detect_and_crop, engine.recognize_txt = timed("det", det), timed("rec", rec)
    try:
        lines = reader.read(images)
    finally:
        del engine.detect_and_crop, engine.recognize_txt
    return lines, spent


def main(videos: list[str]) -> None:
    from vidagent.perception.ocr import TextReader

    for path in videos:
        t = time.perf_counter()
        images = keyframes(path)
        plan_s = time.perf_counter() - t
        fast, full = TextReader(), TextReader()
        full.scanner.reuse = False
        fast.read(images[:1]), full.read(images[:1])  # load the sessions outside the figures
        fast.scanner.stats.__init__(), full.scanner.stats.__init__()  # type: ignore[misc]
        fast.scanner._last = full.scanner._last = None
        fast.scanner._prev = full.scanner._prev = None
        got, fast_cpu = read_timed(fast, images)
        want, full_cpu = read_timed(full, images)
        s, f = fast.scanner.stats, full.scanner.stats
        print(
            f"{Path(path).name}: {s.frames} keyframes ({plan_s:.0f} s to plan and decode), {s.with_text} with text, "
            f"{s.unchanged} held (same frame as the one before: detector skipped too)"
        )
        print(
            f"  recogniser calls: {s.recognised} (was {f.recognised}); saved vs every frame: "
            f"{s.recogniser_calls_saved} of {s.frames}; saved vs the old run on text frames: "
            f"{f.recognised - s.recognised} ({s.boxes_reused} boxes)"
        )
        print(f"  identical lines on every frame: {got == want}")
        n_det = max(s.frames, 1)
        print(
            f"  CPU: detector {fast_cpu['det']:.1f} s ({fast_cpu['det'] / n_det * 1000:.0f} ms/frame); recogniser "
            f"{fast_cpu['rec']:.1f} s now vs {full_cpu['rec']:.1f} s before "
            f"({full_cpu['rec'] / max(f.recognised, 1) * 1000:.0f} ms/call); OCR total "
            f"{sum(fast_cpu.values()):.1f} s vs {sum(full_cpu.values()):.1f} s"
        )


if __name__ == "__main__":
    args = sys.argv[1:] or [
        str(CORPUS / "large" / "moviepy_bbb_full.mp4"),
        str(CORPUS / "small" / "moviepy_trailer_bbb.mp4"),
    ]
    main(args)
