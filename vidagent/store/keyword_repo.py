"""The keyword index's reads and upkeep: search, idf statistics, health and rebuild.

Writes stay with the descriptions (`descriptions.py`), which add and drop a description's keyword row
in the same transaction; this repository only reads the index and rebuilds it from the descriptions.
The backend is per database (`keyword.py`); large stores rank from postings arrays (`postings.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import hot
from .activity import Activity, activity
from .database import Database
from .keyword import KeywordIndex, query_terms
from .models import DescriptionRow
from .postings import count_descriptions, doc_counts, ranked_large, refresh
from .records import keyword_row

_REBUILD_BATCH = 2000


@dataclass(frozen=True)
class KeywordIndexState:
    rows: int
    descriptions: int
    orphaned: int

    @property
    def ok(self) -> bool:
        return self.rows == self.descriptions and self.orphaned == 0


def _inactive_df(act: Activity, kw: KeywordIndex, s: Session, word: str) -> int:
    """Inactive descriptions holding the word (as the backend matches it)."""
    return act.inactive_among(kw.matching_ids(s, word))


class KeywordRepo:
    def __init__(self, db: Database, keywords: KeywordIndex | None, postings_dir: Path | None = None) -> None:
        self.db = db
        #: the keyword index of this database (None: captions by LIKE, no index to keep)
        self.keywords = keywords
        #: where a large store keeps its keyword postings arrays (a per-machine cache)
        self.postings_dir = postings_dir
        #: build missing or stale arrays on a search (not on a read-only store)
        self.build_postings = False

    def keyword_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(description id, bm25) for the query's words, best first (FTS5 on SQLite, tsvector on
        PostgreSQL, see keyword.py; captions by LIKE on any other database). Large stores rank from the
        postings arrays (store/postings.py) plus the backend's query over the rows added since."""
        with self.db.read() as s:
            if self.keywords is not None:
                found = ranked_large(s, self.keywords, self.postings_dir, query, k)
                if found is None and self.build_postings and self.postings_dir is not None:
                    # a large store without fresh arrays on this machine (a new searcher of a shared
                    # database, or over a tenth changed): built once here, like the vector shards
                    if refresh(s, self.keywords, self.postings_dir):
                        found = ranked_large(s, self.keywords, self.postings_dir, query, k)
                return self.keywords.search(s, query, k) if found is None else found
            words = query_terms(query)
            if not words:
                return []
            conds = [DescriptionRow.caption.ilike(f"%{w}%") for w in words]
            return [(int(i), 1.0) for i in s.scalars(select(DescriptionRow.id).where(or_(*conds)).limit(k))]

    def refresh_postings(self, force: bool = False) -> bool:
        """Rebuild a large store's keyword postings arrays when missing or stale (save time, not search)."""
        if self.keywords is None or self.postings_dir is None:
            return False
        with self.db.read() as s:
            return refresh(s, self.keywords, self.postings_dir, force)

    def keyword_stats(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of active descriptions, how many of them contain each word) for keyword idf, counted
        by the same backend (and stemming) that keyword_search matches with. Descriptions no search
        shows (older describers and plans, caption jobs) are left out (`activity.py`)."""
        kw = self.keywords
        with self.db.read() as s:
            # kept per store generation (store/hot.py): a count is a pass over an index
            n = count_descriptions(s)
            fast = doc_counts(s, kw, self.postings_dir, words) if kw is not None else None
            if fast is not None:  # a large store: from the keyword postings arrays
                dfs = fast
            else:
                dfs = {}
                for w in words:
                    if kw is not None:
                        dfs[w] = hot.cached(s, ("df", w), partial(kw.df, s, w))
                    else:
                        like = DescriptionRow.caption.ilike(f"%{w}%")
                        dfs[w] = int(s.scalar(select(func.count()).select_from(DescriptionRow).where(like)) or 0)
            act = activity(s)
            if not act.n_inactive or kw is None:
                return n, dfs
            for w in words:
                gone = hot.cached(s, ("df-inactive", w), partial(_inactive_df, act, kw, s, w))
                dfs[w] = max(0, dfs[w] - gone)
            return max(0, n - act.n_inactive), dfs

    def activity(self) -> Activity:
        """How many descriptions the store holds and which of them no search shows."""
        with self.db.read() as s:
            return activity(s)

    def keyword_state(self) -> KeywordIndexState | None:
        """How the keyword index compares with the descriptions (None where there is no keyword index)."""
        if self.keywords is None:
            return None
        with self.db.read() as s:
            n_desc = int(s.scalar(select(func.count()).select_from(DescriptionRow)) or 0)
            n_rows, stray = self.keywords.counts(s)
        return KeywordIndexState(n_rows, n_desc, stray)

    def rebuild_keywords(self) -> int:
        """Rebuild the keyword index from the descriptions (one transaction); returns the rows written."""
        if self.keywords is None:
            return 0
        n = 0
        hot.bump()
        with self.db.write() as s:
            self.keywords.clear(s)
            last = 0
            while True:
                batch = list(
                    s.execute(
                        select(
                            DescriptionRow.id,
                            DescriptionRow.caption,
                            DescriptionRow.ocr,
                            DescriptionRow.transcript,
                            DescriptionRow.tags,
                        )
                        .where(DescriptionRow.id > last)
                        .order_by(DescriptionRow.id)
                        .limit(_REBUILD_BATCH)
                    )
                )
                if not batch:
                    break
                self.keywords.add_many(s, [keyword_row(i, c, list(o), t, list(g)) for i, c, o, t, g in batch])
                n += len(batch)
                last = int(batch[-1][0])
        return n
