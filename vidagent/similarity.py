"""More like this clip: rank the store's clips by how close their stored vectors are to one clip's.

Each vector space the clip has a vector in is one ranking: `text` (its caption, embedded in the text
space every describer shares), `visual` (the offline tagger's visual vector, in that same text space)
and `vision` (a VLM's pooled vision-tower states, in the model's own space; only clips described by
the same model have them). The rankings are fused by the same weighted reciprocal-rank fusion
`search` uses, so a store that mixes describers (some videos offline, some VLM) is searched across
all of them through the text space, and VLM clips are also matched by what their model saw.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .config import Settings, load_settings
from .errors import VidagentError
from .store import Store
from .types import Hit

#: weight of a ranking in the fusion, by the kind of space (the part of its name before ':'); the
#: text-query kinds reuse `retrieve.WEIGHTS` so both commands fuse alike
VISION_WEIGHT = 1.0
DEFAULT_WEIGHT = 0.6


def weight(kind: str) -> float:
    from .retrieve import WEIGHTS

    if kind in WEIGHTS:
        return float(WEIGHTS[kind])
    return VISION_WEIGHT if kind == "vision" else DEFAULT_WEIGHT


@dataclass
class _Cand:
    ranks: dict[str, int] = field(default_factory=dict)
    similarity: float = -1.0


def similar_clips(
    store: Store, clip_id: str, settings: Settings, top_k: int | None = None, video: str | None = None
) -> list[Hit]:
    """Clips most like `clip_id` (itself excluded), best first; `video` limits the results to one video."""
    top_k = top_k or settings.search.top_k
    rows = store.active_rows(clip_ids=[clip_id])
    if not rows:
        raise VidagentError(f"unknown clip id '{clip_id}' (clip ids come from `vidagent search --json`)")
    me = rows[0]
    video_hash = None
    if video is not None:
        from .store.resolve import require_video

        video_hash = require_video(store, video).hash
    k = (max(settings.search.candidates, top_k) + 1) * (4 if video_hash else 2)
    cands: dict[int, _Cand] = {}
    used: list[str] = []
    for space in sorted(store.spaces()):
        vec = store.vectors_of([me["description_id"]], space).get(me["description_id"])
        if vec is None:
            continue
        used.append(space)
        kind = space.split(":", 1)[0]
        found = store.index(space).search(vec, k)
        desc_of = store.embedding_descriptions([i for i, _ in found])
        rank = 0
        for emb_id, score in found:
            did = desc_of.get(emb_id)
            if did is None or did == me["description_id"]:
                continue
            c = cands.setdefault(did, _Cand())
            if kind not in c.ranks:
                c.ranks[kind] = rank
                rank += 1
            c.similarity = max(c.similarity, float(score))
    if not used:
        raise VidagentError(
            f"clip '{clip_id}' has no stored vectors (its description failed?): re-run `vidagent index`"
        )
    active = {r["description_id"]: r for r in store.active_rows(list(cands), video_hash=video_hash)}
    # Ranks were counted over every stored row; recount them among the active rows, per ranking.
    for kind in {s.split(":", 1)[0] for s in used}:
        order = sorted((c.ranks[kind], did) for did, c in cands.items() if kind in c.ranks and did in active)
        for new_rank, (_, did) in enumerate(order):
            cands[did].ranks[kind] = new_rank
    rrf = settings.search.rrf_k
    scored = sorted(
        (
            (sum(weight(kind) / (rrf + r + 1) for kind, r in c.ranks.items()), did)
            for did, c in cands.items()
            if did in active and active[did]["clip_id"] != clip_id
        ),
        key=lambda x: (-x[0], x[1]),
    )
    from .retrieve import hit_of

    hits = []
    for score, did in scored[:top_k]:
        r = active[did]
        hits.append(hit_of(r, score, dict(cands[did].ranks), cands[did].similarity))
    return hits


def similar(
    clip_id: str,
    store: str | os.PathLike[str] | Store | None = None,
    top_k: int | None = None,
    video: str | None = None,
    config: str | os.PathLike[str] | Settings | None = None,
) -> list[Hit]:
    """The library call behind `vidagent similar`: opens the store, ranks, closes it."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    if isinstance(store, Store):
        return similar_clips(store, clip_id, settings, top_k=top_k, video=video)
    st = Store(store, create=False)
    try:
        return similar_clips(st, clip_id, settings, top_k=top_k, video=video)
    finally:
        st.close()
