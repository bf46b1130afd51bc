"""`Library`: the one object to hold in scripts and notebooks — a store plus settings plus a describer.

    lib = vidagent.Library("store", config="fast.yaml")
    lib.index("videos/")
    hits = lib.search("a dog on a beach")
    answer = lib.ask("What does the sign say?")

The store may be a folder path (opened and closed around each call, so vector files are saved and
other processes see the work) or an open `Store` (used as is; the caller closes it). Searches of a
folder path reuse one open store per process and folder (`reading`): opening costs ~10 ms of a
search at a million clips, and an open store already sees other processes' writes (every read asks
the database; cached figures are keyed by the store's generation). The describer
may be a registered name or a `Describer` instance. The module functions in `vidagent.api` are thin
wrappers that build a Library for one call.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings, load_settings
from .describe import Describer
from .errors import VidagentError
from .store import DB_NAME, Store, opened
from .store.database import split_store

if TYPE_CHECKING:
    from .agent.answer import Answer
    from .caption import CaptionReport, DryRun, Output
    from .pipeline import FileResult, IndexReport, ProgressFn
    from .types import Hit

StoreArg = Store | str | os.PathLike[str] | None
ConfigArg = Settings | str | os.PathLike[str] | None
PathsArg = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
MAX_TOP_K = 10_000  # more hits than anyone reads; bounds the FAISS and SQL work


#: set to 0 to open and close the store around every search (the behaviour before reuse)
REUSE_ENV = "VIDAGENT_REUSE_STORE"
#: stores kept open at most (least recently used closed first): a process searching many stores
#: (a test session) must not pile up connections and mapped files
MAX_READERS = 4
_READERS: OrderedDict[str, tuple[tuple[int, int], Store, threading.Lock]] = OrderedDict()
_READERS_LOCK = threading.Lock()
_INHERITED: list[object] = []  # a forked child's copies of the parent's stores: never used, never closed


def _after_fork() -> None:
    global _READERS_LOCK
    _INHERITED.append(dict(_READERS))
    _READERS.clear()
    _READERS_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
        return st.st_dev, st.st_ino
    except OSError:
        return None


@contextmanager
def reading(store: StoreArg) -> Iterator[Store]:
    """The store opened for reading, reused across calls in this process for a SQLite folder: the
    same open store while its database file is the same file (a deleted or replaced store is opened
    afresh, a missing one is `StoreNotFound` as before). One search at a time per reused store.
    A `Store` object, a database URL or `VIDAGENT_REUSE_STORE=0` open and close as before."""
    if isinstance(store, Store) or os.environ.get(REUSE_ENV, "1") == "0":
        with opened(store, create=False) as st:
            yield st
        return
    root, url = split_store(store, None)
    if url is not None:
        with opened(store, create=False) as st:
            yield st
        return
    db_file = os.path.abspath(root / DB_NAME)
    ident = _identity(db_file)
    evicted = []
    with _READERS_LOCK:
        entry = _READERS.get(db_file)
        if entry is not None and entry[0] != ident:
            del _READERS[db_file]
            entry[1].db.dispose()  # a deleted or replaced database: never read through the old one
            entry = None
        if entry is None:
            st = Store(root, create=False)  # StoreNotFound for a missing store, as before
            entry = _READERS[db_file] = (_identity(db_file) or (0, 0), st, threading.Lock())
        _READERS.move_to_end(db_file)
        while len(_READERS) > MAX_READERS:
            evicted.append(_READERS.popitem(last=False)[1])
    for _, old, lock in evicted:
        with lock:  # after a search still running on it
            old.close()
    with entry[2]:
        yield entry[1]


def forget_readers() -> None:
    """Close every reused store (at exit; tests call it too)."""
    with _READERS_LOCK:
        entries = list(_READERS.values())
        _READERS.clear()
    for _, st, lock in entries:
        with lock:
            st.close()


atexit.register(forget_readers)


def _paths(paths: PathsArg) -> list[str]:
    return [str(paths)] if isinstance(paths, (str, os.PathLike)) else [str(p) for p in paths]


class Library:
    """Index, search, ask and caption one store with one set of settings."""

    def __init__(
        self, store: StoreArg = None, config: ConfigArg = None, describer: str | Describer | None = None
    ) -> None:
        self.store = store
        self.settings = config if isinstance(config, Settings) else load_settings(config)
        self.describer = describer

    def index(
        self,
        paths: PathsArg,
        progress: ProgressFn | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        executor: str = "local",
        address: str | None = None,
        workers: int | None = None,
    ) -> IndexReport:
        """Index videos and folders; returns per-file results (failures included). `executor="ray"`
        runs the same stages on a Ray cluster (`address`, `workers`: see ray_executor); locally, `workers`
        > 1 runs files in that many processes (see vidagent.workers)."""
        from .pipeline import Indexer
        from .store.health import require_writable

        if executor not in ("local", "ray"):
            raise VidagentError(f"unknown executor '{executor}' (choose local or ray)")
        with opened(self.store) as st, st.writer_lock():
            require_writable(st)
            if executor == "ray":
                from .ray_executor import run as run_ray

                report = run_ray(
                    _paths(paths),
                    st.root,
                    st.url,
                    self.settings,
                    describer=self.describer,
                    address=address,
                    workers=workers,
                    progress=progress,
                    on_file=on_file,
                )
                st.save_indexes()  # workers wrote rows only: the FAISS shards are built once, here
                return report
            if workers is not None and workers > 1:
                from . import workers as local_workers
                from .ray_executor import Job

                job = Job(str(Path(st.root).resolve()), st.url, self.settings, self.describer, None, {}, True)
                report = local_workers.run(_paths(paths), job, workers, progress=progress, on_file=on_file)
                st.save_indexes()  # workers wrote rows only: the vector index files are built once, here
                return report
            return Indexer(st, self.settings, progress=progress, describer=self.describer).run(
                _paths(paths), on_file=on_file
            )

    def search(
        self, query: str, top_k: int | None = None, video: str | None = None, min_score: float | None = None
    ) -> list[Hit]:
        """Ranked clips for a text query; `min_score` overrides the relevance floor (0: every candidate)."""
        from .retrieve import search

        if not query.strip():
            raise VidagentError("the search query is empty: say what to find")
        if top_k is not None and not 1 <= top_k <= MAX_TOP_K:
            raise VidagentError(f"top_k must be between 1 and {MAX_TOP_K} (got {top_k})")
        with reading(self.store) as st:
            if video is not None:
                from .store.resolve import require_video

                require_video(st, video)
            return search(st, query, self.settings, top_k=top_k, video=video, min_score=min_score)

    def unknown_query(self, query: str) -> bool:
        """Whether search rejects `query` as gibberish (no content word known to the embedder or the
        library), so a caller can say so instead of blaming the relevance floor for an empty list."""
        from .retrieve import is_nonsense, prepare

        if not query.strip():
            return False
        with opened(self.store, create=False) as st:
            return is_nonsense(st, prepare(query, self.settings, 1), self.settings)

    def ask(self, question: str, chat_model: Any = None, video: str | None = None, top_k: int | None = None) -> Answer:
        """An answer with checked citations (offline unless a chat model is given or configured)."""
        from .agent.run import ask

        return ask(question, store=self.store, config=self.settings, chat_model=chat_model, video=video, top_k=top_k)

    def caption(
        self,
        paths: PathsArg,
        prompt: str | None = None,
        outputs: Sequence[Output] = (),
        prompt_vars: dict[str, Any] | None = None,
        progress: ProgressFn | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> CaptionReport:
        """Caption every clip with a prompt and write `outputs` (see `vidagent.caption`)."""
        from .caption import caption

        return caption(
            _paths(paths),
            prompt=prompt,
            outputs=outputs,
            describer=self.describer,
            prompt_vars=prompt_vars,
            store=self.store,
            config=self.settings,
            progress=progress,
            on_file=on_file,
            on_warning=on_warning,
        )

    def caption_dry_run(
        self, paths: PathsArg, prompt: str | None = None, prompt_vars: dict[str, Any] | None = None
    ) -> DryRun:
        """What `caption` would do and an estimate of its time; runs no describer, creates no store."""
        from .caption import dry_run

        return dry_run(
            _paths(paths),
            prompt=prompt,
            describer=self.describer,
            prompt_vars=prompt_vars,
            store=self.store,
            config=self.settings,
        )

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        """Earlier `ask` runs, newest first, as JSON-able dicts."""
        from .agent.run import history

        return history(self.store, limit=limit)

    def status(self) -> dict[str, Any]:
        """Counts of videos, clips, descriptions and vectors."""
        with opened(self.store, create=False) as st:
            return st.stats()
