"""`vidagent prune`: drop the descriptions no search shows, with their vectors and keyword rows.

A store keeps every describer's and clip plan's descriptions, so switching back to earlier settings
costs nothing; after a describer upgrade those rows are only disk (`vidagent status` counts them as
"superseded descriptions"). Search already ignores them (`store/activity.py`); prune removes them.

What it keeps: the active descriptions; those of `vidagent caption` jobs' describers (re-captioning
with a VLM is costly; `include_caption_jobs` drops them too); and anything written after its video
was last activated (a run in progress writes its descriptions before it activates them). SQLite
reuses the freed pages for later writes; `vacuum` rewrites the file without them (it needs the file's
size free on disk again, and other processes wait for it), returning the disk.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from .errors import VidagentError
from .store import Store, opened

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PruneReport:
    dropped: int
    kept: int
    vectors_before: int
    vectors_after: int
    dry_run: bool
    #: the database file's bytes before and after VACUUM (None: not asked, or not an SQLite file)
    file_bytes: tuple[int, int] | None = None

    def summary(self) -> str:
        verb = "would drop" if self.dry_run else "dropped"
        gone = "" if self.dry_run else f" and {self.vectors_before - self.vectors_after} vectors"
        vacuumed = ""
        if self.file_bytes is not None:
            vacuumed = f"; database file {self.file_bytes[0] / 1e6:.1f} -> {self.file_bytes[1] / 1e6:.1f} MB"
        return (
            f"{verb} {self.dropped} superseded descriptions{gone}; kept {self.kept} inactive "
            f"(caption jobs' or written since the last index){vacuumed}"
        )


def caption_job_keys(store: Store) -> set[str]:
    """Describer keys `vidagent caption` runs wrote under (their settings record it)."""
    keys = set()
    for run in store.runs("caption"):
        key = (run.settings or {}).get("describer_key")
        if key:
            keys.add(str(key))
    return keys


def prune(
    store: str | os.PathLike[str] | Store | None = None,
    *,
    include_caption_jobs: bool = False,
    dry_run: bool = False,
    vacuum: bool = False,
) -> PruneReport:
    """Drop superseded descriptions (see the module docstring); `dry_run` only counts them; `vacuum`
    then gives the freed space of an SQLite file back to the disk."""
    with opened(store, create=False) as st:
        keep = set() if include_caption_jobs else caption_job_keys(st)
        ids, kept = st.prunable(keep)
        before = int(st.stats()["vectors"])
        if not dry_run and ids:
            if st.read_only:
                raise VidagentError(f"{st.root}: the store is read-only; nothing was pruned")
            st.drop_descriptions(ids)
            log.info("pruned %d descriptions from %s", len(ids), st.root)
        after = before if dry_run else int(st.stats()["vectors"])
        sizes = st.compact() if vacuum and not dry_run and not st.read_only else None
        return PruneReport(len(ids), kept, before, after, dry_run, sizes)
