"""The Python API the CLI is a thin shell over: `index`, `search`, `status`, `scenes`.

Each call opens the store, does its work and closes it (saving the vector indexes), so scripts and
notebooks need no setup beyond a path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import Settings, load_settings
from .pipeline import IndexReport, Indexer, ProgressFn
from .store import Store
from .types import Hit, Scene

StorePath = str | os.PathLike[str] | None
MAX_TOP_K = 10_000  # more hits than anyone reads; bounds the FAISS and SQL work


def _settings(config: str | os.PathLike[str] | Settings | None) -> Settings:
    return config if isinstance(config, Settings) else load_settings(config)


def index(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], store: StorePath = None,
          config: str | os.PathLike[str] | Settings | None = None, progress: ProgressFn | None = None,
          describer: str | None = None, on_file: Any = None) -> IndexReport:
    """Index videos and folders into the store; returns per-file results (failures included)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    settings = _settings(config)
    st = Store(store)
    try:
        with st.writer_lock():
            from .store.health import require_writable

            require_writable(st)
            return Indexer(st, settings, progress=progress, describer=describer).run(
                [str(p) for p in paths], on_file=on_file)
    finally:
        st.close()


def search(query: str, store: StorePath = None, top_k: int | None = None, video: str | None = None,
           config: str | os.PathLike[str] | Settings | None = None) -> list[Hit]:
    """Ranked clips for a text query."""
    from .errors import VidagentError
    from .retrieve import search as _search

    if not query.strip():
        raise VidagentError("the search query is empty: say what to find")
    if top_k is not None and not 1 <= top_k <= MAX_TOP_K:
        raise VidagentError(f"top_k must be between 1 and {MAX_TOP_K} (got {top_k})")
    st = Store(store, create=False)
    try:
        if video is not None:
            from .store.resolve import require_video

            require_video(st, video)
        return _search(st, query, _settings(config), top_k=top_k, video=video)
    finally:
        st.close()


def status(store: StorePath = None) -> dict[str, Any]:
    """Counts of videos, clips, descriptions and vectors."""
    st = Store(store, create=False)
    try:
        return st.stats()
    finally:
        st.engine.dispose()


def scenes(path: str | os.PathLike[str], config: str | os.PathLike[str] | Settings | None = None,
           progress: ProgressFn | None = None) -> list[Scene]:
    """Detect the shots of one video without touching any store (`progress("scenes", path, s, total)`)."""
    from .scenes import detect_scenes
    from .video import probe

    info = probe(str(path))
    tick = None if progress is None else (lambda t: progress("scenes", str(path), t, info.duration))
    return detect_scenes(info, _settings(config).scenes, tick)


def default_store() -> Path:
    from .store import default_store_dir

    return default_store_dir()
