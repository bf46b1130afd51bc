"""The retrieve stage: score clips by several named sources and fuse them with weights from the config.

Built-in sources, each giving a clip a score in [0, 1]:

- `caption`: the query against caption embeddings (what the describer said; for the offline
  describer this text includes speech and on-screen text),
- `visual`: the query against visual embeddings in the same text space (what the tagger saw),
- `keywords`: bounded BM25 over content words only (`textmatch`): stopwords dropped, each query
  term counted once in its best field (visual labels, on-screen text, speech, caption words) with
  a per-field weight, divided by the query's total idf, so coverage of the query's meaning counts;
  visual labels count by their confidence (`labelmatch`), query word pairs found together as phrases,
- `labels`: the query's confidence-weighted similarity to each candidate's visual labels.

A query whose every content word is unknown (`textmatch.unknown_words`) returns nothing, and a
video's n-th best clip counts `search.same_video_decay`**(n-1) of its score (`videolevel`).
Cosines are rescaled so that an unrelated text scores 0: (cos - sim_floor) / (1 - sim_floor).
The fused score is sum(weight * source score). The query returns nothing (nonsense gets "no
results") unless some clip reaches `search.min_score`, or the lower `search.min_score_words` when
it also matches content words of the query; then hits down to `search.min_relative` times the
best are kept. Sources are a registry (`register_source`): a new
signal adds a function and a weight under `search.weights` in the config.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .config import Settings
from .describe import get_embedder
from .errors import VidagentError
from .labelmatch import clip_strengths, label_scores
from .querynouns import alternatives
from .signals import fusion
from .store import Store
from .textmatch import average_lengths, content_terms, idf, pair_idfs, score_fields, unknown_words, vocabulary
from .types import Hit
from .videolevel import diversify, with_videos

log = logging.getLogger(__name__)

#: rank-fusion weight of each vector space kind for clip-to-clip similarity (`vidagent similar`);
#: text-query search uses `search.weights` from the settings instead
WEIGHTS = {"text": 1.0, "visual": 0.6}

#: above this many descriptions the keyword candidates are capped (`search.keyword_candidates_large`)
LARGE_STORE = 50_000

FIELD_LABELS = {"tags": "visual", "ocr": "on-screen text", "transcript": "speech", "caption": "words"}


@dataclass
class Query:
    """A query prepared once for every source."""

    text: str
    vector: np.ndarray
    embedder: str
    terms: list[str]
    k: int
    #: filled by the keyword source: each term's idf and the text fields of the clips it matched
    idfs: dict[str, float] = field(default_factory=dict)
    fields: dict[int, dict[str, str]] = field(default_factory=dict)
    n_docs: int = 0
    #: each term's WordNet ancestors the index detects, with the weight a match through them counts
    alternatives: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


@dataclass
class SourceScore:
    score: float
    why: str = ""
    #: keywords: the clip holds a query word itself (not only a WordNet ancestor of one), which
    #: lets it pass the lower `search.min_score_words` floor
    words: bool = True
    #: keywords: the part of `score` matched only through WordNet ancestors; the floor ignores it
    inferred: float = 0.0


@dataclass
class Candidate:
    scores: dict[str, SourceScore] = field(default_factory=dict)
    similarity: float = -1.0


SourceFn = Callable[[Store, Query, Settings], dict[int, SourceScore]]
SOURCES: dict[str, SourceFn] = {}


def register_source(name: str, fn: SourceFn) -> None:
    """Add a ranking source by name; it is used when `search.weights[name]` is above 0."""
    SOURCES[name] = fn


def _rescale(cos: float, floor: float) -> float:
    return max(0.0, (cos - floor) / (1.0 - floor))


def _vector_source(kind: str) -> SourceFn:
    def run(store: Store, q: Query, settings: Settings) -> dict[int, SourceScore]:
        space = f"{kind}:{q.embedder}"
        if space not in store.spaces():
            return {}
        found = store.index(space).search(q.vector, q.k)
        desc_of = store.embedding_descriptions([i for i, _ in found])
        out: dict[int, SourceScore] = {}
        for emb_id, cos in found:
            did = desc_of.get(emb_id)
            if did is not None and did not in out:
                out[did] = SourceScore(float(cos))
        return out

    return run


def _keywords(store: Store, q: Query, settings: Settings) -> dict[int, SourceScore]:
    if not q.terms:
        return {}
    q.alternatives = alternatives(q.terms, settings.search.wordnet_weight, settings.search.wordnet_decay)
    q.n_docs, dfs = store.keyword_stats(q.terms)
    q.idfs = {t: idf(q.n_docs, dfs.get(t, 0)) for t in q.terms}
    budget, cap = max(q.k * 4, 200), settings.search.keyword_candidates_large
    if q.n_docs > LARGE_STORE and cap > 0:
        budget = min(budget, max(cap, q.k // 2))  # per-candidate Python scoring dominates at this size
    found = store.keyword_search(" ".join(q.terms), budget)
    if not found:
        return {}
    return keyword_scores(store, q, settings, [did for did, _ in found])


def keyword_scores(store: Store, q: Query, settings: Settings, dids: Sequence[int]) -> dict[int, SourceScore]:
    """Bounded BM25 of these clips for the query's words (`textmatch.score_fields`), with their
    labels' confidence, word pairs and the words' WordNet ancestors (`querynouns`)."""
    docs = store.keyword_fields(list(dids))
    if not docs:
        return {}
    q.fields.update(docs)
    avg, weights = average_lengths(docs.values()), settings.search.fields
    concepts = sorted({c for found in q.alternatives.values() for c, _ in found})
    masses = (
        clip_strengths(store, list(docs), q.terms, concepts, settings.search)
        if settings.search.label_confidence
        else {}
    )
    pairs = pair_idfs(q.text, docs.values(), q.n_docs) if settings.search.phrases else {}
    out: dict[int, SourceScore] = {}
    for did, fields in docs.items():
        strengths = masses.get(did)
        m = score_fields(
            q.terms, q.idfs, fields, weights, avg, strengths=strengths, pairs=pairs, alternatives=q.alternatives
        )
        if m.score > 0:
            why = "; ".join(f'{FIELD_LABELS.get(f, f)} "{" ".join(ws)}"' for f, ws in m.matched.items())
            out[did] = SourceScore(m.score, why, words=m.direct, inferred=m.inferred)
    return out


register_source("caption", _vector_source("text"))
register_source("visual", _vector_source("visual"))
register_source("keywords", _keywords)


def _signal_source(kind: str) -> SourceFn:
    """A named visual signal space (MERV-style): a match counts only above the signal floor, since every
    clip has a colour and a motion phrase."""
    inner = _vector_source(kind)

    def run(store: Store, q: Query, settings: Settings) -> dict[int, SourceScore]:
        return {
            did: SourceScore(fusion.rescale(s.score), f"{s.score:.2f}")
            for did, s in inner(store, q, settings).items()
            if s.score >= fusion.SIGNAL_FLOOR
        }

    return run


def _clip(store: Store, q: Query, settings: Settings) -> dict[int, SourceScore]:
    """The CLIP-family image-text space: the query through the model's text tower."""
    found_q = fusion.clip_query(settings, q.text)
    if found_q is None or found_q[0] not in store.spaces():
        return {}
    space, vec = found_q
    found = store.index(space).search(vec, q.k)
    desc_of = store.embedding_descriptions([i for i, _ in found])
    out: dict[int, SourceScore] = {}
    for emb_id, cos in found:
        did = desc_of.get(emb_id)
        if did is not None and did not in out:
            out[did] = SourceScore(max(0.0, float(cos)), f"{cos:.2f}")
    return out


