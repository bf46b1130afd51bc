"""The module-level Python API (`vidagent.index`, `.search`, `.status`, `.scenes`): thin wrappers that
build a `Library` for one call. Each call opens the store, does its work and closes it (saving the
vector indexes), so scripts and notebooks need no setup beyond a path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .config import Settings, load_settings
from .describe import Describer
from .library import MAX_TOP_K, ConfigArg, Library, PathsArg, StoreArg
from .pipeline import FileResult, IndexReport, ProgressFn
from .types import Hit, Scene

StorePath = StoreArg  # the name earlier callers imported
__all__ = ["MAX_TOP_K", "StorePath", "index", "scenes", "search", "status"]

def index(
    paths: PathsArg,
    store: StoreArg = None,
    config: ConfigArg = None,
    progress: ProgressFn | None = None,
    describer: str | Describer | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IndexReport:
    """Index videos and folders into the store; returns per-file results (failures included)."""
    return Library(store, config, describer).index(paths, progress=progress, on_file=on_file)


def search(
    query: str, store: StoreArg = None, top_k: int | None = None, video: str | None = None, config: ConfigArg = None
) -> list[Hit]:
    """Ranked clips for a text query."""
    return Library(store, config).search(query, top_k=top_k, video=video)


def status(store: StoreArg = None) -> dict[str, Any]:
    """Counts of videos, clips, descriptions and vectors."""
    return Library(store).status()


def scenes(path: str | os.PathLike[str], config: str | os.PathLike[str] | Settings | None = None) -> list[Scene]:
    """Detect the shots of one video without touching any store."""
    from .scenes import detect_scenes
    from .video import probe

    return detect_scenes(probe(str(path)), (config if isinstance(config, Settings) else load_settings(config)).scenes)
