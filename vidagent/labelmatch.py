"""How strongly a clip's visual labels say a query word, from the tagger's confidences and WordNet.

A clip's tags are (ImageNet label, mean probability) pairs. Counted as plain text, five unsure dog
breeds at 0.05-0.10 each write "dog" five times into a caption and outrank one Samoyed at 0.87.
Here a query word's strength in a clip is the probability mass of the labels that mean it: the label's
own words, its WordNet kinds and hypernyms (shipped table, `signals.hierarchy`), so "dog" gets
0.87 from the Samoyed and 0.33 from the five unsure breeds. Hypernyms that cover nearly half of all
classes or more ("entity", "object", "whole", "artifact") say nothing and are left out.

`label_scores` is the same idea in the embedding space: the query's expected similarity to the
clip's labels, sum(p_i * rescaled cos(query, label phrase_i)), where the label phrases are the
gloss-enriched phrases the describer embeds (their vectors are cached on disk by `conse`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .textmatch import stem, words

#: a hypernym above this share of the 1000 classes is too general to mean anything in a query
TOO_GENERAL = 0.45
_SAME_NAME = {517: "construction crane"}  # as the tagger names it (perception.tagger)


@lru_cache(maxsize=1)
def labels() -> list[str]:
    """The tagger's label names in class order (first lemma; a repeated one made distinct as the tagger does)."""
    from .signals.hierarchy import table

    names: list[str] = []
    seen: set[str] = set()
    for c in table():
        lemmas = c["lemmas"]
        name = lemmas[0]
        if name in seen:
            name = _SAME_NAME.get(c["index"]) or (lemmas[1] if len(lemmas) > 1 else f"{name} ({c['index']})")
        seen.add(name)
        names.append(name)
    return names


@lru_cache(maxsize=1)
def _label_names() -> dict[str, frozenset[str]]:
    """Each label name -> every name (lower case) of what it is: its own, its lemmas, kinds and
    hypernyms minus the too general ones; a query word's WordNet ancestor (`querynouns`) must be one."""
    from .signals.hierarchy import table

    classes = table()
    counts: dict[str, int] = {}
    for c in classes:
        for h in set(c["hypernyms"]):
            counts[h] = counts.get(h, 0) + 1
    limit = TOO_GENERAL * len(classes)
    return {
        name: frozenset(
            n.lower() for n in [name, *c["lemmas"], *c["kinds"], *(h for h in c["hypernyms"] if counts[h] < limit)]
        )
        for name, c in zip(labels(), classes, strict=True)
    }


@lru_cache(maxsize=1)
def _label_stems() -> dict[str, frozenset[str]]:
    """Each label name -> the stems of every word naming it or a kind of thing it is."""
    return {label: frozenset(stem(w) for n in names for w in words(n)) for label, names in _label_names().items()}


def concept_strengths(
    concepts: Iterable[str], tag_scores: Sequence[Sequence[Any]], calibration: str = "raw"
) -> dict[str, float]:
    """Each WordNet concept's label mass in one clip (capped at 1): the labels that are a kind of it."""
    table = _label_names()
    wanted = {c.lower(): c for c in concepts}
    out: dict[str, float] = {}
    for label, conf in calibrate(tag_scores, calibration):
        names = table.get(label) or frozenset({label.lower()})
        for low, c in wanted.items():
            if low in names:
                out[c] = min(1.0, out.get(c, 0.0) + conf)
    return out


def calibrate(tag_scores: Sequence[Sequence[Any]], mode: str = "raw") -> list[tuple[str, float]]:
    """Each label's weight as evidence, from the tagger's probabilities.

    `raw` is the softmax probability. It is spread over 1000 classes, so a clip's top label can be
    0.05 and still be the tagger's clear best guess. `relative` divides by the clip's top label
    (the best guess counts 1); `sqrt` is their geometric mean, conf / sqrt(top): a sure label stays
    near its probability, an unsure clip's best guess is lifted but less than fully."""
    pairs = [(str(t[0]), float(t[1])) for t in tag_scores]
    top = max((c for _, c in pairs), default=0.0)
    if mode == "raw" or top <= 0:
        return pairs
    scale = 1.0 / top if mode == "relative" else 1.0 / math.sqrt(top)
    return [(lab, min(1.0, c * scale)) for lab, c in pairs]


