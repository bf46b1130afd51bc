"""What each visual signal costs per clip, measured in-process on one video (default: the full film).

    python benchmarks/bench_signal_cost.py [VIDEO] [--clip-seconds 6.5]

The video is cut into equal clips (6.5 s gives the film about as many clips as its scene plan, 91);
their keyframes are decoded once as the pipeline does (3 per clip, 448 px wide), then each stage
runs over all clips and is timed: the existing tagger on the keyframes (the reference), and each
signal. CPU seconds (all threads) are quoted beside wall seconds because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or ROOT.parent / "shared" / "corpus")


def timed(label: str, fn, rows: list) -> object:  # type: ignore[no-untyped-def]
    import resource

    w, c = time.perf_counter(), time.process_time()
    out = fn()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append((label, time.perf_counter() - w, time.process_time() - c, peak))
    return out


def main(video: str, clip_s: float) -> None:
    from vidagent.clips import uniform_times
    from vidagent.perception.tagger import ImageTagger
    from vidagent.signals import colour, crops, motion, people
    from vidagent.types import Clip
    from vidagent.video.decode import frames_at, probe

    info = probe(video)
    n = max(1, int(info.duration // clip_s))
    clips = [Clip(f"c{i}", info.hash, i, i * clip_s, min((i + 1) * clip_s, info.duration), ()) for i in range(n)]
    times = [uniform_times(c, 3) for c in clips]
    rows: list[tuple[str, float, float, float]] = []
    frames = timed(
        "decode keyframes (reference)", lambda: frames_at(video, [t for ts in times for t in ts], width=448), rows
    )
    images = [f.image for f in frames]  # type: ignore[attr-defined]
    per_clip = [images[3 * i : 3 * i + 3] for i in range(n)]
    tagger = ImageTagger.shared()
    tagger.load()
    tagger.tag_batch(images[:4])
    timed("tagger on 3 keyframes (reference)", lambda: tagger.tag_batch(images), rows)
    timed("colour", lambda: [colour.analyse(f) for f in per_clip], rows)
    if people.available():
        timed("people (faces x3, HOG x1)", lambda: [people.analyse(f) for f in per_clip], rows)
    else:
        print("people: OpenCV without Haar/HOG here, not measured", file=sys.stderr)
    timed("motion (codec vectors)", lambda: motion.clip_motion(video, [(c.start, c.end) for c in clips]), rows)
    probs = tagger.tag_batch(images)
    unsure = [i for i in range(n) if float(probs[3 * i : 3 * i + 3].mean(0).max()) < crops.CROP_BELOW]
    cs = [crops.salient_crops(per_clip[i][1]) for i in unsure]
    print(f"crops: {len(unsure)} of {n} clips below the tagger's {crops.CROP_BELOW} confidence", file=sys.stderr)
    timed("crops (1 per clip, tagger)", lambda: tagger.tag_batch([c for x in cs for c in x]), rows)
    print(f"video: {Path(video).name} ({info.duration:.1f} s), {n} clips of {clip_s} s, {os.cpu_count()} CPUs")
    print("| stage | wall s | CPU s | ms/clip (wall) | peak RSS after, MB |")
    print("|---|---|---|---|---|")
    for label, w, c, peak in rows:
        print(f"| {label} | {w:.2f} | {c:.2f} | {w / n * 1000:.0f} | {peak:.0f} |")
    added = [r for r in rows if "reference" not in r[0]]
    print(
        f"| all signals | {sum(r[1] for r in added):.2f} | {sum(r[2] for r in added):.2f} | "
        f"{sum(r[1] for r in added) / n * 1000:.0f} | |"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(CORPUS / "large" / "moviepy_bbb_full.mp4"))
    ap.add_argument("--clip-seconds", type=float, default=6.5)
    args = ap.parse_args()
    main(args.video, args.clip_seconds)
