"""The module-level Python API (`vidagent.index`, `.search`, `.status`, `.scenes`): thin wrappers that
build a `Library` for one call. Each call opens the store, does its work and closes it (saving the
vector indexes), so scripts and notebooks need no setup beyond a path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings, load_settings
from .describe import Describer
from .library import MAX_TOP_K, ConfigArg, Library, PathsArg, StoreArg
from .types import Hit, Scene

if TYPE_CHECKING:  # annotations only: `vidagent search` does not import the indexing pipeline
    from .pipeline import FileResult, IndexReport, ProgressFn

StorePath = StoreArg  # the name earlier callers imported
__all__ = ["MAX_TOP_K", "StorePath", "default_store", "evaluate", "index", "scenes", "search", "status"]


def index(
    paths: PathsArg,
    store: StoreArg = None,
    config: ConfigArg = None,
    progress: ProgressFn | None = None,
    describer: str | Describer | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    executor: str = "local",
    address: str | None = None,
    workers: int | None = None,
) -> IndexReport:
    """Index videos and folders into the store; returns per-file results (failures included).
    `executor="ray"` runs the same stages on a Ray cluster (`address`, `workers`: see ray_executor)."""
    return Library(store, config, describer).index(
        paths, progress=progress, on_file=on_file, executor=executor, address=address, workers=workers
    )


def search(
    query: str,
    store: StoreArg = None,
    top_k: int | None = None,
    video: str | None = None,
    config: ConfigArg = None,
    min_score: float | None = None,
) -> list[Hit]:
    """Ranked clips for a text query; `min_score` overrides the relevance floor (0: every candidate)."""
    return Library(store, config).search(query, top_k=top_k, video=video, min_score=min_score)


def evaluate(
    queries: str | os.PathLike[str],
    store: StoreArg = None,
    configs: Sequence[str | os.PathLike[str] | Settings | None] = (),
    ablate: bool = False,
    top_k: int = 10,
) -> list[Any]:
    """Judge search on a query file, once per settings (default settings when none are given).

    `ablate` adds, for each settings, one run per search source with that source's weight at 0."""
    from .evaluation import evaluate as _evaluate
    from .evaluation import load_queries
    from .signals.fusion import weights
    from .store import opened

    qs = load_queries(queries)
    runs: list[tuple[str, Settings]] = []
    for c in list(configs) or [None]:
        s = c if isinstance(c, Settings) else load_settings(c)
        label = "defaults" if c is None else (Path(c).stem if not isinstance(c, Settings) else "settings")
        runs.append((label, s))
        if ablate:
            for name, w in weights(s).items():
                if w > 0:
                    sub = s.model_copy(
                        update={"search": s.search.model_copy(update={"weights": {**s.search.weights, name: 0.0}})}
                    )
                    runs.append((f"{label}-{name}", sub))
    with opened(store, create=False) as st:
        return [_evaluate(st, qs, s, label=label, top_k=top_k) for label, s in runs]


def status(store: StoreArg = None) -> dict[str, Any]:
    """Counts of videos, clips, descriptions and vectors."""
    return Library(store).status()


def scenes(
    path: str | os.PathLike[str],
    config: str | os.PathLike[str] | Settings | None = None,
    progress: ProgressFn | None = None,
) -> list[Scene]:
    """Detect the shots of one video without touching any store (`progress("scenes", path, s, total)`)."""
    from .scenes import detect_scenes
    from .video import probe

    info = probe(str(path))
    tick = None if progress is None else (lambda t: progress("scenes", str(path), t, info.duration))
    return detect_scenes(info, (config if isinstance(config, Settings) else load_settings(config)).scenes, tick)


def default_store() -> Path:
    """The store folder used when none is named (`$VIDAGENT_STORE` or ./store)."""
    from .store import default_store_dir

    return default_store_dir()
