"""vidagent: find moments in long videos by describing them, caption them in bulk, ask questions.

Importing the package is cheap: the API functions load their stages (and the heavy libraries those
use) on first call. `vidagent.Library(store, config)` holds a store and settings for many calls.
"""

from __future__ import annotations

import logging
from typing import Any

__version__ = "0.1.0"
__all__ = ["Library", "index", "search", "similar", "ask", "history", "status", "scenes", "prune", "__version__"]

# A library logs; the application (our CLI, or the caller's) decides where logs go.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name in ("index", "search", "status", "scenes"):
        from . import api

        return getattr(api, name)
    if name == "Library":
        from .library import Library

        return Library
    if name == "similar":
        from .similarity import similar

        return similar
    if name == "prune":
        from .pruning import prune

        return prune
    if name in ("ask", "history"):
        from .agent import run

        return getattr(run, name)
    raise AttributeError(f"module 'vidagent' has no attribute {name!r}")
