"""`vidagent ask` on the QA evaluation set (benchmarks/data/qa.yaml): accuracy, citations, abstention,
latency, with and without re-querying clips.

Each question is asked in a fresh `vidagent` process (cold: imports, model loads, store open, retrieval,
composing, re-querying, verifying), as a user runs it. Modes: `stored` (--no-requery: stored evidence
only) and `requery` (re-read the top clips when stored evidence has no answer; the re-query cache is
cleared first so its cost is measured, then a second pass shows the cached cost).

    python benchmarks/bench_ask.py --store /tmp/ask_film_store --index      # index the eval videos first
    python benchmarks/bench_ask.py --store /tmp/ask_film_store --json out.json [--fast] [--mode stored]
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
sys.path.insert(0, str(ROOT))

from vidagent.agent.evalset import load, score, summary


def vidagent_cmd() -> list[str]:
    return [sys.executable, "-m", "vidagent"]


def corpus_dir() -> Path:
    return Path(os.environ.get("VIDAGENT_CORPUS") or ROOT.parent / "shared" / "corpus")


def ask_once(store: Path, question: str, extra: list[str]) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [*vidagent_cmd(), "ask", question, "--store", str(store), "--json", *extra],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    return json.loads(out.stdout), time.perf_counter() - t0


def clear_cache(store: Path) -> None:
    import sqlite3

    with sqlite3.connect(store / "vidagent.db") as db:
        db.execute("DELETE FROM evidence_cache")


def run_mode(store: Path, items: list[Any], mode: str) -> dict[str, Any]:
    extra = ["--no-requery"] if mode == "stored" else []
    rows = []
    for it in items:
        result, wall = ask_once(store, it.question, extra)
        s = score(it, result)
        requeried = any(st["tool"] == "requery" for st in result["steps"])
        rows.append(
            {
                "question": it.question,
                "absent": it.absent,
                "wall_s": round(wall, 2),
                **s,
                "requeried": requeried,
                "answer": result["answer"][:100],
                "citations": [
                    (Path(c["video"]).name, c["start"], c["end"], c["verified"]) for c in result["citations"]
                ],
            }
        )
        mark = "ok " if s["right"] and (it.absent or s["cited_in_window"]) else "BAD"
        print(
            f"  {mark} {wall:5.1f}s {'RQ' if requeried else '  '} {it.question!r} -> {result['answer'][:70]!r}",
            flush=True,
        )
    walls = [r["wall_s"] for r in rows]
    rq = [r["wall_s"] for r in rows if r["requeried"]]
    direct = [r["wall_s"] for r in rows if not r["requeried"]]
    q = lambda xs, p: round(sorted(xs)[min(len(xs) - 1, int(p * len(xs)))], 2) if xs else None
    return {
        "summary": {
            **summary(rows),
            "median_s": round(statistics.median(walls), 2),
            "p90_s": q(walls, 0.9),
            "median_s_answered_from_stored": round(statistics.median(direct), 2) if direct else None,
            "median_s_with_requery": round(statistics.median(rq), 2) if rq else None,
            "p90_s_with_requery": q(rq, 0.9),
            "requeried": len(rq),
        },
        "rows": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "qa.yaml")
    ap.add_argument("--index", action="store_true", help="index the set's videos into the store first (timed)")
    ap.add_argument("--fast", action="store_true", help="only the fast subset")
    ap.add_argument("--mode", choices=["stored", "requery", "both"], default="both")
    ap.add_argument("--json", type=Path, help="write results here")
    args = ap.parse_args()

    videos, items = load(args.data)
    if args.fast:
        items = [i for i in items if i.fast]
    result: dict[str, Any] = {"store": str(args.store), "cpus": os.cpu_count(), "modes": {}}
    if args.index:
        t0 = time.perf_counter()
        subprocess.run(
            [
                *vidagent_cmd(),
                "index",
                *[str(corpus_dir() / v) for v in videos],
                "--store",
                str(args.store),
                "--no-progress",
            ],
            check=True,
        )
        result["index_s"] = round(time.perf_counter() - t0, 1)
        print(f"indexed {len(videos)} videos in {result['index_s']} s", flush=True)
    modes = ["stored", "requery"] if args.mode == "both" else [args.mode]
    for mode in modes:
        if mode == "requery":
            clear_cache(args.store)
        print(f"== {mode}", flush=True)
        result["modes"][mode] = run_mode(args.store, items, mode)
        print(json.dumps(result["modes"][mode]["summary"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
