"""Would another composition of the offline caption search better? Measured without re-indexing.

The caption vector (`text:` space) is the embedding of the describer's whole caption: labels with
their WordNet kinds, then the signals' People/Look/Motion lines, on-screen text and speech. This
script re-embeds variants of each stored caption in memory, ranks with them in place of the stored
caption vectors (every other source, the keyword index included, reads the store as it is) and
prints the eval set's tune and holdout figures per variant. `full` re-embeds the stored caption
unchanged and must reproduce `bench_search.py`'s defaults row.

    python benchmarks/bench_caption_text.py --store /tmp/search11_store
    python benchmarks/bench_caption_text.py --store /tmp/search11_store --variants full,no_signals
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vidagent import retrieve  # noqa: E402
from vidagent.config import load_settings  # noqa: E402
from vidagent.describe import get_embedder  # noqa: E402
from vidagent.evaluation import evaluate, load_queries  # noqa: E402
from vidagent.perception.tagger import imagenet_labels  # noqa: E402
from vidagent.signals.hierarchy import with_kinds  # noqa: E402
from vidagent.store import Store  # noqa: E402

_NEXT = re.compile(r" (People|Look|Motion|On screen|Speech): ")


def _drop(caption: str, heads: tuple[str, ...]) -> str:
    for head in heads:
        caption = re.sub(rf"{head}: [^.]*\.\s*", "", caption)
    return caption.strip() or "No recognisable content."


def _scene(row: Any, index: dict[str, int], rel: float = 0.0, n: int = 2) -> str:
    """The caption with its Scene line rebuilt: labels at least `rel` x the top label's confidence,
    each with `n` WordNet kinds."""
    cap, tags = row.caption, row["tag_scores"]
    if not tags or not cap.startswith("Scene: "):
        return str(cap)
    top = max(c for _, c in tags)
    names = [with_kinds(t, index[t], n) if t in index else t for t, c in tags if c >= rel * top]
    m = _NEXT.search(cap)
    return "Scene: " + ", ".join(names) + "." + (cap[m.start() :] if m else "")


def variants(index: dict[str, int]) -> dict[str, Callable[[Any], str]]:
    return {
        "full": lambda r: str(r.caption),
        "no_look_motion": lambda r: _drop(r.caption, ("Look", "Motion")),
        "no_signals": lambda r: _drop(r.caption, ("People", "Look", "Motion")),
        "no_kinds": lambda r: _scene(r, index, n=0),
        "no_signals_no_kinds": lambda r: _drop(_scene(r, index, n=0), ("People", "Look", "Motion")),
        "kinds_1": lambda r: _scene(r, index, n=1),
        "kinds_3": lambda r: _scene(r, index, n=3),
        "labels_rel_0.2": lambda r: _scene(r, index, rel=0.2),
        "labels_rel_0.35": lambda r: _scene(r, index, rel=0.35),
        "labels_rel_0.5": lambda r: _scene(r, index, rel=0.5),
    }


def _row(rep: Any, split: str | None = None) -> str:
    s = rep.summary(split)
    lib, mom, ab = s.get("library", {}), s.get("moment", {}), s.get("absent", {})
    return (
        f"library top-3 {lib.get('top3', 0):.3f} MRR {lib.get('MRR', 0):.3f}; moment R@5 {mom.get('R@5', 0):.3f} "
        f"MRR {mom.get('MRR', 0):.3f}; absent {ab.get('R@1', 0) * ab.get('n', 0):.0f}/{int(ab.get('n', 0))}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--queries", default=str(REPO / "benchmarks" / "data" / "search.yaml"))
    ap.add_argument("--variants", default="", help="comma-separated names (default: all)")
    args = ap.parse_args()
    index = {name: i for i, name in enumerate(imagenet_labels())}
    table = variants(index)
    names = [v for v in args.variants.split(",") if v] or list(table)
    settings, queries, emb = load_settings(None), load_queries(args.queries), get_embedder("minilm")
    stored_caption, st = retrieve.SOURCES["caption"], Store(args.store, create=False)
    stored_vectors_of = st.vectors_of
    try:
        rows = st.active_rows()
        ids = [r.description_id for r in rows]
        for name in names:
            mat = np.stack(emb.embed_batch([table[name](r) for r in rows]))
            by_id = dict(zip(ids, mat, strict=True))

            def caption(store: Store, q: Any, s: Any, mat: np.ndarray = mat) -> dict[int, Any]:
                sims = mat @ q.vector
                return {ids[i]: retrieve.SourceScore(float(sims[i])) for i in np.argsort(-sims)[: q.k]}

            def vectors_of(dids: Any, space: str, by_id: dict[int, np.ndarray] = by_id) -> dict[int, np.ndarray]:
                if space.startswith("text:"):
                    return {d: by_id[d] for d in dids if d in by_id}
                return stored_vectors_of(dids, space)

            retrieve.SOURCES["caption"] = caption
            st.vectors_of = vectors_of  # type: ignore[method-assign]
            rep = evaluate(st, queries, settings, label=name)
            print(f"{name:20} tune: {_row(rep, 'tune')} | holdout: {_row(rep, 'holdout')}", flush=True)
    finally:
        retrieve.SOURCES["caption"] = stored_caption
        st.close()


if __name__ == "__main__":
    main()
