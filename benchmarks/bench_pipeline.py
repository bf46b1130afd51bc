"""Whole default pipeline on a video or a folder: realtime factor, CPU use, peak memory, stage times.

    python benchmarks/bench_pipeline.py [VIDEO_OR_FOLDER ...] [--corpus] [--workers N] [--config FILE]
                                        [--no-rerun] [-- EXTRA INDEX ARGS]

(default: the full Big Buck Bunny film; --corpus: the corpus folder, small/ + large/ + stitched/;
--workers N: `index --workers N`, N local processes). Runs `vidagent index` in a subprocess on a fresh temporary
store (models load inside the run, as for a user), then optionally again on the same store (nothing to
do), and reports:
- wall seconds and realtime factor = video seconds / wall seconds;
- CPU seconds (user + sys of the index process and its children) and CPU utilisation =
  (user + sys) / (wall x cores): 100% means every core was busy for the whole run;
- peak RSS of the largest process (with --workers: the largest worker or the driver, not their sum);
- per-stage seconds: scene stage (stored with each scene set, summed over videos) and describe span
  (first to last description commit);
- the machine's 1-minute load average before and after the run (the machine is shared: wall figures
  are only comparable at similar load; CPU seconds are steadier, but they too grow with load: compare
  runs taken side by side).

The first run after installing exports the tagger to ONNX (cached under ~/.cache/vidagent): index
any video once before timing.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def run_index(videos: list[str], store: str, config: str | None, extra: list[str]) -> tuple[float, float, float]:
    """(wall, user, sys) seconds of one `vidagent index` subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    cfg = ["--config", config] if config else []
    subprocess.run(
        [sys.executable, "-m", "vidagent", "index", *videos, "--store", store, "--no-progress", *cfg, *extra],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main(videos: list[str], config: str | None = None, rerun: bool = True, extra: list[str] | None = None) -> None:
    extra = extra or []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as store:
        wall, user, sys_ = run_index(videos, store, config, extra)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        second = run_index(videos, store, config, extra)[0] if rerun else None
        with sqlite3.connect(Path(store) / "vidagent.db") as c:
            nvid, duration = c.execute("SELECT count(*), sum(duration) FROM videos").fetchone()
            scenes_s = c.execute("SELECT sum(seconds) FROM scene_sets").fetchone()[0] or 0.0
            n, a, b = c.execute("SELECT count(*), min(created), max(created) FROM descriptions").fetchone()
        span = (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() if n else 0.0
    cpu = user + sys_
    names = ", ".join(Path(v).name for v in videos)
    print(
        f"input: {names} ({nvid} videos, {duration:.1f} s), {n} clips, {cores} cores, config: {config}, "
        f"extra: {' '.join(extra) or '-'}, load average before: {load:.1f}, after: {os.getloadavg()[0]:.1f}"
    )
    print(f"first index: {wall:.1f} s wall -> realtime factor {duration / wall:.1f}x; peak RSS {peak_mb:.0f} MB")
    print(
        f"  CPU {cpu:.1f} s (user {user:.1f} + sys {sys_:.1f}) -> utilisation {cpu / (wall * cores):.0%} of "
        f"{cores} cores; CPU-bound realtime factor {duration * cores / cpu:.1f}x (if both cores were ours)"
    )
    print(
        f"  scene stage {scenes_s:.1f} s (summed over videos); describe span {span:.1f} s "
        f"({span / max(n, 1) * 1000:.0f} ms/clip)"
    )
    if second is not None:
        print(f"re-index (nothing new): {second:.1f} s = {second / wall:.3f} of the first run")


if __name__ == "__main__":
    import argparse

    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        k = argv.index("--")
        argv, extra = argv[:k], argv[k + 1 :]
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("videos", nargs="*", default=[str(CORPUS / "large" / "moviepy_bbb_full.mp4")])
    ap.add_argument("--config", help="settings YAML passed to `vidagent index`")
    ap.add_argument("--no-rerun", action="store_true", help="skip the second (nothing new) run")
    ap.add_argument("--corpus", action="store_true", help="the corpus folder: small/ + large/ + stitched/")
    ap.add_argument("--workers", type=int, default=0, help="index --workers N (local processes)")
    args = ap.parse_args(argv)
    videos = [str(CORPUS / d) for d in ("small", "large", "stitched")] if args.corpus else args.videos
    if args.workers:
        extra = [*extra, "--workers", str(args.workers)]
    main(videos, args.config, not args.no_rerun, extra)
