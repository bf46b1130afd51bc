"""Errors users see as one line. Anything else is a bug and shows a traceback only under VIDAGENT_DEBUG=1."""

from __future__ import annotations

import importlib
import os
from types import ModuleType


class VidagentError(Exception):
    """An expected failure with a message fit to print on one line."""


class BadVideo(VidagentError):
    """A file that cannot be indexed; names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DescriberUnavailable(VidagentError):
    """The configured describer cannot be built or loaded: the same for every file, so the run stops."""


class MissingDependency(VidagentError):
    """An optional dependency is not installed; says which extra brings it."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(f"'{module}' is not installed: pip install 'vidagent[{extra}]'")
        self.module = module
        self.extra = extra


def debug() -> bool:
    return os.environ.get("VIDAGENT_DEBUG", "") not in ("", "0", "false", "no")


def require(module: str, extra: str) -> ModuleType:
    """Import an optional heavy module where it is used, or fail naming the pip extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if debug():
            raise
        root = module.split(".")[0]
        if exc.name and exc.name.split(".")[0] != root:
            # The module exists but one of *its* dependencies is missing: say that one.
            raise MissingDependency(exc.name, extra) from exc
        raise MissingDependency(module, extra) from exc


def one_line(exc: BaseException) -> str:
    """Render an exception as a single line (no newlines) for CLI output and error columns."""
    text = str(exc).strip() or exc.__class__.__name__
    text = " ".join(text.split())
    if not isinstance(exc, VidagentError):
        text = f"{exc.__class__.__name__}: {text}"
    return text[:500]
