"""Search evaluation: run a file of judged queries against a store and score the rankings.

A query file (YAML: a list, or a mapping with `queries:`; or JSONL, one object a line) holds items
with `query` and the clips that answer it:

- `videos: [name, ...]`: any clip of a listed video is a hit (a "which video" library query);
  a name is a file name, a path (or its tail) or a content hash;
- `windows: [[start, end], ...]`: only clips overlapping a window of a listed video are hits
  (a moment query); an entry of `videos` may carry its own windows: `{video: name, windows: [...]}`;
- `absent: true`: nothing in the library answers it; correct when the search returns nothing.

Metrics are the usual ones for moment retrieval: Recall@k (a hit within the first k results),
MRR, nDCG@10 (library queries count one relevant result per listed video; moment queries every
clip overlapping a window), reported for each kind of query and overall.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import Settings
from .errors import VidagentError
from .store import Store
from .types import Hit

log = logging.getLogger(__name__)

KS = (1, 5, 10)


@dataclass
class Target:
    """One video that answers a query, optionally only within some time windows."""

    video: str
    windows: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class EvalQuery:
    query: str
    targets: list[Target] = field(default_factory=list)
    absent: bool = False
    split: str = ""
    note: str = ""

    @property
    def kind(self) -> str:
        if self.absent:
            return "absent"
        return "moment" if any(t.windows for t in self.targets) else "library"


@dataclass
class QueryResult:
    query: str
    kind: str
    split: str
    first_rank: int | None
    ndcg: float
    returned: int
    correct_at: dict[int, bool]
    top: str
    stopword_top: bool = False


@dataclass
class EvalReport:
    label: str
    results: list[QueryResult]
    skipped: list[str] = field(default_factory=list)

    def summary(self, split: str | None = None) -> dict[str, dict[str, float]]:
        """Metrics per kind of query ('library', 'moment', 'absent', 'all'); `split` filters queries."""
        rs = [r for r in self.results if split is None or r.split == split]
        out: dict[str, dict[str, float]] = {}
        for kind in ("library", "moment", "absent", "all"):
            group = [r for r in rs if kind == "all" or r.kind == kind]
            if group:
                out[kind] = _metrics(group)
        return out

    def to_json(self) -> dict[str, Any]:
        splits = sorted({r.split for r in self.results if r.split})
        return {
            "label": self.label,
            "summary": self.summary(),
            "by_split": {s: self.summary(s) for s in splits},
            "skipped": self.skipped,
            "queries": [asdict(r) for r in self.results],
        }


def _metrics(group: Sequence[QueryResult]) -> dict[str, float]:
    n = len(group)
    m: dict[str, float] = {"n": float(n)}
    for k in KS:
        m[f"R@{k}"] = sum(r.correct_at[k] for r in group) / n
    m["top3"] = sum(r.correct_at[3] for r in group) / n
    m["MRR"] = (
        sum(
            (1.0 / r.first_rank) if r.first_rank else (1.0 if r.kind == "absent" and r.returned == 0 else 0.0)
            for r in group
        )
        / n
    )
    m["nDCG@10"] = sum(r.ndcg for r in group) / n
    m["stopword_top"] = float(sum(r.stopword_top for r in group))
    return m


# -- loading ------------------------------------------------------------------------------------
def _windows(raw: Any, where: str) -> list[tuple[float, float]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise VidagentError(f"{where}: 'windows' must be a list of [start, end] pairs")
    out = []
    for w in raw:
        if not (
            isinstance(w, (list, tuple)) and len(w) == 2 and all(isinstance(x, (int, float)) for x in w) and w[0] < w[1]
        ):
            raise VidagentError(f"{where}: bad window {w!r} (want [start, end] seconds, start < end)")
        out.append((float(w[0]), float(w[1])))
    return out


def _parse_item(item: Any, where: str) -> EvalQuery:
    if not isinstance(item, dict) or not isinstance(item.get("query"), str):
        raise VidagentError(f"{where}: each item needs a 'query' string")
    unknown = set(item) - {"query", "videos", "video", "windows", "absent", "split", "note", "id"}
    if unknown:
        raise VidagentError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    shared = _windows(item.get("windows"), where)
    vids = item.get("videos", item.get("video", []))
    vids = [vids] if isinstance(vids, (str, dict)) else vids
    if not isinstance(vids, list):
        raise VidagentError(f"{where}: 'videos' must be a list")
    targets = []
    for v in vids:
        if isinstance(v, str):
            targets.append(Target(v, list(shared)))
        elif isinstance(v, dict) and isinstance(v.get("video"), str):
            targets.append(Target(v["video"], _windows(v.get("windows"), where) or list(shared)))
        else:
            raise VidagentError(f"{where}: a video is a name or {{video: name, windows: [...]}}, not {v!r}")
    absent = bool(item.get("absent", False))
    if absent and targets:
        raise VidagentError(f"{where}: an absent query cannot list videos")
    if not absent and not targets:
        raise VidagentError(f"{where}: list the 'videos' that answer the query, or mark it 'absent: true'")
    return EvalQuery(item["query"], targets, absent, str(item.get("split", "")), str(item.get("note", "")))


def load_queries(path: str | os.PathLike[str]) -> list[EvalQuery]:
    """Judged queries from a YAML or JSONL file; errors name the file and the item."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VidagentError(f"{p}: query file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VidagentError(f"{p}: cannot read: {exc}") from None
    items: Any
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise VidagentError(f"{p}:{n}: not valid JSON: {exc.msg}") from None
    else:
        try:
            items = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise VidagentError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from None
        if isinstance(items, dict):
            items = items.get("queries")
    if not isinstance(items, list) or not items:
        raise VidagentError(f"{p}: expected a non-empty list of queries (or a mapping with 'queries:')")
    return [_parse_item(it, f"{p}: item {i + 1}") for i, it in enumerate(items)]


