"""Visual signals on/off: search quality on a query set written from looked-at frames, per named source.

    python benchmarks/bench_signals.py [--queries FILE] [--stores DIR]

Indexes the library (small/ + the short large/ files; not the film and the 180 s promo) twice, with
`describe.signals` all on and all off (kept under --stores to re-run), then runs each query through
`vidagent.search` with each store and with each named source's weight set to 0 (its contribution), and
prints per setting: "which video" hit in the top 3, MRR of the first right video, and Recall@5 of
moment queries (a hit must overlap one of the query's windows).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or ROOT.parent / "shared" / "corpus")
SKIP = {"moviepy_bbb_full.mp4", "openboard_wannaworktogether.mp4"}


def library() -> list[str]:
    files = sorted((CORPUS / "small").iterdir()) + sorted((CORPUS / "large").iterdir())
    return [str(p) for p in files if p.is_file() and p.name not in SKIP]


def first_rank(hits: list[Any], item: dict[str, Any]) -> int | None:
    names = set(item.get("videos") or [])
    for rank, h in enumerate(hits, 1):
        if Path(h.video).name not in names:
            continue
        wins = item.get("windows")
        if not wins or any(h.start < b and h.end > a for a, b in wins):
            return rank
    return None


def score(store: Path, cfg: Path, queries: list[dict[str, Any]]) -> dict[str, float]:
    import vidagent

    top3 = rr = r5 = 0.0
    n_moment = 0
    for item in queries:
        hits = vidagent.search(item["query"], store=store, config=cfg, top_k=10)
        rank = first_rank(hits, item)
        if item.get("windows"):
            n_moment += 1
            r5 += rank is not None and rank <= 5
        top3 += rank is not None and rank <= 3
        rr += 1.0 / rank if rank else 0.0
    n = len(queries)
    return {"top3": top3 / n, "mrr": rr / n, "moment_r5": r5 / max(n_moment, 1), "n": n, "moments": n_moment}


def main(queries_path: Path, stores: Path) -> None:
    import vidagent

    queries = yaml.safe_load(queries_path.read_text())
    rows: list[tuple[str, dict[str, float]]] = []
    for name, signals in (("signals off", "[]"), ("signals on", "[people, colour, motion, crops, hierarchy]")):
        cfg = stores / f"{name.replace(' ', '_')}.yaml"
        cfg.write_text(f"describe:\n  signals: {signals}\n")
        store = stores / name.replace(" ", "_")
        t = time.perf_counter()
        report = vidagent.index(library(), store=store, config=cfg)
        print(f"{name}: indexed {len(report.files)} files in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        rows.append((name, score(store, cfg, queries)))
        if signals != "[]":
            for source in ("visual.people", "visual.colour", "visual.motion", "visual", "text", "keyword"):
                off = stores / f"off_{source}.yaml"
                off.write_text(f"describe:\n  signals: {signals}\nsearch:\n  weights:\n    {source}: 0\n")
                rows.append((f"signals on, {source} weight 0", score(store, off, queries)))
    n = rows[0][1]
    print(f"{queries_path.name}: {int(n['n'])} queries ({int(n['moments'])} with windows)")
    print("| setting | which video in top 3 | MRR | moment R@5 |")
    print("|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['top3']:.2f} | {r['mrr']:.3f} | {r['moment_r5']:.2f} |")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=Path, default=ROOT / "benchmarks" / "data" / "signals_queries.yaml")
    ap.add_argument("--stores", type=Path, default=None, help="keep the two stores here (re-runs reuse them)")
    args = ap.parse_args()
    if args.stores:
        args.stores.mkdir(parents=True, exist_ok=True)
        main(args.queries, args.stores)
    else:
        with tempfile.TemporaryDirectory() as d:
            main(args.queries, Path(d))
