"""What an ImageNet class is a kind of, from WordNet 3.0 (a table generated once and shipped).

`scripts/build_wordnet_table.py` wrote `data/imagenet_wordnet.json` from Debian's wordnet-base:
each class's lemmas, gloss, hypernym chain and `kinds` (the familiar ancestors: "Persian cat" ->
"domestic cat", "animal"; "king penguin" -> "bird"). Nothing here needs WordNet installed.
WordNet's licence: data/WORDNET_LICENSE.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def table() -> list[dict[str, Any]]:
    """The 1000 classes in ImageNet index order (the tagger's label order)."""
    text = resources.files("vidagent.signals").joinpath("data/imagenet_wordnet.json").read_text(encoding="utf-8")
    classes = json.loads(text)["classes"]
    return sorted(classes, key=lambda c: c["index"])


def kinds(index: int) -> list[str]:
    """Broader names for class `index`, nearest first."""
    return list(table()[index]["kinds"])


def gloss(index: int) -> str:
    return str(table()[index]["gloss"]).split(";")[0].strip()


def with_kinds(label: str, index: int, n: int = 2) -> str:
    """A caption phrase: "Persian cat (a domestic cat, animal)"; the label alone when WordNet adds nothing."""
    extra = [k for k in kinds(index) if k.lower() not in label.lower()][:n]
    return f"{label} ({', '.join(extra)})" if extra else label


def label_phrases(labels: list[str]) -> list[str]:
    """Gloss-enriched phrases for label embeddings: "Persian cat, a domestic cat, animal: a long-haired breed of cat"."""
    out = []
    for i, label in enumerate(labels):
        extra = [k for k in kinds(i) if k.lower() not in label.lower()]
        head = ", ".join([label, *extra[:3]])
        out.append(f"{head}: {gloss(i)}")
    return out
