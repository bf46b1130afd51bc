"""MERV-style fusion: every visual signal is a named source with its own weight.

Sources are vector spaces (the query embedded into the space, nearest clips ranked) or the keyword
field; retrieve.py fuses their rankings with reciprocal-rank fusion, each scaled by its weight from
`search.weights` (defaults below; 0 switches a source off). `vidagent eval --config` with different
weights shows each source's contribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: fusion weight of each named source when `search.weights` does not set it
DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 1.0,  # the caption's embedding (what the describer said)
    "visual": 0.6,  # ConSE: tagger probabilities in the text space (with WordNet glosses)
    "keyword": 1.0,  # BM25 over caption, on-screen text, transcript, tags
    # The signal spaces are off by default except colour: on the project's signal query set the people
    # and motion words already reach search through the caption (text + keyword), and their spaces only
    # added mass to clips that have them (docs/benchmarks.md, ablation). Set a weight to try one.
    "visual.people": 0.0,  # "a person", "two people", "a talking head"
    "visual.colour": 0.3,  # "black and white", "dark", "mostly blue"
    "visual.motion": 0.0,  # "camera pans right", "fast motion"
    "clip": 1.0,  # CLIP/SigLIP image embeddings (only when `embed.visual: clip` was indexed)
}


#: cosine under which a signal space's match does not count: every clip has a motion and a colour
#: phrase, so without a floor these spaces would rank every clip for every query and add the same
#: mass to all of them (MiniLM cosines of unrelated short phrases stay under ~0.3)
SIGNAL_FLOOR = 0.4


def floor(kind: str) -> float:
    """The similarity a hit in this source must reach to count (-1: no floor)."""
    return SIGNAL_FLOOR if kind.startswith("visual.") else -1.0


def weights(settings: Any) -> dict[str, float]:
    """Default weights overlaid with the configured ones."""
    out = dict(DEFAULT_WEIGHTS)
    out.update(getattr(settings.search, "weights", {}) or {})
    return out


def vector_sources(spaces: list[str], settings: Any, emb: Any, query: str) -> list[tuple[str, str, np.ndarray]]:
    """(source name, store space, query vector) for every weighted vector source the store has."""
    w = weights(settings)
    out: list[tuple[str, str, np.ndarray]] = []
    q: np.ndarray | None = None
    for kind in ("text", "visual", "visual.people", "visual.colour", "visual.motion"):
        space = f"{kind}:{emb.name}"
        if w.get(kind, 0.0) > 0 and space in spaces:
            q = emb.embed(query) if q is None else q
            out.append((kind, space, q))
    if w.get("clip", 0.0) > 0 and settings.embed.visual == "clip":
        from .clip import ClipEmbedder, space_name

        space = space_name(settings.embed.visual_model)
        if space in spaces:
            out.append(("clip", space, ClipEmbedder.shared(settings.embed.visual_model).embed_texts([query])[0]))
    return out
