"""A keyword top-k for large stores: the keyword index's postings copied into memory-mapped arrays.

FTS5 (and PostgreSQL's GIN) find the documents holding a word quickly, but ranking them runs BM25
row by row: every document holding any query word is scored through the engine's auxiliary function,
250-900 ms per query at a million clips. Here each term's postings are two arrays (description ids,
term frequencies) plus one array of document lengths, so a query's BM25 over all its matches is a few
vectorised passes (gather the lengths, compute each posting's impact, sum them per document with
`bincount`, take the top k): milliseconds at a million clips, the same formula and the same numbers
as FTS5's `bm25()` (k1 1.2, b 0.75, its idf floor), since the term frequencies and lengths are FTS5's.

The arrays are a per-machine cache beside the FAISS files (`<store>/keywords/`), built from the
keyword index itself (the backend's `postings()`), never from a second tokenizer; stems of a query
come from the same tokenizer (`stems()`). Descriptions added after the build (ids above its highest)
are ranked by the backend's own query over that id range and merged; deleted ones are filtered out.
`refresh` rebuilds when the store has changed by more than a tenth (index/save time, not search).
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from . import hot
from .keyword import PRUNE_ABOVE, KeywordIndex, query_terms

log = logging.getLogger("vidagent")

K1, B = 1.2, 0.75
#: rebuild once the descriptions outside the arrays (added or deleted since) exceed this fraction
STALE_FRACTION = 0.1
# (term, description ids ascending, term frequencies) per term, from the keyword index
PostingSource = Iterable[tuple[str, np.ndarray, np.ndarray]]


class Postings:
    """One store's postings arrays (opened memory-mapped; None attributes until built)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.meta: dict[str, Any] | None = None
        self.terms: dict[str, tuple[int, int]] = {}
        self.ids: np.ndarray | None = None
        self.tf: np.ndarray | None = None
        self.lengths: np.ndarray | None = None  # total tokens of each description, by id
        self._mtime: int | None = None

    # -- files ------------------------------------------------------------------------------------
    @property
    def manifest(self) -> Path:
        return self.directory / "postings.json"

    def load(self) -> bool:
        """Open the arrays (memory-mapped); False when there are none or they are damaged."""
        try:
            st = self.manifest.stat()
            if self.meta is not None and self._mtime == st.st_mtime_ns:
                return True
            meta = json.loads(self.manifest.read_text())
            ids = np.load(self.directory / meta["ids"], mmap_mode="r")
            tf = np.load(self.directory / meta["tf"], mmap_mode="r")
            lengths = np.load(self.directory / meta["lengths"], mmap_mode="r")
            if len(ids) != meta["postings"] or len(tf) != len(ids) or len(lengths) != meta["max_id"] + 1:
                raise ValueError("arrays differ from the manifest")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.info("keyword postings in %s unreadable (%s): rebuilt on the next save", self.directory, exc)
            self.meta = None
            return False
        self.meta, self.ids, self.tf, self.lengths, self._mtime = meta, ids, tf, lengths, st.st_mtime_ns
        self.terms = {t: (int(o), int(n)) for t, (o, n) in meta["terms"].items()}
        return True

    def build(self, postings: PostingSource, lengths: tuple[np.ndarray, np.ndarray], max_id: int) -> None:
        """Write the arrays of every term, then the manifest (atomically: readers see old or new)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tag = os.urandom(3).hex()
        terms: dict[str, list[int]] = {}
        id_parts, tf_parts, at = [], [], 0
        for term, ids, tf in postings:
            keep = ids <= max_id
            ids, tf = ids[keep], tf[keep]
            if len(ids):
                terms[term] = [at, len(ids)]
                id_parts.append(ids.astype(np.int32))
                tf_parts.append(np.minimum(tf, 65535).astype(np.uint16))
                at += len(ids)
        doc_ids, doc_len = lengths
        keep = doc_ids <= max_id
        dense = np.zeros(max_id + 1, dtype=np.int32)
        dense[doc_ids[keep]] = doc_len[keep]
        names = {"ids": f"ids-{tag}.npy", "tf": f"tf-{tag}.npy", "lengths": f"len-{tag}.npy"}
        cat = lambda parts, dt: np.concatenate(parts) if parts else np.zeros(0, dt)
        np.save(self.directory / names["ids"], cat(id_parts, np.int32))
        np.save(self.directory / names["tf"], cat(tf_parts, np.uint16))
        np.save(self.directory / names["lengths"], dense)
        n_docs = int(np.count_nonzero(keep))
        meta = {
            **names,
            "max_id": max_id,
            "docs": n_docs,
            "tokens": int(doc_len[keep].sum()),
            "postings": at,
            "terms": terms,
        }
        old = self.manifest_data()
        tmp = self.manifest.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, self.manifest)
        for key in ("ids", "tf", "lengths"):  # the previous arrays, now unreferenced
            if old and old.get(key) and old[key] != names[key]:
                (self.directory / old[key]).unlink(missing_ok=True)
        self.meta = None
        self.load()

    def manifest_data(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.manifest.read_text())
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def stale(self, n_docs: int, max_id: int) -> bool:
        """True when the arrays are missing or cover less than 1 - STALE_FRACTION of the store."""
        if not self.load() or self.meta is None:
            return True
        above = max_id - int(self.meta["max_id"])  # at most this many added since
        gone = max(0, int(self.meta["docs"]) - (n_docs - max(0, above)))
        return above + gone > STALE_FRACTION * max(1, n_docs)

    # -- search -----------------------------------------------------------------------------------
    def df(self, stem: str) -> int:
        return self.terms.get(stem, (0, 0))[1]

    def top(self, stems: list[str], k: int, n_docs: int) -> list[tuple[int, float]]:
        """The k best (description id, BM25) over the arrays, FTS5's formula: idf from the store's
        current `n_docs`, lengths against the arrays' mean."""
        assert self.meta is not None and self.ids is not None and self.tf is not None and self.lengths is not None
        stems = [t for t in dict.fromkeys(stems) if self.df(t)]
        if not stems:
            return []
        avgdl = max(1e-9, self.meta["tokens"] / max(1, self.meta["docs"]))
        ids_parts, imp_parts = [], []
        for t in stems:
            o, n = self.terms[t]
            ids = np.asarray(self.ids[o : o + n])
            tf = np.asarray(self.tf[o : o + n], dtype=np.float64)
            ratio = (n_docs - n + 0.5) / (n + 0.5)  # below 0 only after deletions, before the rebuild
            idf = max(1e-6, math.log(ratio)) if ratio > 0 else 1e-6
            dl = np.asarray(self.lengths[ids], dtype=np.float64)
            ids_parts.append(ids)
            imp_parts.append(idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl)))
        ids = np.concatenate(ids_parts)
        imp = np.concatenate(imp_parts)
        if len(stems) > 1:
            # Summed per document by a dense pass over the id range (cheaper than sorting the postings);
            # a document appears once per matching stem, so its best k * len(stems) postings hold the k
            # best documents.
            dense = np.bincount(ids, weights=imp, minlength=int(self.meta["max_id"]) + 1)
            imp = dense[ids]
            if len(ids) > k * len(stems):
                part = np.argpartition(-imp, k * len(stems) - 1)[: k * len(stems)]
                ids, imp = ids[part], imp[part]
            ids, first = np.unique(ids, return_index=True)
            imp = imp[first]
        if len(ids) > k:
            part = np.argpartition(-imp, k - 1)[:k]
            ids, imp = ids[part], imp[part]
        order = np.lexsort((ids, -imp))
        return [(int(ids[i]), float(imp[i])) for i in order]


