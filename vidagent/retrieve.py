"""The retrieve stage: embed the query, rank clips three ways and fuse the rankings.

- `text`: the query against caption embeddings (what the describer said),
- `visual`: the query against visual embeddings in the same text space (what the tagger saw),
- `keyword`: SQLite FTS5 BM25 over captions, on-screen text, transcripts and tags (exact words).

Reciprocal-rank fusion combines them without calibrating their score scales. `similarity` (best
cosine of the query with the clip's text or visual vector) is kept beside the fused score: it is an
absolute measure the agent uses to decide that nothing relevant was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .describe import get_embedder
from .signals import fusion
from .store import Store
from .types import Hit

WEIGHTS = {"text": 1.0, "visual": 0.6, "keyword": 1.0}


@dataclass
class _Cand:
    ranks: dict[str, int]
    similarity: float


def search(store: Store, query: str, settings: Settings, top_k: int | None = None,
           video: str | None = None) -> list[Hit]:
    """Ranked clips for a text query over each video's active clips; `video` limits to one video."""
    top_k = top_k or settings.search.top_k
    video_hash = None
    if video is not None:
        row = store.find_video(video)
        if row is None:
            return []
        video_hash = row.hash
    emb = get_embedder(settings.embed.embedder)
    q = emb.embed(query)
    weights = fusion.weights(settings)
    # Over-fetch so that filtering to active rows (and to one video) still leaves enough.
    k = max(settings.search.candidates, top_k) * (4 if video_hash else 2)
    cands: dict[int, _Cand] = {}

    # Every weighted vector source the store has: text, visual and the named visual signals (MERV-style).
    for kind, space, qv in fusion.vector_sources(store.spaces(), settings, emb, query):
        found = store.index(space).search(qv, k)
        desc_of = store.embedding_descriptions([i for i, _ in found])
        rank = 0
        for emb_id, score in found:
            if score < fusion.floor(kind):
                break  # best first: the rest are further still
            did = desc_of.get(emb_id)
            if did is None:
                continue
            c = cands.setdefault(did, _Cand({}, -1.0))
            if kind not in c.ranks:
                c.ranks[kind] = rank
                rank += 1
            if kind in ("text", "visual"):
                c.similarity = max(c.similarity, score)

    for rank, (did, _score) in enumerate(store.keyword_search(query, k) if weights.get("keyword", 0) > 0 else []):
        cands.setdefault(did, _Cand({}, -1.0)).ranks.setdefault("keyword", rank)

    if not cands:
        return []
    rows = {r["description_id"]: r for r in store.active_rows(list(cands), video_hash=video_hash)}
    # Ranks were counted over all rows; recount them among active rows only, per ranking.
    for kind in {kind for c in cands.values() for kind in c.ranks}:
        order = sorted((c.ranks[kind], did) for did, c in cands.items() if kind in c.ranks and did in rows)
        for new_rank, (_, did) in enumerate(order):
            cands[did].ranks[kind] = new_rank
    rrf = settings.search.rrf_k
    scored = []
    for did, c in cands.items():
        if did not in rows:
            continue
        score = sum(weights.get(kind, 0.0) / (rrf + r + 1) for kind, r in c.ranks.items())
        scored.append((score, did))
    scored.sort(key=lambda x: (-x[0], x[1]))
    # Hits found only by keywords have no similarity yet: compute it from their stored vectors.
    lacking = [did for _, did in scored[:top_k] if cands[did].similarity < 0]
    for kind in ("text", "visual") if lacking else ():
        for did, vec in store.vectors_of(lacking, f"{kind}:{emb.name}").items():
            if vec.shape == q.shape:
                cands[did].similarity = max(cands[did].similarity, float(vec @ q))
    hits = []
    for score, did in scored[:top_k]:
        r = rows[did]
        hits.append(Hit(
            clip_id=r["clip_id"], video=r["video"], video_hash=r["video_hash"], start=r["start"], end=r["end"],
            score=score, caption=r["caption"], tags=r["tags"], ocr=r["ocr"], transcript=r["transcript"],
            sources=dict(cands[did].ranks), similarity=cands[did].similarity,
        ))
    return hits
