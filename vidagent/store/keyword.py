"""Keyword search behind one interface, one backend per database.

Both backends index the same four fields of a description (caption, on-screen text, transcript, tags)
and rank by the same Okapi BM25 (k1 = 1.2, b = 0.75, idf = ln((N - n + 0.5) / (n + 0.5)) floored
like FTS5's): SQLite through FTS5's own `bm25()`, PostgreSQL through a `tsvector` table with a GIN
index and the same formula computed in SQL. Which words of a query count is decided once, in
`query_terms`, so a change there applies to both. Stemming differs slightly (FTS5's porter vs
PostgreSQL's snowball english, neither drops stopwords), which can reorder near-ties. On large
stores both leave out of the match the words found in over half the documents (see PRUNE_ABOVE).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Protocol

import numpy as np
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from .records import KeywordRow

K1, B = 1.2, 0.75
#: above this many descriptions, query words found in more than half of them are left out of the
#: match: BM25 gives them no weight (FTS5's idf floor, 1e-6), but matching them makes the ranking
#: visit nearly every document ("a", "the", "in" cost ~2 s at a million clips). The order of the
#: documents that hold any other query word is unchanged.
PRUNE_ABOVE = 50_000
#: the SQLite keyword table (recover.py rebuilds a damaged store's with it too)
FTS_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS desc_fts USING fts5("
    "caption, ocr, transcript, tags, tokenize='porter unicode61')"
)


def _size(s: Session) -> int:
    """Descriptions in the store (the highest id: one index probe, not a count)."""
    return int(s.execute(text("SELECT coalesce(max(id), 0) FROM descriptions")).scalar() or 0)


def query_terms(query: str) -> list[str]:
    """The words of a query that keyword search matches (lower-case, alphanumeric, 2+ characters)."""
    return [w for w in "".join(c if c.isalnum() else " " for c in query.lower()).split() if len(w) > 1]


class KeywordIndex(Protocol):
    """Keyword rows kept in the same transaction as the descriptions they index."""

    def create(self, conn: Connection) -> None: ...
    def add_many(self, s: Session, rows: Sequence[KeywordRow]) -> None: ...
    def delete_video(self, s: Session, video_hash: str) -> None: ...
    def delete_ids(self, s: Session, desc_ids: Sequence[int]) -> None: ...
    def search(self, s: Session, query: str, k: int, above: int = 0, prune: bool = True) -> list[tuple[int, float]]: ...
    def counts(self, s: Session) -> tuple[int, int]: ...  # (rows, rows whose description is gone)
    def clear(self, s: Session) -> None: ...  # every row (a rebuild follows, from records.keyword_row)
    def df(self, s: Session, word: str, above: int = 0) -> int: ...  # documents holding the word (as matched)
    def matching_ids(self, s: Session, word: str) -> np.ndarray: ...  # the ids of those documents
    # the large-store top-k (store/postings.py): the index's own stems, postings and lengths
    def stems(self, s: Session, words: Sequence[str]) -> list[str]: ...
    def postings(self, s: Session) -> Iterator[tuple[str, np.ndarray, np.ndarray]]: ...
    def lengths(self, s: Session) -> tuple[np.ndarray, np.ndarray]: ...  # (description ids, tokens)


class SqliteFts5:
    """FTS5 virtual table `desc_fts` (rowid = description id)."""

    def create(self, conn: Connection) -> None:
        conn.execute(text(FTS_SQL))

    def add_many(self, s: Session, rows: Sequence[KeywordRow]) -> None:
        """Keyword rows (one bulk statement), built by records.keyword_row."""
        if rows:
            s.execute(
                text("INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) VALUES (:id, :c, :o, :t, :g)"),
                [{"id": r.rowid, "c": r.caption, "o": r.ocr, "t": r.transcript, "g": r.tags} for r in rows],
            )

    def df(self, s: Session, word: str, above: int = 0) -> int:
        m = '"' + word.replace('"', "") + '"'
        q = text("SELECT count(*) FROM desc_fts WHERE desc_fts MATCH :m AND rowid > :a")
        return int(s.execute(q, {"m": m, "a": above}).scalar() or 0)

    def matching_ids(self, s: Session, word: str) -> np.ndarray:
        m = '"' + word.replace('"', "") + '"'
        rows = s.execute(text("SELECT rowid FROM desc_fts WHERE desc_fts MATCH :m"), {"m": m}).scalars()
        return np.fromiter((int(i) for i in rows), dtype=np.int64)

    def delete_video(self, s: Session, video_hash: str) -> None:
        s.execute(
            text("DELETE FROM desc_fts WHERE rowid IN (SELECT id FROM descriptions WHERE video_hash=:h)"),
            {"h": video_hash},
        )

    def delete_ids(self, s: Session, desc_ids: Sequence[int]) -> None:
        s.execute(
            text("DELETE FROM desc_fts WHERE rowid IN (SELECT value FROM json_each(:ids))"),
            {"ids": _json_list(desc_ids)},
        )

    def search(self, s: Session, query: str, k: int, above: int = 0, prune: bool = True) -> list[tuple[int, float]]:
        """BM25 top k (`above`: only descriptions with a higher id, the rows newer than postings.py's;
        `prune=False`: the caller already left out the words in over half the documents)."""
        words = query_terms(query)
        if not words:
            return []
        n = _size(s)
        if prune and n > PRUNE_ABOVE:
            words = self._informative(s, words, n)
        rows = s.execute(
            text(
                "SELECT rowid, bm25(desc_fts) AS r FROM desc_fts WHERE desc_fts MATCH :m "
                "AND rowid > :above ORDER BY r, rowid LIMIT :k"
            ),
            {"m": " OR ".join(f'"{w}"' for w in words), "k": k, "above": above},
        ).all()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def stems(self, s: Session, words: Sequence[str]) -> list[str]:
        """The index's terms for these words (FTS5's own tokenizer, in a temporary table)."""
        out = []
        for w in words:
            if w not in _STEMS:
                s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vq USING fts5(x, tokenize='porter unicode61')"))
                s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vq_terms USING fts5vocab(temp, vq, 'row')"))
                s.execute(text("DELETE FROM temp.vq"))
                s.execute(text("INSERT INTO temp.vq(x) VALUES (:w)"), {"w": w})
                _STEMS[w] = [str(t) for t in s.execute(text("SELECT term FROM temp.vq_terms")).scalars()]
            out += _STEMS[w]
        return out

    def postings(self, s: Session) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Every term's (description ids, term frequencies), from FTS5's instance table (term order)."""
        s.execute(
            text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.desc_fts_inst USING fts5vocab(main, desc_fts, 'instance')")
        )
        cur = s.connection().exec_driver_sql("SELECT term, doc FROM temp.desc_fts_inst")
        term: str | None = None
        docs: list[int] = []
        while True:
            batch = cur.fetchmany(1 << 16)
            if not batch:
                break
            for t, d in batch:
                if t != term:
                    if docs:
                        yield _counted(term, docs)  # type: ignore[arg-type]
                    term, docs = t, []
                docs.append(d)
        if docs:
            yield _counted(term, docs)  # type: ignore[arg-type]

    def lengths(self, s: Session) -> tuple[np.ndarray, np.ndarray]:
        """Tokens per description (all columns), from FTS5's docsize table (one varint per column)."""
        ids, lens = [], []
        for i, blob in s.connection().exec_driver_sql("SELECT id, sz FROM desc_fts_docsize"):
            total, shift, val = 0, 0, 0
            for byte in blob:
                val |= (byte & 0x7F) << shift
                if byte & 0x80:
                    shift += 7
                else:
                    total, shift, val = total + val, 0, 0
            ids.append(i)
            lens.append(total)
        return np.asarray(ids, dtype=np.int64), np.asarray(lens, dtype=np.int64)

    def _informative(self, s: Session, words: list[str], n: int) -> list[str]:
        """The words whose stem is in at most half of the n documents (else the rarest one). Stems
        come from a temporary FTS5 table with the same tokenizer, document counts from fts5vocab:
        both in the connection's temp schema, nothing is written to the store; counts are kept per
        store generation (store/hot.py)."""
        from . import hot

        s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.desc_fts_terms USING fts5vocab(main, desc_fts, 'row')"))

        def count(t: str) -> int:
            q = text("SELECT coalesce(max(doc), 0) FROM temp.desc_fts_terms WHERE term = :t")
            return int(s.execute(q, {"t": t}).scalar() or 0)

        df = {
            w: max((hot.cached(s, ("fts5-doc", t), partial(count, t)) for t in self.stems(s, [w])), default=0)
            for w in words
        }
        keep = [w for w in words if df[w] <= n / 2]
        return keep or [min(words, key=lambda w: df[w])]

    def counts(self, s: Session) -> tuple[int, int]:
        n = int(s.execute(text("SELECT count(*) FROM desc_fts")).scalar() or 0)
        stray = int(
            s.execute(text("SELECT count(*) FROM desc_fts WHERE rowid NOT IN (SELECT id FROM descriptions)")).scalar()
            or 0
        )
        return n, stray

    def clear(self, s: Session) -> None:
        s.execute(text("DELETE FROM desc_fts"))


