"""`vidagent eval`: score search on a file of judged queries, for one or several settings files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from . import app
from .core import JsonOpt, StoreOpt

METRICS = ("R@1", "R@5", "R@10", "MRR", "nDCG@10")


@app.command("eval")
def eval_cmd(
    queries: Annotated[Path, typer.Argument(help="judged queries: YAML or JSONL (query, videos, windows, absent)")],
    store: StoreOpt = None,
    config: Annotated[
        list[Path] | None, typer.Option("--config", "-c", help="settings YAML; repeat to compare several side by side")
    ] = None,
    ablate: Annotated[
        bool, typer.Option("--ablate", help="also run with each search source's weight set to 0")
    ] = False,
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="results judged per query")] = 10,
    json_out: JsonOpt = False,
) -> None:
    """Recall@1/5/10, MRR and nDCG@10 of search on judged queries, with each query's first-hit rank."""
    from ..api import evaluate

    reports = evaluate(queries, store=store, configs=list(config or []), ablate=ablate, top_k=top_k)
    if json_out:
        print(json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False))
        return
    print(render(reports))


def render(reports: list) -> str:  # list[EvalReport]
    """Summary table (one column per settings) and the per-query table of first-hit ranks."""
    labels = [r.label for r in reports]
    width = max(12, *(len(x) for x in labels))
    lines = [f"{'':22}" + "".join(f"{x:>{width + 2}}" for x in labels)]
    kinds = [k for k in ("library", "moment", "absent", "all") if k in reports[0].summary()]
    for kind in kinds:
        n = int(reports[0].summary()[kind]["n"])
        for m in (*METRICS, "top3") if kind == "library" else ("R@1",) if kind == "absent" else METRICS:
            name = f"{kind} ({n}) {'returned nothing' if kind == 'absent' else m}"
            lines.append(f"{name:22}" + "".join(f"{r.summary()[kind][m]:>{width + 2}.3f}" for r in reports))
    name = "top hit by a stopword"
    lines.append(f"{name:22}" + "".join(f"{int(r.summary()['all']['stopword_top']):>{width + 2}d}" for r in reports))
    splits = sorted({q.split for q in reports[0].results if q.split})
    for sp in splits:
        for kind in ("library", "moment"):
            s0 = reports[0].summary(sp).get(kind)
            if s0:
                m = "top3" if kind == "library" else "R@5"
                name = f"{sp} {kind} {m}"
                lines.append(f"{name:22}" + "".join(f"{r.summary(sp)[kind][m]:>{width + 2}.3f}" for r in reports))
    lines.append("")
    lines.append(f"{'kind':8} " + " ".join(f"{x[:10]:>10}" for x in labels) + "  query")
    for i, q in enumerate(reports[0].results):
        ranks = []
        for r in reports:
            res = r.results[i]
            if res.kind == "absent":
                ranks.append("ok" if res.returned == 0 else f"{res.returned} hits")
            else:
                ranks.append(str(res.first_rank) if res.first_rank else "-")
        lines.append(f"{q.kind:8} " + " ".join(f"{x:>10}" for x in ranks) + f"  {q.query}")
    skipped = reports[0].skipped
    if skipped:
        lines.append(f"skipped {len(skipped)} queries naming no video in this store")
    return "\n".join(lines)
