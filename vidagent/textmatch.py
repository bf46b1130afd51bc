"""Words of a query that carry meaning, and BM25 over a clip's text fields with query-term coverage.

Keyword search counts content words only: English stopwords ("a", "in the", "what", ...) are dropped,
so a clip that shares a filler word with the query gets nothing from keywords. Each clip's score is
BM25-shaped but bounded: every query term contributes idf * saturated term frequency (at most 1),
divided by the summed idf of all the query's terms. A clip that matches every content word of the
query scores near 1; a clip that matches one rare word of three scores about a third, so coverage of
the query decides before repetition does. Terms are matched by Porter stems, as FTS5 stems the index.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .porter import porter

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_BREAK = re.compile(r"[,.;:!?()\[\]{}|/\n\u2014\u2013\"]+")

STOPWORDS = frozenset(
    """
a about above after again against all am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours
ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that
that's the their theirs them themselves then there there's these they they'd they'll they're they've
this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what
what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves
also just like get got gets one ones s t will shall may might must let lets please
show shows showing shown find video videos clip clips scene scenes moment moments footage part
where's somebody someone something thing things appear appears see seen
""".split()
)  # noqa: SIM905
"""Function words plus words that describe the search itself ("a video showing ...")."""


def words(text: str) -> list[str]:
    """Lower-cased words of a text (apostrophes kept inside words: "don't")."""
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter's stem (`porter`), as FTS5 stems the keyword index: the same for queries and clips
    (memoised: a search stems the words of hundreds of candidate clips, from a small vocabulary)."""
    return porter(word.lower().replace("\u2019", "'").removesuffix("'s"))


def content_terms(query: str) -> list[str]:
    """The query's content words (no stopwords, no single letters), in order, each once."""
    out: list[str] = []
    for w in words(query):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        if w not in out:
            out.append(w)
    return out


def word_pairs(text: str) -> list[str]:
    """Adjacent content words as "stem stem" pairs, stopwords between them skipped, each once:
    "black and white film" -> ["black white", "white film"]. A query's pair found in a clip's text
    is a phrase match, which counts as one more query term (`score_fields`)."""
    out: list[str] = []
    for part in _BREAK.split(text):  # a pair never spans punctuation: "grey and black, a white car"
        ws = [stem(w) for w in words(part) if w not in STOPWORDS and (len(w) >= 2 or w.isdigit())]
        for a, b in zip(ws, ws[1:], strict=False):
            p = f"{a} {b}"
            if a != b and p not in out:
                out.append(p)
    return out


def pair_idfs(query: str, docs: Iterable[Mapping[str, str]], n_docs: int) -> dict[str, float]:
    """idf of each query word pair that some candidate holds as a phrase; the candidates (every clip
    holding a query word, up to the keyword source's limit) give a lower bound of its clip count."""
    wanted = word_pairs(query)
    if not wanted:
        return {}
    df = dict.fromkeys(wanted, 0)
    for fields in docs:
        held = {p for t in fields.values() if t for p in word_pairs(t)}
        for p in wanted:
            df[p] += p in held
    return {p: idf(n_docs, d) for p, d in df.items() if d > 0}


def term_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in words(text):
        s = stem(w)
        counts[s] = counts.get(s, 0) + 1
    return counts


@dataclass
class FieldMatch:
    """What one clip matched: its bounded BM25 score and the query words found in each field."""

    score: float
    matched: dict[str, list[str]] = field(default_factory=dict)
    #: some query word (or word pair) was found itself, not only through an alternative
    direct: bool = False
    #: the part of `score` that came through alternatives (a concept a word is a kind of)
    inferred: float = 0.0


def idf(n_docs: int, df: int) -> float:
    """BM25's idf, floored so that a word present in every clip still counts a little."""
    return max(math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)), 0.05)


