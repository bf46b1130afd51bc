"""Errors users see as one line. Anything else is a bug and shows a traceback only under VIDAGENT_DEBUG=1."""

from __future__ import annotations

import errno
import importlib
import os
import re
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
    msg = " ".join(str(exc).split())
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
        return DiskFull(f"{where}disk full: no space left on the device (free some space and re-run; "
                        "committed work is kept)")
    if err == errno.EROFS or "readonly database" in low or "read-only file system" in low:
        return StoreReadOnly(f"{where}read-only: cannot write here ({msg[:160]})")
    if "malformed" in low or "file is not a database" in low or "database disk image" in low:
        return StoreDamaged(f"the store's database is damaged ({msg[:160]}); run `vidagent doctor --repair`")
    if err in (errno.EACCES, errno.EPERM):
        return VidagentError(f"{where}permission denied")
    if "unable to open database file" in low:
        return VidagentError("cannot open the store's database file (no permission, a missing folder, or a "
                             "read-only place without its -shm file)")
    if "database is locked" in low:
        return VidagentError("the store's database is locked by another process; try again when it is done")
    return None


def one_line(exc: BaseException) -> str:
    """Render an exception as a single line (no newlines) for CLI output and error columns."""
    text = str(exc).strip() or exc.__class__.__name__
    text = printable(" ".join(text.split()))
    if not isinstance(exc, VidagentError):
        text = f"{exc.__class__.__name__}: {text}"
    return text[:500]