_OPEN: dict[str, Postings] = {}
_OPEN_LOCK = threading.Lock()


def open_postings(directory: Path) -> Postings:
    """The process's Postings of a folder (kept open: the arrays are memory-mapped and immutable)."""
    key = str(directory.resolve())
    with _OPEN_LOCK:
        p = _OPEN.get(key)
        if p is None:
            p = _OPEN[key] = Postings(directory)
        return p


def count_descriptions(s: Session, gen: tuple[int, int] | None = None) -> int:
    """Descriptions in the store (kept per store generation: a count is a pass over an index)."""
    return hot.cached(
        s, "descriptions", lambda: int(s.execute(text("SELECT count(*) FROM descriptions")).scalar() or 0), gen
    )


def ranked_large(
    s: Session, kw: KeywordIndex, directory: Path | None, query: str, k: int
) -> list[tuple[int, float]] | None:
    """The BM25 top k from the arrays plus the backend's ranking of the newer rows; None when the store
    is small or has no arrays (the backend ranks alone)."""
    gen = hot.generation(s)
    n = count_descriptions(s, gen)
    p = open_postings(directory) if directory is not None and n > PRUNE_ABOVE else None
    if p is None or p.stale(n, gen[0]) or p.meta is None:
        return None  # none yet, or over a tenth of the store changed since: the backend ranks until a save
    cut = int(p.meta["max_id"])
    words = query_terms(query)
    if not words:
        return []
    # as the backends do on large stores: words in over half the documents are left out of the match
    stems = {w: kw.stems(s, [w]) for w in words}
    df = {w: max((p.df(t) for t in stems[w]), default=0) for w in words}
    keep = [w for w in words if df[w] <= n / 2] or [min(words, key=lambda w: df[w])]
    first = p.top([t for w in keep for t in stems[w]], k, n)
    tail = kw.search(s, " ".join(keep), k, above=cut, prune=False) if gen[0] > cut else []
    both = sorted(first + tail, key=lambda x: (-x[1], x[0]))
    # descriptions deleted since the build: the arrays' documents plus the newer rows, less the store's
    newer = hot.cached(
        s,
        ("newer", cut),
        lambda: int(s.execute(text("SELECT count(*) FROM descriptions WHERE id > :c"), {"c": cut}).scalar() or 0),
        gen,
    )
    if int(p.meta["docs"]) + newer != n and both:
        ids = [i for i, _ in both]
        live = {
            int(i)
            for i in s.execute(
                text("SELECT id FROM descriptions WHERE id IN (" + ",".join(str(int(i)) for i in ids) + ")")
            ).scalars()
        }
        both = [x for x in both if x[0] in live]
    return both[:k]


