"""`vidagent ask`: answer questions about indexed videos with checked timestamp citations (issue 5).

Two answerers share one interface (`ask(...) -> Answer`): a tool-calling LangChain agent when a chat
model is configured, and a fixed retrieve -> re-query -> cite pipeline offline. Importing this package
is cheap; LangChain loads inside the functions that use it.
"""

from __future__ import annotations

from typing import Any

from .answer import Answer, Citation

__all__ = ["Answer", "Citation", "ask", "history"]


def __getattr__(name: str) -> Any:
    if name in ("ask", "history"):
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module 'vidagent.agent' has no attribute {name!r}")
