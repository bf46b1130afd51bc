"""Errors users see as one line. Anything else is a bug and shows a traceback only under VIDAGENT_DEBUG=1.

Every expected failure is a `VidagentError` subclass whose `str()` is the line the CLI prints after
`vidagent: error: `. Callers that want to react to one kind (a script skipping unknown clips, a web
page answering 404) catch the subclass; everyone else catches the base.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


class VidagentError(Exception):
    """An expected failure with a message fit to print on one line."""


class ConfigError(VidagentError):
    """Settings, a job file, a prompt file or a plugin name is wrong; the message names the file and key."""


class BadVideo(VidagentError):
    """A file that cannot be indexed; names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreNotFound(VidagentError):
    """A read-only command pointed at a folder that holds no store."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__(f"{root}: no vidagent store here (run `vidagent index` first)")
        self.root = str(root)


class StoreBusy(VidagentError):
    """Another process holds the store's writer lock and the caller asked not to wait."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__(f"{root}: another vidagent process is writing to this store")
        self.root = str(root)


class SchemaTooNew(VidagentError):
    """The store was written by a newer vidagent; this one refuses rather than guess."""

    def __init__(self, root: str, found: int, supported: int) -> None:
        super().__init__(
            f"{root}: store schema version {found} is newer than this vidagent supports ({supported}); upgrade vidagent"
        )
        self.found = found
        self.supported = supported


class UnknownClip(VidagentError):
    """A clip id that is not in the store (or not in its video's current plan)."""

    def __init__(self, clip_id: str, hint: str = "", message: str | None = None) -> None:
        text = message or f"unknown clip id '{clip_id}'"
        super().__init__(f"{text} ({hint})" if hint else text)
        self.clip_id = clip_id


class UnknownVideo(VidagentError):
    """A video (path or hash) that is not indexed in the store."""

    def __init__(self, video: str, message: str | None = None) -> None:
        super().__init__(message or f"{video}: not an indexed video (see `vidagent status`)")
        self.video = video


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


def one_line(exc: BaseException | str, limit: int = 500, with_type: bool | None = None) -> str:
    """Render an exception (or any text) as a single line of at most `limit` characters.

    Foreign exceptions get their class name in front (`ValueError: ...`) since their message alone is
    often a bare word; ours never do (their message is written for the user). `with_type` overrides.
    """
    text = exc if isinstance(exc, str) else (str(exc).strip() or exc.__class__.__name__)
    text = " ".join(text.split())
    if with_type is None:
        with_type = not isinstance(exc, (str, VidagentError))
    if with_type and not isinstance(exc, str):
        text = f"{exc.__class__.__name__}: {text}"
    return text[:limit]