class PostgresTsvector:
    """Table `desc_tsv(id, doc tsvector, len)` with a GIN index; BM25 computed in SQL like FTS5's."""

    CONFIG = "vidagent_english"

    def create(self, conn: Connection) -> None:
        # English stemming without stopword removal: FTS5's porter tokenizer keeps every word too, and
        # BM25's document length counts them.
        conn.execute(
            text(
                "DO $$ BEGIN "
                "IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'vidagent_stem') THEN "
                "CREATE TEXT SEARCH DICTIONARY vidagent_stem (TEMPLATE = snowball, LANGUAGE = english); END IF; "
                f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{self.CONFIG}') THEN "
                f"CREATE TEXT SEARCH CONFIGURATION {self.CONFIG} (COPY = english); "
                f"ALTER TEXT SEARCH CONFIGURATION {self.CONFIG} ALTER MAPPING FOR asciiword, word, numword, "
                "asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart WITH vidagent_stem; "
                "END IF; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS desc_tsv (id INTEGER PRIMARY KEY REFERENCES descriptions(id) "
                "ON DELETE CASCADE, doc tsvector NOT NULL, len INTEGER NOT NULL)"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS desc_tsv_gin ON desc_tsv USING GIN (doc)"))

    def add_many(self, s: Session, rows: Sequence[KeywordRow]) -> None:
        """Keyword rows (one bulk statement), built by records.keyword_row."""
        if rows:
            s.execute(
                text(
                    f"INSERT INTO desc_tsv(id, doc, len) SELECT :id, v, "
                    f"(SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest(v)) "
                    f"FROM to_tsvector('{self.CONFIG}', :doc) AS v"
                ),
                [{"id": r.rowid, "doc": "\n".join((r.caption, r.ocr, r.transcript, r.tags))} for r in rows],
            )

    def df(self, s: Session, word: str, above: int = 0) -> int:
        """Documents holding the word's stems (the same stemming search uses)."""
        q = text(f"SELECT count(*) FROM desc_tsv WHERE doc @@ plainto_tsquery('{self.CONFIG}', :w) AND id > :a")
        return int(s.execute(q, {"w": word, "a": above}).scalar() or 0)

    def matching_ids(self, s: Session, word: str) -> np.ndarray:
        q = text(f"SELECT id FROM desc_tsv WHERE doc @@ plainto_tsquery('{self.CONFIG}', :w)")
        return np.fromiter((int(i) for i in s.execute(q, {"w": word}).scalars()), dtype=np.int64)

    def delete_video(self, s: Session, video_hash: str) -> None:
        s.execute(
            text("DELETE FROM desc_tsv WHERE id IN (SELECT id FROM descriptions WHERE video_hash=:h)"),
            {"h": video_hash},
        )

    def delete_ids(self, s: Session, desc_ids: Sequence[int]) -> None:
        s.execute(text("DELETE FROM desc_tsv WHERE id = ANY(:ids)"), {"ids": [int(i) for i in desc_ids]})

    def stems(self, s: Session, words: Sequence[str]) -> list[str]:
        """The lexemes of these words (the index's own configuration)."""
        out = []
        for w in words:
            key = f"pg:{w}"
            if key not in _STEMS:
                _STEMS[key] = [
                    str(x)
                    for x in s.execute(
                        text(f"SELECT DISTINCT lexeme FROM unnest(to_tsvector('{self.CONFIG}', :q))"), {"q": w}
                    ).scalars()
                ]
            out += _STEMS[key]
        return out

    def postings(self, s: Session) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Every lexeme's (description ids, frequencies), one query per lexeme from ts_stat's list."""
        lexemes = list(s.execute(text("SELECT word FROM ts_stat('SELECT doc FROM desc_tsv') ORDER BY word")).scalars())
        for lex in lexemes:
            rows = s.execute(
                text(
                    "SELECT t.id, array_length(u.positions, 1) FROM desc_tsv t, unnest(t.doc) u "
                    "WHERE t.doc @@ CAST(:q AS tsquery) AND u.lexeme = :lex ORDER BY t.id"
                ),
                {"q": _quote(lex), "lex": lex},
            ).all()
            if rows:
                yield (
                    str(lex),
                    np.asarray([r[0] for r in rows], dtype=np.int64),
                    np.asarray([r[1] or 1 for r in rows], dtype=np.int64),
                )

    def lengths(self, s: Session) -> tuple[np.ndarray, np.ndarray]:
        rows = s.execute(text("SELECT id, len FROM desc_tsv")).all()
        return np.asarray([r[0] for r in rows], dtype=np.int64), np.asarray([r[1] for r in rows], dtype=np.int64)

    def search(self, s: Session, query: str, k: int, above: int = 0, prune: bool = True) -> list[tuple[int, float]]:
        words = query_terms(query)
        if not words:
            return []
        lexemes = list(
            s.execute(
                text(f"SELECT DISTINCT lexeme FROM unnest(to_tsvector('{self.CONFIG}', :q))"), {"q": " ".join(words)}
            ).scalars()
        )
        if not lexemes:
            return []
        n_docs, avgdl = _collection_stats(s)
        idf, dfs = {}, {}
        for lex in lexemes:
            dfs[lex] = df = int(
                s.execute(
                    text("SELECT count(*) FROM desc_tsv WHERE doc @@ CAST(:t AS tsquery)"), {"t": _quote(lex)}
                ).scalar()
                or 0
            )
            # FTS5: idf = ln((N - n + 0.5) / (n + 0.5)), at least 1e-6
            idf[lex] = max(1e-6, math.log((n_docs - df + 0.5) / (df + 0.5)))
        if prune and n_docs > PRUNE_ABOVE:  # as in SqliteFts5: words in over half the documents are not matched
            lexemes = [x for x in lexemes if dfs[x] <= n_docs / 2] or [min(lexemes, key=lambda x: dfs[x])]
        sql = text(
            "SELECT t.id, sum((CAST(:idf AS jsonb) ->> u.lexeme)::float8 * (tf * (:k1 + 1)) / "
            "(tf + :k1 * (1 - :b + :b * t.len / :avgdl))) AS score FROM desc_tsv t, "
            "LATERAL (SELECT lexeme, array_length(positions, 1) AS tf FROM unnest(t.doc)) u "
            "WHERE t.doc @@ CAST(:q AS tsquery) AND u.lexeme = ANY(:lex) AND t.id > :above "
            "GROUP BY t.id ORDER BY score DESC, t.id LIMIT :k"
        )
        args = {"idf": _json(idf), "k1": K1, "b": B, "avgdl": avgdl, "lex": lexemes, "k": k, "above": above}
        rows = s.execute(sql, {**args, "q": " | ".join(_quote(x) for x in lexemes)}).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def counts(self, s: Session) -> tuple[int, int]:
        n = int(s.execute(text("SELECT count(*) FROM desc_tsv")).scalar() or 0)
        return n, 0  # rows follow their description (ON DELETE CASCADE)

    def clear(self, s: Session) -> None:
        s.execute(text("DELETE FROM desc_tsv"))


_STATS: dict[str, tuple[float, int, float]] = {}
_STEMS: dict[str, list[str]] = {}  # word -> the index's terms for it (a tokenizer is fixed per backend)


def _counted(term: str, docs: list[int]) -> tuple[str, np.ndarray, np.ndarray]:
    ids, tf = np.unique(np.asarray(docs, dtype=np.int64), return_counts=True)
    return term, ids, tf


def _collection_stats(s: Session, ttl: float = 30.0) -> tuple[int, float]:
    """(documents, mean length) for BM25: a pass over the table, so kept for `ttl` seconds per
    database in a warm process (a few more documents move the figures by little)."""
    import time

    key = str(s.get_bind().engine.url)
    hit = _STATS.get(key)
    if hit is not None and time.monotonic() - hit[0] < ttl:
        return hit[1], hit[2]
    n, avg = s.execute(text("SELECT count(*), coalesce(avg(len), 0) FROM desc_tsv")).one()
    _STATS[key] = (time.monotonic(), int(n), float(avg) or 1.0)
    return int(n), float(avg) or 1.0


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _json_list(ids: Sequence[int]) -> str:
    import json

    return json.dumps([int(i) for i in ids])


def _json(d: dict[str, float]) -> str:
    import json

    return json.dumps(d)


def backend(dialect: str) -> KeywordIndex | None:
    """The keyword index for a database dialect (None: no keyword search on this database)."""
    if dialect == "sqlite":
        return SqliteFts5()
    if dialect == "postgresql":
        return PostgresTsvector()
    return None
