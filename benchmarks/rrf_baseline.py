"""The ranking before issue 11 (reciprocal-rank fusion of caption, visual and keyword rankings, every
query word OR-ed, no relevance floor), kept verbatim so bench_search.py can show the baseline beside
the current ranking in one run. Not used by the product."""

from __future__ import annotations

from dataclasses import dataclass

from vidagent.config import Settings
from vidagent.describe import get_embedder
from vidagent.store import Store
from vidagent.types import Hit

WEIGHTS = {"text": 1.0, "visual": 0.6, "keyword": 1.0}


@dataclass
class _Cand:
    ranks: dict[str, int]
    similarity: float


def search(
    store: Store, query: str, settings: Settings, top_k: int | None = None, video: str | None = None
) -> list[Hit]:
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
    # Over-fetch so that filtering to active rows (and to one video) still leaves enough.
    k = max(settings.search.candidates, top_k) * (4 if video_hash else 2)
    cands: dict[int, _Cand] = {}

    for kind in ("text", "visual"):
        space = f"{kind}:{emb.name}"
        if space not in store.spaces():
            continue
        found = store.index(space).search(q, k)
        desc_of = store.embedding_descriptions([i for i, _ in found])
        rank = 0
        for emb_id, score in found:
            did = desc_of.get(emb_id)
            if did is None:
                continue
            c = cands.setdefault(did, _Cand({}, -1.0))
            if kind not in c.ranks:
                c.ranks[kind] = rank
                rank += 1
            c.similarity = max(c.similarity, score)

    for rank, (did, _score) in enumerate(store.keyword_search(query, k)):
        cands.setdefault(did, _Cand({}, -1.0)).ranks.setdefault("keyword", rank)

    if not cands:
        return []
    rows = {r["description_id"]: r for r in store.active_rows(list(cands), video_hash=video_hash)}
    # Ranks were counted over all rows; recount them among active rows only, per ranking.
    for kind in WEIGHTS:
        order = sorted((c.ranks[kind], did) for did, c in cands.items() if kind in c.ranks and did in rows)
        for new_rank, (_, did) in enumerate(order):
            cands[did].ranks[kind] = new_rank
    rrf = settings.search.rrf_k
    scored = []
    for did, c in cands.items():
        if did not in rows:
            continue
        score = sum(WEIGHTS[kind] / (rrf + r + 1) for kind, r in c.ranks.items())
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
        hits.append(
            Hit(
                clip_id=r["clip_id"],
                video=r["video"],
                video_hash=r["video_hash"],
                start=r["start"],
                end=r["end"],
                score=score,
                caption=r["caption"],
                tags=r["tags"],
                ocr=r["ocr"],
                transcript=r["transcript"],
                sources=dict(cands[did].ranks),
                similarity=cands[did].similarity,
            )
        )
    return hits


def baseline_report(store_path, queries_path):  # type: ignore[no-untyped-def]
    from vidagent.config import load_settings
    from vidagent.evaluation import evaluate, load_queries

    st = Store(store_path, create=False)
    try:
        settings = load_settings(None)
        return evaluate(
            st,
            load_queries(queries_path),
            settings,
            label="baseline-rrf",
            search_fn=lambda text, k: search(st, text, settings, top_k=k),
        )
    finally:
        st.close()
