"""Search quality on the project's eval set (`benchmarks/data/search.yaml`) over the whole corpus.

Indexes small/, large/ and stitched/ into the store with the default settings when they are not
there yet (several minutes on 2 cores; later runs reuse the store: ranking changes need no
re-indexing), then prints `vidagent eval`'s tables: Recall@1/5/10, MRR, nDCG@10 per kind of
query, the library "which video" top-3 rate, tune/holdout splits, and each query's first-hit rank.

    python benchmarks/bench_search.py --store /tmp/search_corpus_store
    python benchmarks/bench_search.py --store /tmp/search_corpus_store --ablate
    python benchmarks/bench_search.py --store /tmp/search_corpus_store --config a.yaml --config b.yaml --json out.json
    python benchmarks/bench_search.py --store /tmp/search_corpus_store --baseline   # reciprocal-rank fusion, no floor
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = ROOT / "benchmarks" / "data" / "search.yaml"


def corpus_dir() -> Path:
    return Path(os.environ.get("VIDAGENT_CORPUS") or ROOT.parent / "shared" / "corpus")


def ensure_indexed(store: Path, corpus: Path) -> None:
    import vidagent

    folders = [corpus / d for d in ("small", "large", "stitched")]
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        raise SystemExit(f"corpus folder(s) missing: {', '.join(map(str, missing))}")
    t0 = time.perf_counter()
    report = vidagent.index([str(f) for f in folders], store=store)
    print(
        f"index: {len(report.files)} files, {time.perf_counter() - t0:.1f} s "
        "(a no-op when the store already holds them)",
        file=sys.stderr,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, default=Path("/tmp/search_corpus_store"))
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--config", type=Path, action="append", default=[], help="settings YAML; repeat to compare")
    ap.add_argument("--ablate", action="store_true", help="also run with each source's weight at 0")
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="also run the previous ranking (reciprocal-rank fusion of 3 rankings, no floor)",
    )
    ap.add_argument("--no-index", action="store_true", help="use the store as it is")
    ap.add_argument("--json", type=Path, help="write the reports here")
    args = ap.parse_args()

    from vidagent.api import evaluate
    from vidagent.cli.evaluate import render

    if not args.no_index:
        ensure_indexed(args.store, corpus_dir())
    t0 = time.perf_counter()
    reports = evaluate(args.queries, store=args.store, configs=args.config, ablate=args.ablate)
    if args.baseline:
        from benchmarks.rrf_baseline import baseline_report

        reports.insert(0, baseline_report(args.store, args.queries))
    n = len(reports[0].results)
    print(
        f"{n} queries x {len(reports)} settings in {time.perf_counter() - t0:.1f} s (shared 2-core machine)",
        file=sys.stderr,
    )
    print(render(reports))
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in reports], indent=2))


if __name__ == "__main__":
    main()
