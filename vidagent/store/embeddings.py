"""Vectors: rows in the database (the truth) and one FAISS index per space beside it (a cache), kept
as append-only shards (store/vectors.py) so adding clips to a large store writes a small file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, insert, select, text

from . import hot
from .database import Database
from .models import DescriptionRow, Embedding, VectorChecksum, vector_crc
from .reads import int_list
from .vectors import VectorIndex, forget_counts, open_index


@dataclass(frozen=True)
class ChecksumState:
    """Stored vectors against their CRC-32s: damaged (embedding id, description id) pairs, and
    (embedding id, crc) for sound vectors stored before checksums existed."""

    total: int
    damaged: list[tuple[int, int]]
    unchecked: list[tuple[int, int]]

    @property
    def damaged_descriptions(self) -> set[int]:
        return {d for _, d in self.damaged}


class VectorRepo:
    def __init__(self, db: Database, directory: Path) -> None:
        self.db = db
        self.directory = directory
        self._indexes: dict[str, VectorIndex] = {}

    def spaces(self) -> list[str]:
        """The vector spaces present, by a skip-scan of the (space, id) index: a few index probes,
        not a pass over millions of rows; kept per store generation (store/hot.py)."""
        sql = (
            "WITH RECURSIVE sp(x) AS (SELECT min(space) FROM embeddings UNION ALL "
            "SELECT (SELECT min(space) FROM embeddings WHERE space > sp.x) FROM sp WHERE sp.x IS NOT NULL) "
            "SELECT x FROM sp WHERE x IS NOT NULL"
        )
        with self.db.read() as s:
            return list(hot.cached(s, "spaces", lambda: [str(x) for x in s.execute(text(sql)).scalars()]))

    def space_state(self, space: str) -> tuple[int, int]:
        """(count, highest id) of a space's rows: what its FAISS file must hold."""
        with self.db.read() as s:
            count, max_id = s.execute(
                select(func.count(Embedding.id), func.max(Embedding.id)).where(Embedding.space == space)
            ).one()
        return int(count or 0), int(max_id or 0)

    def rows(self, space: str, above: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of a space above an id, in batches of 4096."""
        last = above
        while True:
            with self.db.read() as s:
                rows = s.execute(
                    select(Embedding.id, Embedding.vector)
                    .where(Embedding.space == space, Embedding.id > last)
                    .order_by(Embedding.id)
                    .limit(4096)
                ).all()
            if not rows:
                return
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            vecs = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            last = int(ids[-1])
            yield ids, vecs

    def ids(self, space: str) -> np.ndarray:
        """Every embedding id of a space (to find rows an index still holds after a delete)."""
        with self.db.read() as s:
            return np.fromiter(s.scalars(select(Embedding.id).where(Embedding.space == space)), dtype=np.int64)

    def index(self, space: str) -> VectorIndex:
        """The FAISS index of a space, brought in line with the database first: the highest id is
        checked on every call, the row count (deletions) only now and then (see VectorIndex.sync)."""
        idx = self._indexes.get(space)
        if idx is None or idx.manifest_changed():
            idx = self._indexes[space] = open_index(self.directory, space)

        def count() -> int:
            with self.db.read() as s:
                return int(s.scalar(select(func.count(Embedding.id)).where(Embedding.space == space)) or 0)

        with self.db.read() as s:
            max_id = s.scalar(select(func.max(Embedding.id)).where(Embedding.space == space))
        idx.sync(int(max_id or 0), count, self.rows, self.ids)
        return idx

    def changed(self) -> None:
        """Rows were deleted: the next sync of each index recounts instead of trusting its last count."""
        forget_counts(self.directory)
        hot.bump()

    def save_all(self) -> None:
        """Bring every space's FAISS file in line with the database and write it (after indexing)."""
        for space in self.spaces():
            self.index(space).save()

    def save_open(self) -> None:
        """Write the indexes this process opened and changed (cheap when nothing was opened)."""
        for idx in list(self._indexes.values()):
            idx.save()

    def by_id(self, embedding_ids: Sequence[int], space: str) -> dict[int, np.ndarray]:
        """Stored vectors by embedding id (doctor's recall sample)."""
        with self.db.read() as s:
            rows = s.execute(
                select(Embedding.id, Embedding.vector).where(
                    Embedding.space == space, Embedding.id.in_(list(embedding_ids))
                )
            )
            return {int(i): np.frombuffer(v, dtype=np.float32) for i, v in rows}

    def descriptions_of(self, ids: Sequence[int]) -> dict[int, int]:
        """Description id of each embedding id (plain SQL: every search asks for a hundred)."""
        if not ids:
            return {}
        with self.db.read() as s:
            rows = s.execute(text(f"SELECT id, description_id FROM embeddings WHERE id IN ({int_list(ids)})"))
            return {int(a): int(b) for a, b in rows}

    def of(self, description_ids: Sequence[int], space: str) -> dict[int, np.ndarray]:
        """Stored vectors of some descriptions in one space, by description id."""
        if not description_ids:
            return {}
        sql = f"SELECT description_id, vector FROM embeddings WHERE space = :sp AND description_id IN ({int_list(description_ids)})"
        with self.db.read() as s:
            return {int(d): np.frombuffer(v, dtype=np.float32) for d, v in s.execute(text(sql), {"sp": space})}

    def by_space(self) -> dict[str, int]:
        with self.db.read() as s:
            return {
                str(k): int(v)
                for k, v in s.execute(select(Embedding.space, func.count()).group_by(Embedding.space)).all()
            }

    def checksums(self) -> ChecksumState:
        """Every vector against its checksum and its recorded size: bytes changed inside a blob."""
        damaged: list[tuple[int, int]] = []
        unchecked: list[tuple[int, int]] = []
        total = 0
        q = select(
            Embedding.id, Embedding.description_id, Embedding.dim, Embedding.vector, VectorChecksum.crc
        ).outerjoin(VectorChecksum, VectorChecksum.embedding_id == Embedding.id)
        with self.db.read() as s:
            for eid, did, dim, vec, crc in s.execute(q):
                total += 1
                size_ok = vec is not None and len(vec) == 4 * int(dim)
                if not size_ok or (crc is not None and vector_crc(vec) != int(crc)):
                    damaged.append((int(eid), int(did)))
                elif crc is None:
                    unchecked.append((int(eid), vector_crc(vec)))
        return ChecksumState(total, damaged, unchecked)

    def record_checksums(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Store (embedding id, crc) checksums for vectors written before checksums existed."""
        if pairs:
            with self.db.write() as s:
                s.execute(insert(VectorChecksum), [{"embedding_id": e, "crc": c} for e, c in pairs])

    def orphans(self, repair: bool = False) -> int:
        """Vectors whose description is gone; deleted when `repair`. Returns how many were found."""
        no_desc = ~Embedding.description_id.in_(select(DescriptionRow.id))
        with self.db.write() as s:
            n = int(s.scalar(select(func.count()).select_from(Embedding).where(no_desc)) or 0)
            if n and repair:
                s.execute(delete(Embedding).where(no_desc))
        if n and repair:
            self.changed()
        return n