def term_strengths(
    terms: Iterable[str], tag_scores: Sequence[Sequence[Any]], calibration: str = "raw"
) -> dict[str, float]:
    """Each query term's label mass in one clip (capped at 1); terms no label means are left out.

    Labels the table does not know (another tagger's) count by their own words."""
    table = _label_stems()
    stems = {t: stem(t) for t in terms}
    out: dict[str, float] = {}
    for label, conf in calibrate(tag_scores, calibration):
        known = table.get(str(label))
        names = known if known is not None else frozenset(stem(w) for w in words(str(label)))
        for t, st in stems.items():
            if st in names:
                out[t] = min(1.0, out.get(t, 0.0) + float(conf))
    return out


def frame_shares(terms: Iterable[str], frame_tags: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each query term's share of the clip's keyframes whose top labels include one that means it.

    The tagger's probabilities are spread over 1000 classes (a clip's best label can be 0.05), but a
    meaning seen on every keyframe is steady evidence: three keyframes that each rank a bicycle
    among their top labels show a bicycle, whatever its probability."""
    if not frame_tags:
        return {}
    table = _label_stems()
    stems = {t: stem(t) for t in terms}
    hits = dict.fromkeys(stems, 0)
    for frame in frame_tags:
        names = (
            set().union(*(table.get(str(lab)) or {stem(w) for w in words(str(lab))} for lab in frame))
            if frame
            else set()
        )
        for t, st in stems.items():
            hits[t] += st in names
    return {t: n / len(frame_tags) for t, n in hits.items() if n}


def clip_strengths(
    store: Any, dids: list[int], terms: list[str], concepts: list[str], search: Any
) -> dict[int, dict[str, dict[str, float]]]:
    """Each clip's label mass of each query word and of each word's WordNet ancestor (`querynouns`),
    as `score_fields` strengths of the tags field. "person" counts fully when the people signal saw
    someone (its detector is tuned for precision); with `search.frame_weight` a word the keyframes
    keep labelling counts at least that times its keyframe share (`frame_shares`)."""
    from .querynouns import PERSON

    cal, steady = search.label_calibration, search.frame_weight
    seen = store.seen(dids) if PERSON in concepts or steady > 0 else {}
    out: dict[int, dict[str, dict[str, float]]] = {}
    for did, (_, tags) in store.rank_info(dids).items():
        found = {**concept_strengths(concepts, tags, cal), **term_strengths(terms, tags, cal)}
        people, frames = seen.get(did, (0, []))
        if steady > 0 and frames:
            for t, share in frame_shares(terms, frames).items():
                found[t] = max(found.get(t, 0.0), steady * share)
        if people and PERSON in concepts:
            found[PERSON] = 1.0
        out[did] = {"tags": found}
    return out


_VECTORS: dict[str, np.ndarray] = {}


def label_vectors(embedder: Any) -> np.ndarray:
    """Unit vectors of the gloss-enriched label phrases, as the offline describer embeds them (cached
    on disk by `conse`, and here per embedder so a query does not re-hash 1000 phrases)."""
    key = str(getattr(embedder, "model_id", embedder.name))
    if key not in _VECTORS:
        from .perception.conse import label_embeddings
        from .perception.tagger import MODEL_ID as TAGGER_ID
        from .signals.hierarchy import label_phrases

        _VECTORS[key] = label_embeddings(label_phrases(labels()), embedder, TAGGER_ID + "+wn")
    return _VECTORS[key]


def label_scores(
    query_vec: np.ndarray,
    tag_scores: dict[int, Sequence[Sequence[Any]]],
    embedder: Any,
    floor: float,
    calibration: str = "raw",
) -> dict[int, float]:
    """Each clip's expected rescaled similarity of the query to its labels (0 for unknown labels)."""
    index = {name: i for i, name in enumerate(labels())}
    sims = label_vectors(embedder) @ query_vec
    resc = np.maximum(0.0, (sims - floor) / (1.0 - floor))
    out: dict[int, float] = {}
    for did, tags in tag_scores.items():
        s = sum(conf * float(resc[index[lab]]) for lab, conf in calibrate(tags, calibration) if lab in index)
        if s > 0:
            out[did] = min(1.0, s)
    return out