for _kind in ("visual.people", "visual.colour", "visual.motion"):
    register_source(_kind, _signal_source(_kind))
register_source("clip", _clip)
# `labels` finds no clips of its own: it scores the candidates from their rows (see `_labels`)
register_source("labels", lambda store, q, settings: {})

_SPACE_OF = {"caption": "text", "visual": "visual"}


def prepare(query: str, settings: Settings, k: int) -> Query:
    """Embed the query and pick its content words; an empty query is an error."""
    if not query.strip():
        raise VidagentError('empty query: say what to find, e.g. vidagent search "a dog on a beach"')
    emb = get_embedder(settings.embed.embedder)
    return Query(query, emb.embed(query), emb.name, content_terms(query), k)


def candidates(store: Store, q: Query, settings: Settings) -> dict[int, Candidate]:
    """Raw per-source scores of every clip any source found (cosines not yet rescaled)."""
    weights = fusion.weights(settings)
    cands: dict[int, Candidate] = {}
    for name, w in weights.items():
        fn = SOURCES.get(name)
        if fn is None:
            raise VidagentError(f"search.weights: unknown source '{name}' (known: {', '.join(sorted(SOURCES))})")
        if w <= 0:
            continue
        for did, s in fn(store, q, settings).items():
            cands.setdefault(did, Candidate()).scores[name] = s
    # A clip found by one source is scored by the vector sources too (from its stored vectors).
    for name, kind in _SPACE_OF.items():
        if weights.get(name, 0) <= 0:
            continue
        lacking = [did for did, c in cands.items() if name not in c.scores]
        if lacking:
            for did, vec in store.vectors_of(lacking, f"{kind}:{q.embedder}").items():
                if vec.shape == q.vector.shape:
                    cands[did].scores[name] = SourceScore(float(vec @ q.vector))
    # ... and by keywords: a clip whose labels (or people) mean a query word need not say it in its text.
    if (settings.search.keywords_everywhere or q.alternatives) and weights.get("keywords", 0) > 0 and q.idfs:
        lacking = [did for did, c in cands.items() if "keywords" not in c.scores]
        for did, s in keyword_scores(store, q, settings, lacking).items():
            cands[did].scores["keywords"] = s
    for c in cands.values():
        cos = [c.scores[n].score for n in _SPACE_OF if n in c.scores]
        c.similarity = max(cos) if cos else -1.0
    return cands


