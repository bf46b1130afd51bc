"""Whole default pipeline on one video: realtime factor, peak memory, stage times, re-run cost.

    python benchmarks/bench_pipeline.py [VIDEO] [--config FILE]   (default: the full Big Buck Bunny film)

Runs `vidagent index` in a subprocess on a fresh temporary store (models load inside the run, as for
a user), then again on the same store (nothing to do), and reports:
realtime factor = video seconds / wall seconds; peak RSS of the index process; scene-stage seconds
(stored with the scene set); describe span (first to last description commit); re-run / first run.
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


def run_index(video: str, store: str, config: str | None) -> float:
    t = time.perf_counter()
    extra = ["--config", config] if config else []
    subprocess.run([sys.executable, "-m", "vidagent", "index", video, "--store", store, "--no-progress", *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(video: str, config: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as store:
        cpu0 = _cpu()
        first = run_index(video, store, config)
        cpu = _cpu() - cpu0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        second = run_index(video, store, config)
        with sqlite3.connect(Path(store) / "vidagent.db") as c:
            duration = c.execute("SELECT sum(duration) FROM videos").fetchone()[0]
            scenes_s = c.execute("SELECT sum(seconds) FROM scene_sets").fetchone()[0]
            n, a, b = c.execute("SELECT count(*), min(created), max(created) FROM descriptions").fetchone()
        span = (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() if n else 0.0
    print(f"video: {Path(video).name} ({duration:.1f} s), {n} clips, {os.cpu_count()} CPUs, config: {config}")
    print(f"first index: {first:.1f} s wall -> realtime factor {duration / first:.1f}x; peak RSS {peak_mb:.0f} MB; "
          f"CPU {cpu:.1f} s (user+sys, all threads: steadier than wall on a shared machine)")
    print(f"  scene stage {scenes_s:.1f} s ({scenes_s / first:.0%} of the run); describe span {span:.1f} s "
          f"({span / max(n, 1) * 1000:.0f} ms/clip)")
    print(f"re-index (nothing new): {second:.1f} s = {second / first:.3f} of the first run")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(CORPUS / "large" / "moviepy_bbb_full.mp4"))
    ap.add_argument("--config", help="settings YAML passed to `vidagent index`")
    args = ap.parse_args()
    main(args.video, args.config)
