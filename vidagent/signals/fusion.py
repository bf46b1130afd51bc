"""MERV-style fusion: every visual signal is a named source with its own weight.

Sources are vector spaces (the query embedded into the space, nearest clips scored) or the keyword
field; retrieve.py fuses their scores, each scaled by its weight from `search.weights` (defaults in
`config.DEFAULT_SEARCH_WEIGHTS`; 0 switches a source off). `vidagent eval --config` with different
weights shows each source's contribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: older names of the built-in sources, accepted in `search.weights`
ALIASES = {"text": "caption", "keyword": "keywords"}


#: cosine under which a signal space's match does not count: every clip has a motion and a colour
#: phrase, so without a floor these spaces would rank every clip for every query and add the same
#: mass to all of them (MiniLM cosines of unrelated short phrases stay under ~0.3)
SIGNAL_FLOOR = 0.4


def floor(kind: str) -> float:
    """The similarity a hit in this source must reach to count (-1: no floor)."""
    return SIGNAL_FLOOR if kind.startswith("visual.") else -1.0


def weights(settings: Any) -> dict[str, float]:
    """The default weights (config.DEFAULT_SEARCH_WEIGHTS) overlaid with the configured ones."""
    from ..config import DEFAULT_SEARCH_WEIGHTS

    out = dict(DEFAULT_SEARCH_WEIGHTS)
    for name, w in (getattr(settings.search, "weights", {}) or {}).items():
        out[ALIASES.get(name, name)] = w
    return out


def rescale(cos: float) -> float:
    """A signal space's cosine as a score in [0, 1]: 0 at the floor."""
    return max(0.0, (cos - SIGNAL_FLOOR) / (1.0 - SIGNAL_FLOOR))


def clip_query(settings: Any, query: str) -> tuple[str, np.ndarray] | None:
    """(store space, query vector) of the CLIP-family space when `embed.visual: clip` is set."""
    if settings.embed.visual != "clip":
        return None
    from .clip import ClipEmbedder, space_name

    vec = ClipEmbedder.shared(settings.embed.visual_model).embed_texts([query])[0]
    return space_name(settings.embed.visual_model), vec
