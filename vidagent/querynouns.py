"""What a query noun the index cannot see is a kind of, from WordNet 3.0 (a shipped, derived table).

The index names what the tagger and the people detector see: ImageNet classes, their familiar kinds
("dog", "vehicle") and "person". A user asks for "pedestrians", "cyclists" or "a lecturer": no label
or caption says those words, but each is a kind of person, and a clip showing people is a partial
answer. `scripts/build_query_wordnet.py` wrote, for every WordNet noun, its nearest detected
ancestors with their hypernym step counts (`signals/data/query_wordnet.json.gz`, ~90 kB, read on
first use); search lets such a word match its ancestor at `decay ** steps` of a full match. Nouns the
labels name themselves ("dog", "car") have no entry: going up from them would only reach siblings.
WordNet's licence: signals/data/WORDNET_LICENSE.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import Any

#: the concept the people signal detects (`signals.people`): a clip where it saw someone shows a person
PERSON = "person"
#: WordNet's suffix rules for nouns (morphy), tried after the word itself and its listed irregular plural
NOUN_SUFFIXES = (
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("s", ""),
)


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    data = resources.files("vidagent.signals").joinpath("data/query_wordnet.json.gz").read_bytes()
    return dict(json.loads(gzip.decompress(data)))


def lemma(word: str) -> str | None:
    """The WordNet noun a query word is a form of, when the table knows it ("cyclists" -> "cyclist")."""
    t = _table()
    w = word.lower()
    if w in t["words"]:
        return w
    if w in t["plurals"]:
        return str(t["plurals"][w])
    for suffix, repl in NOUN_SUFFIXES:
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            base = w[: -len(suffix)] + repl
            if base in t["words"]:
                return base
    return None


def ancestors(word: str) -> list[tuple[str, int, float]]:
    """(detected concept, hypernym steps, share of the word's uses in the senses reaching it) for a
    query word, nearest first; [] when it has none."""
    base = lemma(word)
    if base is None:
        return []
    t = _table()
    return [(str(t["concepts"][c]), int(d), float(p)) for c, d, p in t["words"][base]]


def alternatives(terms: list[str], weight: float, decay: float = 1.0) -> dict[str, list[tuple[str, float]]]:
    """Each query term's detected ancestors as (concept, weight x share x decay ** (steps - 1)): a
    word that is always a kind of person ("pedestrian") gets `weight`, a word whose main sense is
    something else ("match": a lighter in under half its uses) proportionally less. Terms with
    none are left out; `weight` 0 turns this off."""
    if weight <= 0:
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for term in terms:
        found = [(concept, weight * share * decay ** (steps - 1)) for concept, steps, share in ancestors(term)]
        if found:
            out[term] = found
    return out
