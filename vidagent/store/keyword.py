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
from collections.abc import Sequence
from typing import Protocol

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
    def search(self, s: Session, query: str, k: int) -> list[tuple[int, float]]: ...
    def counts(self, s: Session) -> tuple[int, int]: ...  # (rows, rows whose description is gone)
    def clear(self, s: Session) -> None: ...  # every row (a rebuild follows, from records.keyword_row)
    def df(self, s: Session, word: str) -> int: ...  # documents holding the word (as search matches it)


class SqliteFts5:
    """FTS5 virtual table `desc_fts` (rowid = description id)."""

    def create(self, conn: Connection) -> None:
        conn.execute(text(FTS_SQL))

    def add_many(self, s: Session, rows: Sequence[KeywordRow]) -> None:
        """Keyword rows (one bulk statement), built by records.keyword_row."""
        if rows:
            s.execute(text("INSERT INTO desc_fts(rowid, caption, ocr, transcript, tags) VALUES (:id, :c, :o, :t, :g)"),
                      [{"id": r.rowid, "c": r.caption, "o": r.ocr, "t": r.transcript, "g": r.tags} for r in rows])

    def df(self, s: Session, word: str) -> int:
        m = '"' + word.replace('"', "") + '"'
        return int(s.execute(text("SELECT count(*) FROM desc_fts WHERE desc_fts MATCH :m"), {"m": m}).scalar() or 0)

    def delete_video(self, s: Session, video_hash: str) -> None:
        s.execute(text("DELETE FROM desc_fts WHERE rowid IN (SELECT id FROM descriptions WHERE video_hash=:h)"),
                  {"h": video_hash})

    def delete_ids(self, s: Session, desc_ids: Sequence[int]) -> None:
        s.execute(text("DELETE FROM desc_fts WHERE rowid IN (SELECT value FROM json_each(:ids))"),
                  {"ids": _json_list(desc_ids)})

    def search(self, s: Session, query: str, k: int) -> list[tuple[int, float]]:
        words = query_terms(query)
        if not words:
            return []
        n = _size(s)
        if n > PRUNE_ABOVE:
            words = self._informative(s, words, n)
        rows = s.execute(text("SELECT rowid, bm25(desc_fts) AS r FROM desc_fts WHERE desc_fts MATCH :m "
                              "ORDER BY r, rowid LIMIT :k"), {"m": " OR ".join(f'"{w}"' for w in words), "k": k}).all()
        return [(int(r[0]), -float(r[1])) for r in rows]

    @staticmethod
    def _informative(s: Session, words: list[str], n: int) -> list[str]:
        """The words whose stem is in at most half of the n documents (else the rarest one). Stems
        come from a temporary FTS5 table with the same tokenizer, document counts from fts5vocab:
        both in the connection's temp schema, nothing is written to the store."""
        s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vq USING fts5(x, tokenize='porter unicode61')"))
        s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vq_terms USING fts5vocab(temp, vq, 'row')"))
        s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.desc_fts_terms USING fts5vocab(main, desc_fts, 'row')"))
        df = {}
        for w in words:
            s.execute(text("DELETE FROM temp.vq"))
            s.execute(text("INSERT INTO temp.vq(x) VALUES (:w)"), {"w": w})
            stems = list(s.execute(text("SELECT term FROM temp.vq_terms")).scalars())
            df[w] = max((int(s.execute(text("SELECT coalesce(max(doc), 0) FROM temp.desc_fts_terms WHERE term = :t"),
                                       {"t": t}).scalar() or 0) for t in stems), default=0)
        keep = [w for w in words if df[w] <= n / 2]
        return keep or [min(words, key=lambda w: df[w])]

    def counts(self, s: Session) -> tuple[int, int]:
        n = int(s.execute(text("SELECT count(*) FROM desc_fts")).scalar() or 0)
        stray = int(s.execute(text(
            "SELECT count(*) FROM desc_fts WHERE rowid NOT IN (SELECT id FROM descriptions)")).scalar() or 0)
        return n, stray

    def clear(self, s: Session) -> None:
        s.execute(text("DELETE FROM desc_fts"))


