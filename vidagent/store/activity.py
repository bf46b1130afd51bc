"""Which descriptions search sees, for the keyword statistics and the candidate budgets.

A store keeps descriptions that no search shows: those of an earlier describer or clip plan (kept, so
switching back costs nothing) and those `vidagent caption` jobs write under their own prompts. The
keyword index holds them all (its rows are written with the descriptions, before a video's new plan
is activated), so BM25's document count and each word's document frequency counted them too: a store
re-described twice ranked differently from the same store built afresh (`docs/benchmarks.md`,
"Superseded descriptions"). The figures search uses are those of the active descriptions, and the
sources over-fetch by the share of rows they will filter out.

`activity()` reads the set of inactive descriptions once per store state: the state is probed (row
count, highest id, latest activation; kept per store generation by `hot`, so a search pays no pass)
and the set is recomputed only when the probe moves. The set is a dense boolean array by description
id, so a word's inactive documents are counted by indexing it with the word's matching ids.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from . import hot
from .reads import ACTIVE_FROM

#: what changes when a description is added or deleted or a video activates another plan or describer
_PROBE_SQL = text(
    "SELECT (SELECT count(*) FROM descriptions), (SELECT max(id) FROM descriptions), "
    "(SELECT max(indexed_at) FROM videos), (SELECT count(*) FROM videos)"
)
_ACTIVE_IDS_SQL = text("SELECT d.id " + ACTIVE_FROM)
_ACTIVE_COUNT_SQL = text("SELECT count(*) " + ACTIVE_FROM)
#: the candidate budgets grow by the share of inactive rows, at most this many times
MAX_OVERFETCH = 8.0


@dataclass(frozen=True)
class Activity:
    """Descriptions in the store, and which of them no search shows."""

    total: int
    #: descriptions no search shows
    n_inactive: int = 0
    #: False at the id of each active description (None: every description is active); ids of deleted
    #: descriptions are True too, harmlessly: no keyword or vector row matches them
    inactive: np.ndarray | None = None

    @property
    def active(self) -> int:
        return self.total - self.n_inactive

    @property
    def overfetch(self) -> float:
        """How many more candidates a source fetches so that enough active ones remain."""
        if not self.n_inactive:
            return 1.0
        return min(MAX_OVERFETCH, self.total / max(1, self.active))

    def inactive_among(self, ids: Any) -> int:
        """How many of these description ids are inactive."""
        if self.inactive is None:
            return 0
        arr = np.asarray(ids, dtype=np.int64)
        arr = arr[(arr >= 0) & (arr < len(self.inactive))]
        return int(self.inactive[arr].sum())


_CACHE: dict[str, tuple[tuple[Any, ...], Activity]] = {}
_LOCK = threading.Lock()


def activity(s: Session) -> Activity:
    """The store's `Activity` (recomputed only when the store's state has moved)."""
    probe = hot.cached(s, "activity-probe", lambda: tuple(s.execute(_PROBE_SQL).one()))
    key = str(s.get_bind().engine.url)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == probe:
        return hit[1]
    total, max_id = int(probe[0] or 0), int(probe[1] or 0)
    if int(s.execute(_ACTIVE_COUNT_SQL).scalar() or 0) >= total:  # the usual case: no ids to read
        found = Activity(total)
    else:
        active = np.fromiter((int(i) for i in s.execute(_ACTIVE_IDS_SQL).scalars()), dtype=np.int64)
        mask = np.ones(max(max_id, int(active.max(initial=0))) + 1, dtype=bool)
        mask[active] = False
        found = Activity(total, total - len(active), mask)
    with _LOCK:
        _CACHE[key] = (probe, found)
    return found


def superseded_ids(s: Session, keep_keys: set[str]) -> tuple[list[int], int]:
    """Descriptions a prune may drop, and how many inactive ones it keeps. Dropped: written before their
    video's last activation and not chosen by it (the earlier describer's or plan's). Kept: the active
    ones, those of `keep_keys` (caption jobs' describers), and those written since the last activation
    (a run in progress writes its descriptions before it activates them)."""
    rows = s.execute(
        text(
            "SELECT d.id, d.describer_key, CASE WHEN v.indexed_at IS NOT NULL AND d.created <= v.indexed_at "
            "THEN 1 ELSE 0 END FROM descriptions d JOIN videos v ON v.hash = d.video_hash "
            "WHERE v.describer_key IS NULL OR d.describer_key <> v.describer_key OR NOT EXISTS "
            "(SELECT 1 FROM clips c WHERE c.id = d.clip_id AND c.plan_key = v.plan_key) ORDER BY d.id"
        )
    ).all()
    drop = [int(i) for i, key, before in rows if before and key not in keep_keys]
    return drop, len(rows) - len(drop)