def fuse(c: Candidate, settings: Settings) -> tuple[float, dict[str, float]]:
    """The fused score of one candidate and each source's share of it."""
    parts = {}
    for name, w in fusion.weights(settings).items():
        s = c.scores.get(name)
        if s is None or w <= 0:
            continue
        val = _rescale(s.score, settings.search.sim_floor) if name in _SPACE_OF else s.score
        if val > 0:
            parts[name] = w * val
    return sum(parts.values()), parts


def _why(c: Candidate, parts: dict[str, float]) -> str:
    out = []
    for name, _share in sorted(parts.items(), key=lambda x: -x[1]):
        s = c.scores.get(name, SourceScore(_share))
        if name == "keywords" and s.why:
            out.append(s.why)
        elif name == "caption":
            out.append(f"caption meaning {s.score:.2f}")
        elif name == "visual":
            out.append(f"visual {s.score:.2f}")
        elif name == "video":
            out.append(f"the video's clips {_share:.2f}")
        else:
            out.append(f"{name} {s.why or f'{s.score:.2f}'}")
    return "; ".join(out)


def _evidence(c: Candidate, score: float, parts: dict[str, float]) -> float:
    """The score the floor judges: without what keywords matched only through WordNet ancestors, so
    a kind-of match ranks clips but never makes a query find something ("a pianist" is not every person)."""
    kw = c.scores.get("keywords")
    if kw is None or kw.inferred <= 0 or kw.score <= 0 or "keywords" not in parts:
        return score
    return score - parts["keywords"] * kw.inferred / kw.score


def _has_words(c: Candidate, parts: dict[str, float]) -> bool:
    return "keywords" in parts and c.scores["keywords"].words


def is_nonsense(store: Store, q: Query, settings: Settings) -> bool:
    """Every content word of the query is unknown to the embedder and absent from the library."""
    model_dir = getattr(get_embedder(settings.embed.embedder), "model_dir", None)
    if not settings.search.unknown_words or not q.terms or model_dir is None:
        return False
    vocab = vocabulary(str(model_dir()))
    if not vocab:
        return False
    _, dfs = store.keyword_stats(q.terms)
    return len(unknown_words(q.terms, vocab, dfs)) == len(q.terms)


def _labels(
    cands: dict[int, Candidate], info: dict[int, tuple[str, list[tuple[str, float]]]], q: Query, settings: Settings
) -> None:
    """The `labels` source: the query's expected similarity to each candidate's visual labels,
    weighted by the tagger's confidence (`labelmatch`); scored from the rows search loads anyway."""
    if fusion.weights(settings).get("labels", 0.0) <= 0:
        return
    tags: dict[int, Sequence[Sequence[Any]]] = {did: t for did, (_, t) in info.items() if t}
    if not tags:
        return
    emb = get_embedder(settings.embed.embedder)
    if emb.name != q.embedder or getattr(emb, "dim", len(q.vector)) != len(q.vector):
        return
    for did, sc in label_scores(q.vector, tags, emb, settings.search.sim_floor).items():
        cands[did].scores["labels"] = SourceScore(sc, f"{sc:.2f}")


