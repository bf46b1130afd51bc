"""vidagent: find moments in long videos by describing them, caption them in bulk, ask questions.

Importing the package is cheap: the API functions load their stages (and the heavy libraries those
use) on first call.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["index", "search", "similar", "ask", "status", "scenes", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("index", "search", "status", "scenes"):
        from . import api

        return getattr(api, name)
    if name == "similar":
        from .similar import similar

        return similar
    if name == "ask":
        from .agent.run import ask

        return ask
    raise AttributeError(f"module 'vidagent' has no attribute {name!r}")
