"""What the second decoding pass costs: keyframes decoded again after scene detection, vs the detection decode.

    python benchmarks/bench_keyframe_decode.py [VIDEO] [--clips N]   (default: the film, 91 clips)

Plans N equal clips with 3 keyframes each (the film's plan has 91 clips of ~6.5 s) and decodes them
with `video.frames_at` at 448 px, as `read_inputs` does; then decodes every frame at the detector's
256 px, as the scene stage does. Reports process CPU seconds (user + sys, all threads) and wall.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main(path: str, n: int) -> None:
    from vidagent import video as vmod
    from vidagent.clips import keyframe_times

    info = vmod.probe(path)
    span = info.duration / n
    times = [t for i in range(n) for t in keyframe_times(i * span, (i + 1) * span, 3)]
    c, w = _cpu(), time.perf_counter()
    frames = vmod.frames_at(path, times, width=448)
    print(
        f"second pass (frames_at, 448 px): {len(frames)} keyframes, CPU {_cpu() - c:.1f} s, "
        f"wall {time.perf_counter() - w:.1f} s"
    )
    c, w = _cpu(), time.perf_counter()
    count = sum(1 for _ in vmod.iter_frames(path, width=256, pix_fmt="bgr24"))
    print(
        f"detection-pass decode (256 px): {count} frames, CPU {_cpu() - c:.1f} s, wall {time.perf_counter() - w:.1f} s"
    )


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(CORPUS / "large" / "moviepy_bbb_full.mp4"))
    ap.add_argument("--clips", type=int, default=91)
    a = ap.parse_args(sys.argv[1:])
    main(a.video, a.clips)