def score_fields(
    terms: Sequence[str],
    idfs: Mapping[str, float],
    fields: Mapping[str, str],
    weights: Mapping[str, float],
    avg_len: Mapping[str, float],
    k1: float = 1.2,
    b: float = 0.75,
    strengths: Mapping[str, Mapping[str, float]] | None = None,
    pairs: Mapping[str, float] | None = None,
    alternatives: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> FieldMatch:
    """Bounded BM25 of one clip over named text fields.

    Each term counts once, in the first field (in `fields` order) that contains it: fields go from
    the most specific (visual labels, on-screen text, speech) to the caption that may repeat them,
    so text a caption copies from the transcript counts as speech, once. The result is in
    [0, max weight]. `strengths[field][term]`, when given for a field, replaces the saturated term
    frequency there (visual labels: the confidence mass of the labels that mean the term).
    `pairs` maps the query's word pairs (`word_pairs`) to their idf: a pair found as adjacent words
    of a field counts like a term there, so "black and white" beats "black" and "white" apart.
    `alternatives[term]` = [(concept, weight)]: when the term itself is found nowhere, a concept it
    is a kind of counts at `weight` of a match ("pedestrian" as "person"), with the term's idf;
    concepts are seen, never read: they count only through `strengths` (labels, people found)."""
    strengths = strengths or {}
    pairs = pairs or {}
    alternatives = alternatives or {}
    counts = {f: term_counts(t) for f, t in fields.items() if t}
    lengths = {f: sum(c.values()) for f, c in counts.items()}
    total_idf = (sum(idfs.get(t, 0.0) for t in terms) + sum(pairs.values())) or 1.0
    score = 0.0
    direct, inferred = False, 0.0
    matched: dict[str, list[str]] = {}
    for t in terms:
        st = stem(t)
        best, best_field = 0.0, ""
        for f, c in counts.items():
            if f in strengths:
                if strengths[f].get(t, 0.0) > 0:
                    best, best_field = weights.get(f, 0.0) * strengths[f][t], f
                    break
                continue
            tf = c.get(st, 0)
            if not tf:
                continue
            norm = k1 * (1 - b + b * lengths[f] / max(avg_len.get(f, 1.0), 1.0))
            sat = tf * (k1 + 1) / (tf + norm) / (k1 + 1)
            best, best_field = weights.get(f, 0.0) * sat, f
            break
        label, via = t, False
        direct = direct or bool(best_field)
        for concept, w in alternatives.get(t, ()) if not best_field else ():
            for f, found in strengths.items():
                val = w * weights.get(f, 0.0) * found.get(concept, 0.0)
                if val > best:
                    best, best_field, label, via = val, f, f"{t} ({concept})", True
        if best_field:
            score += idfs.get(t, 0.0) * best
            inferred += idfs.get(t, 0.0) * best if via else 0.0
            matched.setdefault(best_field, []).append(label)
    if pairs:
        field_pairs = {f: set(word_pairs(t)) for f, t in fields.items() if t}
        for p, p_idf in pairs.items():
            f = next((f for f, ps in field_pairs.items() if p in ps), "")
            if f:
                score += p_idf * weights.get(f, 0.0)
                direct = True
    return FieldMatch(score / total_idf, matched, direct, inferred / total_idf)


def average_lengths(docs: Iterable[Mapping[str, str]]) -> dict[str, float]:
    sums: dict[str, float] = {}
    n: dict[str, int] = {}
    for d in docs:
        for f, t in d.items():
            if t:
                sums[f] = sums.get(f, 0.0) + len(words(t))
                n[f] = n.get(f, 0) + 1
    return {f: sums[f] / n[f] for f in sums}


@lru_cache(maxsize=4)
def vocabulary(model_dir: str) -> frozenset[str]:
    """The whole words of a WordPiece embedder's vocabulary (`vocab.txt`); empty when it has none."""
    path = Path(model_dir) / "vocab.txt"
    try:
        lines = path.read_text(encoding="utf-8").split()
    except OSError:
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and len(w) > 1)


def unknown_words(terms: Sequence[str], vocab: frozenset[str], library_df: Mapping[str, int]) -> list[str]:
    """Query words that mean nothing here: not a word the embedder knows and in no clip's text.

    A query made only of such words ("xqzzy flurbo") is nonsense: its embedding still has cosines
    of 0.2-0.3 with everything, so without this check it would return look-alikes."""
    return [t for t in terms if library_df.get(t, 0) == 0 and t not in vocab and not t.isdigit()]