def doc_counts(s: Session, kw: KeywordIndex, directory: Path | None, words: Sequence[str]) -> dict[str, int] | None:
    """Documents holding each word (keyword idf), from the arrays plus the backend's count over the
    newer rows: counting a common word in the engine is a pass over its postings (tens of ms at a
    million clips). None when the store is small or has no fresh arrays. A word of several tokens
    (a phrase to the engine) is counted by the backend."""
    gen = hot.generation(s)
    n = count_descriptions(s, gen)
    p = open_postings(directory) if directory is not None and n > PRUNE_ABOVE else None
    if p is None or p.stale(n, gen[0]) or p.meta is None:
        return None
    cut = int(p.meta["max_id"])
    out = {}
    for w in words:
        stems = kw.stems(s, [w])
        if len(stems) != 1:
            out[w] = hot.cached(s, ("df", w), partial(kw.df, s, w), gen)
        else:
            newer = hot.cached(s, ("df-above", w, cut), partial(kw.df, s, w, cut), gen) if gen[0] > cut else 0
            out[w] = p.df(stems[0]) + newer
    return out


def refresh(s: Session, kw: KeywordIndex, directory: Path, force: bool = False) -> bool:
    """Rebuild the arrays of a large store when missing or stale (more than a tenth of the store
    changed since); returns True if rebuilt."""
    gen = hot.generation(s)
    n = count_descriptions(s, gen)
    p = open_postings(directory)
    if n <= PRUNE_ABOVE or not (force or p.stale(n, gen[0])):
        return False
    p.build(kw.postings(s), kw.lengths(s), gen[0])
    return True
