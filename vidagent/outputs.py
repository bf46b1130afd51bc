"""The one way vidagent writes a file the user asked for (export, chapters, caption, thumbnails).

Why a guard and not just "write a temp file and rename": a rename replaces whatever the name points
at, so `--out /dev/full` turned a device into a regular file, `--out link` replaced the link, and
`--out source.mp4` overwrote the indexed video. The rules here:

- a device, FIFO, socket or symbolic link is never replaced or written through (even with --force);
- a video the store has indexed (by path or by content) is never written over (even with --force);
- an existing regular file is replaced only with `--force`, or when vidagent wrote it itself and
  nobody changed it since (its checksum is in the store's output ledger), so a re-run of `caption`
  after Ctrl-C refreshes its own outputs without --force;
- a folder where a file is expected, or an unknown suffix, is a one-line error.

The new content goes to a temporary file in the same folder first, and is then linked into place
(never over a file that appeared meanwhile) or renamed over the checked regular file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import OutputRefused, VidagentError, printable

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger("vidagent")
LEDGER = ".outputs.json"

#: every refusal in this process (the test run reports the total)
REFUSED: list[str] = []


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class OutputGuard:
    """Checks and writes outputs for one command; `force` allows replacing existing regular files."""

    def __init__(self, store: Store | None = None, force: bool = False, sources: Iterable[str] = ()) -> None:
        self.store = store
        self.force = force
        self.sources = {os.path.realpath(s) for s in sources}
        self._data: dict[str, str] | None = None

    # -- checks -------------------------------------------------------------------------------------
    def refuse(self, path: str | os.PathLike[str], reason: str) -> OutputRefused:
        REFUSED.append(f"{path}: {reason}")
        return OutputRefused(str(path), reason)

    def check_file(self, path: str | os.PathLike[str], suffixes: Iterable[str] = ()) -> Path:
        """The output path if it may be written, else OutputRefused naming the file and the reason."""
        raw = str(path)
        if not raw.strip():
            raise self.refuse(raw, "empty output path")
        p = Path(raw)
        allowed = tuple(s.lower() for s in suffixes)
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise self.refuse(raw, f"cannot be checked ({exc.strerror})") from None
        if st is not None and stat.S_ISLNK(st.st_mode):
            target = os.readlink(p)
            raise self.refuse(
                raw,
                f"is a symbolic link (to {printable(target)}); vidagent does not write "
                "through links: name the file itself",
            )
        if raw.endswith(os.sep) or (st is not None and stat.S_ISDIR(st.st_mode)):
            want = f" ending in {allowed[0]}" if allowed else ""
            raise self.refuse(raw, f"is a folder; give a file name{want}")
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise self.refuse(raw, f"is {_kind(st.st_mode)}, not a regular file; refusing to replace it")
        if allowed and p.suffix.lower() not in allowed:
            got = f"unknown suffix '{printable(p.suffix)}'" if p.suffix else "no suffix"
            raise self.refuse(raw, f"{got} (expected {' or '.join(allowed)})")
        if st is not None:
            if self._is_source(p):
                raise self.refuse(raw, "is an indexed source video; refusing to write over it (even with --force)")
            if not self.force and not self._ours(p):
                raise self.refuse(raw, "already exists (use --force to overwrite it)")
        return p

    def check_folder(self, path: str | os.PathLike[str]) -> Path:
        """A folder for per-clip or per-video files: existing folder (a link to one is fine) or new."""
        p = Path(path)
        if not str(path).strip():
            raise self.refuse(str(path), "empty output folder")
        if p.exists() and not p.is_dir():
            try:
                kind = _kind(os.stat(p).st_mode)
            except OSError:
                kind = "not a folder"
            raise self.refuse(
                str(p),
                f"is {kind if kind != 'not a regular file' else 'a file'}, "
                "not a folder (give a folder for these outputs)",
            )
        if p.is_symlink() and not p.exists():
            raise self.refuse(str(p), "is a dangling symbolic link")
        return p

    def _is_source(self, p: Path) -> bool:
        real = os.path.realpath(p)
        if real in self.sources:
            return True
        if self.store is None:
            return False
        try:
            return self.store.find_video(str(p)) is not None or self.store.find_video(real) is not None
        except Exception:  # an unreadable file or store: not provably a source
            log.debug("source check failed for %s", p, exc_info=True)
            return False

    # -- the ledger of files vidagent wrote ------------------------------------------------------------
    def _ledger_path(self) -> Path | None:
        return None if self.store is None else Path(self.store.root) / LEDGER

    def _ledger(self) -> dict[str, str]:
        if self._data is None:
            lp = self._ledger_path()
            data: object = {}
            if lp is not None:
                try:
                    data = json.loads(lp.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    data = {}
            self._data = (
                {str(k): str(v) for k, v in data.items() if os.path.isfile(str(k))} if isinstance(data, dict) else {}
            )
        return self._data

    def _ours(self, p: Path) -> bool:
        want = self._ledger().get(os.path.abspath(p))
        try:
            return want is not None and _digest(p) == want
        except OSError:
            return False

    def _remember(self, p: Path) -> None:
        lp = self._ledger_path()
        if lp is None:
            return
        try:
            data = self._ledger()
            data[os.path.abspath(p)] = _digest(p)
            tmp = lp.with_name(f"{lp.name}.tmp{os.getpid()}")
            tmp.write_text(json.dumps(data, indent=0), encoding="utf-8")
            os.replace(tmp, lp)
        except OSError:  # a read-only store: the output is written, it just needs --force next time
            log.debug("could not record output %s", p, exc_info=True)

    # -- writing ------------------------------------------------------------------------------------
    def write_with(
        self, path: str | os.PathLike[str], make: Callable[[Path], object], suffixes: Iterable[str] = ()
    ) -> Path:
        """Check `path`, let `make(tmp)` write a temporary file beside it, then put it in place."""
        p = self.check_file(path, suffixes)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.stem}.tmp{os.getpid()}{p.suffix}")
        try:
            make(tmp)
            if not tmp.is_file():
                raise VidagentError(f"{printable(p)}: nothing was written (no output produced)")
            self._place(tmp, p)
        finally:
            tmp.unlink(missing_ok=True)
        self._remember(p)
        return p

    def write_text(self, path: str | os.PathLike[str], text: str, suffixes: Iterable[str] = ()) -> Path:
        def make(tmp: Path) -> None:
            with open(tmp, "x", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())

        return self.write_with(path, make, suffixes)

    def _place(self, tmp: Path, p: Path) -> None:
        """Link the finished temp file to its name; only a checked regular file is ever replaced."""
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            st = None
        if st is None:
            try:
                os.link(tmp, p)  # fails if something appeared at `p` since the check
                return
            except FileExistsError:
                raise self.refuse(str(p), "appeared while writing; not replaced") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                # a file system without hard links: rename (the check above is then the only guard)
        elif not stat.S_ISREG(st.st_mode):
            raise self.refuse(str(p), f"became {_kind(st.st_mode)} while writing; not replaced")
        os.replace(tmp, p)


def refused_count() -> int:
    return len(REFUSED)