def search(
    store: Store,
    query: str,
    settings: Settings,
    top_k: int | None = None,
    video: str | None = None,
    min_score: float | None = None,
) -> list[Hit]:
    """Ranked clips for a text query over each video's active clips; `video` limits to one video.

    `min_score` (default: `search.min_score` / `min_score_words`): when no clip reaches it the list
    is empty; given here it is one floor for every clip, and 0 returns every candidate ranked (the
    agent's tools do that: they apply their own evidence checks)."""
    top_k = top_k or settings.search.top_k
    floor = settings.search.min_score if min_score is None else min_score
    floor_words = settings.search.min_score_words if min_score is None else min_score
    video_hash = None
    if video is not None:
        row = store.find_video(video)
        if row is None:
            return []
        video_hash = row.hash
    # Over-fetch so that filtering to active rows (superseded ones, `activity.py`) and to one video leaves enough.
    k = round(max(settings.search.candidates, top_k) * (4 if video_hash else 2) * store.activity().overfetch)
    q = prepare(query, settings, k)
    if min_score != 0 and is_nonsense(store, q, settings):
        return []
    cands = candidates(store, q, settings)
    if not cands:
        return []
    info = store.rank_info(list(cands), video_hash=video_hash)  # the active candidates only
    _labels(cands, info, q, settings)
    every = min_score is not None and min_score <= 0  # an explicit 0 asks for every candidate, ranked
    scored = []
    for did, c in cands.items():
        if did not in info:
            continue
        score, parts = fuse(c, settings)
        if score > 0 or every:
            scored.append((score, did, parts))
    scored = with_videos(scored, {d: v for d, (v, _) in info.items()}, q, settings)
    scored.sort(key=lambda x: (-x[0], -cands[x[1]].similarity, x[1]))
    # The floor judges the query (is anything relevant?); weaker hits after a strong one are kept
    # down to a fraction of the best, so a real query keeps its near misses and nonsense gets nothing.
    if not every:
        if not any(
            _evidence(cands[did], sc, parts) >= (floor_words if _has_words(cands[did], parts) else floor)
            for sc, did, parts in scored
        ):
            return []
        cut = settings.search.min_relative * scored[0][0]
        scored = [x for x in scored if x[0] >= cut]
    scored = diversify(scored, {did: info[did][0] for _, did, _ in scored}, settings.search.same_video_decay)
    scored.sort(key=lambda x: (-x[0], -cands[x[1]].similarity, x[1]))
    ranks: dict[str, dict[int, int]] = {}
    for name in fusion.weights(settings):
        order = sorted((did for _, did, p in scored if name in p), key=lambda d: -cands[d].scores[name].score)
        ranks[name] = {did: i for i, did in enumerate(order)}
    rows = {r["description_id"]: r for r in store.active_rows([did for _, did, _ in scored[:top_k]])}
    hits = []
    for score, did, parts in scored[:top_k]:
        if did not in rows:  # forgotten between the two reads
            continue
        r, c = rows[did], cands[did]
        sources = {name: rk[did] for name, rk in ranks.items() if did in rk}
        # the names readers used before the sources were named after the config's weights
        if "keywords" in sources:
            sources["keyword"] = sources["keywords"]
        if "caption" in sources:
            sources["text"] = sources["caption"]
        hits.append(
            hit_of(
                r,
                score,
                sources,
                c.similarity,
                why=_why(c, parts),
                contributions={n: round(v, 4) for n, v in parts.items()},
            )
        )
    return hits


def hit_of(row: Any, score: float, sources: dict[str, int], similarity: float, **extra: Any) -> Hit:
    """A search result from one active clip row (a `ClipRecord`), for `search` and `similar` alike."""
    return Hit(
        clip_id=row["clip_id"],
        video=row["video"],
        video_hash=row["video_hash"],
        start=row["start"],
        end=row["end"],
        score=score,
        caption=row["caption"],
        tags=row["tags"],
        ocr=row["ocr"],
        transcript=row["transcript"],
        sources=sources,
        similarity=similarity,
        **extra,
    )
