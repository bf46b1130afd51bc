"""What decoding only reference frames would save the detection pass (#14, measured, not built).

    python benchmarks/bench_decode_nonref.py [VIDEO]   (default: the film)

Decodes every frame with frame threads, as the detection pass does, then the same with the decoder
told to skip non-reference frames (`skip_frame=NONREF`); reports frames decoded, process CPU seconds
(user + sys, all threads) and wall. The detector would then compare frames up to two apart, which
places a cut only to within the skipped frame and changes what it measures inside a moving shot.
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


def decode(path: str, skip: str) -> tuple[int, float, float]:
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.skip_frame = skip
        c0, w0, n = _cpu(), time.perf_counter(), 0
        for _ in container.decode(stream):
            n += 1
        return n, _cpu() - c0, time.perf_counter() - w0


def main(path: str) -> None:
    print(f"{Path(path).name}")
    for skip in ("DEFAULT", "NONREF"):
        n, cpu, wall = decode(path, skip)
        print(f"  skip_frame={skip:<8} frames {n:>6}  CPU {cpu:5.1f} s  wall {wall:5.1f} s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(CORPUS / "large" / "moviepy_bbb_full.mp4"))
