"""Errors users see as one line. Anything else is a bug and shows a traceback only under VIDAGENT_DEBUG=1.

Every expected failure is a `VidagentError` subclass whose `str()` is the line the CLI prints after
`vidagent: error: `. Callers that want to react to one kind (a script skipping unknown clips, a web
page answering 404) catch the subclass; everyone else catches the base.
"""

from __future__ import annotations

import errno
import importlib
import os
import re
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
        super().__init__(f"{printable(root)}: no vidagent store here (run `vidagent index` first)")
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


class AmbiguousVideo(UnknownVideo):
    """A video name (file name, hash prefix) that fits more than one indexed video; the message lists them."""


class DescriberUnavailable(VidagentError):
    """The configured describer cannot be built or loaded: the same for every file, so the run stops."""


class MissingDependency(VidagentError):
    """An optional dependency is not installed; says which extra brings it."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(f"'{module}' is not installed: pip install 'vidagent[{extra}]'")
        self.module = module
        self.extra = extra


class OutputRefused(VidagentError):
    """An output path vidagent will not write to (exists, not a regular file, a symlink, a source video)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{printable(path)}: {reason}")
        self.path = path
        self.reason = reason


class DiskFull(VidagentError):
    """No space left where the store or an output is written: the same for every file, so the run stops."""


class StoreDamaged(VidagentError):
    """The store's database fails SQLite's checks; `vidagent doctor --repair` recovers what it can."""


class StoreReadOnly(VidagentError):
    """A command that writes was given a store it cannot write to."""


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """Text safe to print on a terminal: control characters (escape codes, newlines, bidi overrides)
    shown as \\xNN / \\uNNNN escapes, so a hostile file name cannot move the cursor or fake lines."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def ordinary(exc: BaseException) -> VidagentError | None:
    """An everyday failure (disk full, read-only or damaged store, permission) as a one-line error;
    None when `exc` is something else (a bug)."""
    if isinstance(exc, VidagentError):
        return exc
    msg = one_line(exc, limit=10_000, with_type=False)
    low = msg.lower()
    err = getattr(exc, "errno", None)
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the DB-API error
    if orig is not None and orig is not exc:
        inner = ordinary(orig)
        if inner is not None:
            return inner
    filename = getattr(exc, "filename", None)
    where = f"{printable(filename)}: " if filename else ""
    if err == errno.ENOSPC or "database or disk is full" in low or "no space left" in low:
        return DiskFull(
            f"{where}disk full: no space left on the device (free some space and re-run; committed work is kept)"
        )
    if err == errno.EROFS or "readonly database" in low or "read-only file system" in low:
        return StoreReadOnly(f"{where}read-only: cannot write here ({msg[:160]})")
    if "malformed" in low or "file is not a database" in low or "database disk image" in low:
        return StoreDamaged(f"the store's database is damaged ({msg[:160]}); run `vidagent doctor --repair`")
    if err in (errno.EACCES, errno.EPERM):
        return VidagentError(f"{where}permission denied")
    if "unable to open database file" in low:
        return VidagentError(
            "cannot open the store's database file (no permission, a missing folder, or a "
            "read-only place without its -shm file)"
        )
    if "database is locked" in low:
        return VidagentError("the store's database is locked by another process; try again when it is done")
    return None


def one_line(exc: BaseException | str, limit: int = 500, with_type: bool | None = None) -> str:
    """Render an exception (or any text) as a single line of at most `limit` characters.

    Foreign exceptions get their class name in front (`ValueError: ...`) since their message alone is
    often a bare word; ours never do (their message is written for the user). `with_type` overrides.
    """
    text = exc if isinstance(exc, str) else (str(exc).strip() or exc.__class__.__name__)
    text = printable(" ".join(text.split()))
    if with_type is None:
        with_type = not isinstance(exc, (str, VidagentError))
    if with_type and not isinstance(exc, str):
        text = f"{exc.__class__.__name__}: {text}"
    return text[:limit]
