"""Wall time of `vidagent ask` (offline answerer) on an indexed store, as a user runs it.

Each question is asked in a fresh `vidagent` process (cold: imports, model loads, store open, retrieval,
re-querying clips, verification), `--repeat` times; the median and each run's tool-call times are
reported. Index the film first (or pass --index to do it here; that part is timed separately):

    python benchmarks/bench_ask.py --store /tmp/bbb_store --index ../shared/corpus/large/moviepy_bbb_full.mp4
    python benchmarks/bench_ask.py --store /tmp/bbb_store --repeat 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Which fund gave financial support to the film?",
    "Which car brand is advertised on the billboard?",
]


def vidagent_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("vidagent")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vidagent"]


def run_index(store: Path, video: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([*vidagent_cmd(), "index", str(video), "--store", str(store), "--no-progress"], check=True)
    return time.perf_counter() - t0


def ask_once(store: Path, question: str, extra: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    out = subprocess.run([*vidagent_cmd(), "ask", question, "--store", str(store), "--json", *extra],
                         check=True, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    wall = time.perf_counter() - t0
    data = json.loads(out.stdout)
    tools = [(s["tool"], s.get("elapsed_s", 0.0)) for s in data["steps"]]
    return {"wall_s": round(wall, 2), "answer": data["answer"].splitlines()[0][:120],
            "citations": [(c["start"], c["end"], c["verified"]) for c in data["citations"]],
            "tool_s": round(sum(t for _, t in tools), 2), "steps": len(tools)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--index", type=Path, help="index this video into the store first (timed)")
    ap.add_argument("--question", action="append", help="question(s) to ask (default: two built-ins)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--top-k", type=int)
    ap.add_argument("--json", type=Path, help="write results here")
    args = ap.parse_args()

    result: dict[str, Any] = {"store": str(args.store), "cpus": os.cpu_count(), "questions": {}}
    if args.index:
        result["index_s"] = round(run_index(args.store, args.index), 1)
        print(f"indexed {args.index} in {result['index_s']} s", flush=True)
    extra = ["--top-k", str(args.top_k)] if args.top_k else []
    for q in args.question or QUESTIONS:
        runs = [ask_once(args.store, q, extra) for _ in range(args.repeat)]
        walls = [r["wall_s"] for r in runs]
        result["questions"][q] = {"median_wall_s": statistics.median(walls), "walls": walls, "last": runs[-1]}
        print(f"{statistics.median(walls):6.2f} s median ({walls})  {q!r} -> {runs[-1]['answer']!r} "
              f"cites {runs[-1]['citations']}; tools {runs[-1]['tool_s']} s in {runs[-1]['steps']} steps",
              flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