class PostgresTsvector:
    """Table `desc_tsv(id, doc tsvector, len)` with a GIN index; BM25 computed in SQL like FTS5's."""

    CONFIG = "vidagent_english"

    def create(self, conn: Connection) -> None:
        # English stemming without stopword removal: FTS5's porter tokenizer keeps every word too, and
        # BM25's document length counts them.
        conn.execute(text(
            "DO $$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'vidagent_stem') THEN "
            "CREATE TEXT SEARCH DICTIONARY vidagent_stem (TEMPLATE = snowball, LANGUAGE = english); END IF; "
            f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{self.CONFIG}') THEN "
            f"CREATE TEXT SEARCH CONFIGURATION {self.CONFIG} (COPY = english); "
            f"ALTER TEXT SEARCH CONFIGURATION {self.CONFIG} ALTER MAPPING FOR asciiword, word, numword, "
            "asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart WITH vidagent_stem; "
            "END IF; END $$"))
        conn.execute(text("CREATE TABLE IF NOT EXISTS desc_tsv (id INTEGER PRIMARY KEY REFERENCES descriptions(id) "
                          "ON DELETE CASCADE, doc tsvector NOT NULL, len INTEGER NOT NULL)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS desc_tsv_gin ON desc_tsv USING GIN (doc)"))

    def add_many(self, s: Session, rows: Sequence[KeywordRow]) -> None:
        """Keyword rows (one bulk statement), built by records.keyword_row."""
        if rows:
            s.execute(text(f"INSERT INTO desc_tsv(id, doc, len) SELECT :id, v, "
                           f"(SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest(v)) "
                           f"FROM to_tsvector('{self.CONFIG}', :doc) AS v"),
                      [{"id": r.rowid, "doc": "\n".join((r.caption, r.ocr, r.transcript, r.tags))} for r in rows])

    def df(self, s: Session, word: str) -> int:
        """Documents holding the word's stems (the same stemming search uses)."""
        q = text(f"SELECT count(*) FROM desc_tsv WHERE doc @@ plainto_tsquery('{self.CONFIG}', :w)")
        return int(s.execute(q, {"w": word}).scalar() or 0)

    def delete_video(self, s: Session, video_hash: str) -> None:
        s.execute(text("DELETE FROM desc_tsv WHERE id IN (SELECT id FROM descriptions WHERE video_hash=:h)"),
                  {"h": video_hash})

    def delete_ids(self, s: Session, desc_ids: Sequence[int]) -> None:
        s.execute(text("DELETE FROM desc_tsv WHERE id = ANY(:ids)"), {"ids": [int(i) for i in desc_ids]})

    def search(self, s: Session, query: str, k: int) -> list[tuple[int, float]]:
        words = query_terms(query)
        if not words:
            return []
        lexemes = list(s.execute(text(f"SELECT DISTINCT lexeme FROM unnest(to_tsvector('{self.CONFIG}', :q))"),
                                 {"q": " ".join(words)}).scalars())
        if not lexemes:
            return []
        n_docs, avgdl = _collection_stats(s)
        idf, dfs = {}, {}
        for lex in lexemes:
            dfs[lex] = df = int(s.execute(text("SELECT count(*) FROM desc_tsv WHERE doc @@ CAST(:t AS tsquery)"),
                                          {"t": _quote(lex)}).scalar() or 0)
            # FTS5: idf = ln((N - n + 0.5) / (n + 0.5)), at least 1e-6
            idf[lex] = max(1e-6, math.log((n_docs - df + 0.5) / (df + 0.5)))
        if n_docs > PRUNE_ABOVE:  # as in SqliteFts5: words in over half the documents are not matched
            lexemes = [x for x in lexemes if dfs[x] <= n_docs / 2] or [min(lexemes, key=lambda x: dfs[x])]
        sql = text(
            "SELECT t.id, sum((CAST(:idf AS jsonb) ->> u.lexeme)::float8 * (tf * (:k1 + 1)) / "
            "(tf + :k1 * (1 - :b + :b * t.len / :avgdl))) AS score FROM desc_tsv t, "
            "LATERAL (SELECT lexeme, array_length(positions, 1) AS tf FROM unnest(t.doc)) u "
            "WHERE t.doc @@ CAST(:q AS tsquery) AND u.lexeme = ANY(:lex) "
            "GROUP BY t.id ORDER BY score DESC, t.id LIMIT :k")
        args = {"idf": _json(idf), "k1": K1, "b": B, "avgdl": avgdl, "lex": lexemes, "k": k}
        rows = s.execute(sql, {**args, "q": " | ".join(_quote(x) for x in lexemes)}).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def counts(self, s: Session) -> tuple[int, int]:
        n = int(s.execute(text("SELECT count(*) FROM desc_tsv")).scalar() or 0)
        return n, 0  # rows follow their description (ON DELETE CASCADE)

    def clear(self, s: Session) -> None:
        s.execute(text("DELETE FROM desc_tsv"))


_STATS: dict[str, tuple[float, int, float]] = {}


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