# -- scoring ------------------------------------------------------------------------------------
def _overlaps(start: float, end: float, windows: Sequence[tuple[float, float]]) -> bool:
    return not windows or any(min(end, b) - max(start, a) > 1e-6 for a, b in windows)


class _Resolver:
    """Maps the names in a query file to the store's videos (by hash, path, path tail or file name)."""

    def __init__(self, store: Store) -> None:
        self.videos = [(v.hash, v.path) for v in store.videos()]

    def __call__(self, name: str) -> set[str]:
        norm = name.replace("\\", "/").strip("/")
        found = set()
        for h, path in self.videos:
            p = path.replace("\\", "/")
            if name == h or p == os.path.abspath(name) or p.endswith("/" + norm) or os.path.basename(p) == norm:
                found.add(h)
        return found


def _is_stopword_top(query: str, hit: Hit) -> bool:
    """Whether the top hit came from keywords while sharing only stopwords with the query."""
    from .textmatch import STOPWORDS, content_terms, stem, words

    if "keyword" not in hit.sources and "keywords" not in hit.sources:
        return False
    text = set(words(" ".join([hit.caption, hit.transcript, *hit.ocr, *hit.tags])))
    content = {stem(w) for w in content_terms(query)} & {stem(w) for w in text}
    fillers = set(words(query)) & text & STOPWORDS
    return bool(fillers) and not content


def score_query(
    q: EvalQuery, hits: Sequence[Hit], targets: dict[str, list[tuple[float, float]]], relevant: int, top_k: int = 10
) -> QueryResult:
    """Judge one ranked list. `targets` maps video hash to windows; `relevant` is the ideal hit count."""
    rels = []
    seen_videos: set[str] = set()
    for h in hits[:top_k]:
        win = targets.get(h.video_hash)
        ok = win is not None and _overlaps(h.start, h.end, win)
        if ok and q.kind == "library":
            ok = h.video_hash not in seen_videos
            seen_videos.add(h.video_hash)
        rels.append(1.0 if ok else 0.0)
    first = next(
        (
            i + 1
            for i, h in enumerate(hits)
            if h.video_hash in targets and _overlaps(h.start, h.end, targets[h.video_hash])
        ),
        None,
    )
    if q.absent:
        correct = {k: not hits for k in (*KS, 3)}
        ndcg = 1.0 if not hits else 0.0
    else:
        correct = {k: first is not None and first <= k for k in (*KS, 3)}
        dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels))
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(max(relevant, 1), top_k)))
        ndcg = dcg / ideal
    top = ""
    if hits:
        h = hits[0]
        top = f"{os.path.basename(h.video)} {h.start:.1f}-{h.end:.1f}"
    return QueryResult(
        q.query,
        q.kind,
        q.split,
        first,
        round(ndcg, 4),
        len(hits),
        correct,
        top,
        bool(hits) and _is_stopword_top(q.query, hits[0]),
    )


SearchFn = Callable[[str, int], list[Hit]]


def evaluate(
    store: Store,
    queries: Sequence[EvalQuery],
    settings: Settings,
    label: str = "settings",
    top_k: int = 10,
    search_fn: SearchFn | None = None,
) -> EvalReport:
    """Run every query through search with these settings and judge the results.

    Queries naming no video of this store are skipped (listed in the report), so one file can
    serve a store that holds only part of the corpus."""
    from .retrieve import search

    run: SearchFn = search_fn or (lambda text, k: search(store, text, settings, top_k=k))
    resolve = _Resolver(store)
    rows = store.active_rows()
    report = EvalReport(label, [])
    for q in queries:
        targets: dict[str, list[tuple[float, float]]] = {}
        for t in q.targets:
            for h in resolve(t.video):
                targets.setdefault(h, []).extend(t.windows)
        if not q.absent and not targets:
            report.skipped.append(q.query)
            continue
        if q.kind == "library":
            relevant = len(targets)
        else:
            relevant = sum(
                1
                for r in rows
                if r["video_hash"] in targets and _overlaps(r["start"], r["end"], targets[r["video_hash"]])
            )
        try:
            hits = run(q.query, top_k)
        except VidagentError:
            hits = []  # an empty query is refused with an error: the same as returning nothing
        report.results.append(score_query(q, hits, targets, relevant, top_k))
    if report.skipped:
        log.warning("%d queries name no video in this store and were skipped", len(report.skipped))
    return report
