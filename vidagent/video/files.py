"""The video stage's file-system work: which files to index and what identifies their content.

Kept apart from decoding so that listing folders and hashing (done for every file on every run)
need no PyAV, and so the store can recognise a moved file without importing a decoder. Only regular
files are ever read: a device never ends (/dev/zero) and a FIFO blocks until a writer comes.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from ..errors import BadVideo

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .ogv .ogg .wmv .flv .ts .mts .m2ts .3gp .dv .vob".split()
)
_CHUNK = 1 << 16
_SAMPLES = 32


def content_hash(path: str | os.PathLike[str]) -> str:
    """Identify a file by content: size plus 32 evenly spaced 64 KiB samples (and head/tail), blake2b.

    Hashing a multi-GB film in full costs seconds per re-run; sampling keeps re-runs instant while a
    changed, truncated or re-encoded file still gets a new hash (its size or sampled bytes change).
    """
    # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then proves it is a regular file,
    # and no more than its size is ever read (a device such as /dev/zero would never end).
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise BadVideo(str(path), f"{_special(st.st_mode)}, not a regular file")
    size = st.st_size
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with os.fdopen(fd, "rb") as f:
        if size <= _CHUNK * (_SAMPLES + 2):
            h.update(f.read(size))
        else:
            offsets = [0] + [int(i * (size - _CHUNK) / (_SAMPLES + 1)) for i in range(1, _SAMPLES + 1)]
            offsets.append(size - _CHUNK)
            for off in offsets:
                f.seek(off)
                h.update(f.read(_CHUNK))
    return h.hexdigest()


def _special(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "a special file"


def regular_file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be indexed as a file (missing, a device, a FIFO...), or None for a regular file.

    Only regular files are read: a device never ends (/dev/zero) and a FIFO blocks until a writer
    comes, so neither may reach the hasher or the demuxer."""
    try:
        st = os.stat(path)  # follows links: a link to a regular file is fine
    except FileNotFoundError:
        return "file not found" if not os.path.islink(path) else "broken symbolic link"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISDIR(st.st_mode):
        return "is a directory"
    if not stat.S_ISREG(st.st_mode):
        return f"{_special(st.st_mode)}, not a regular file"
    return None


def find_videos(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """Expand files and folders (recursively, no symlink loops) into video files, plus (path, error) pairs.

    A file named explicitly is taken whatever its extension (so a wrong file gets a clear error);
    inside folders only known video extensions are taken.
    """
    files: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in paths:
        if not str(raw).strip():
            errors.append((repr(str(raw)), "empty path (name a file or folder; use . for the current folder)"))
            continue
        p = Path(raw)
        if p.is_dir():
            visited: set[tuple[int, int]] = set()
            for root, dirs, names in os.walk(p, followlinks=True):
                st = os.stat(root)
                if (st.st_dev, st.st_ino) in visited:
                    dirs[:] = []
                    continue
                visited.add((st.st_dev, st.st_ino))
                dirs.sort()
                for name in sorted(names):
                    fp = Path(root) / name
                    if fp.suffix.lower() in VIDEO_EXTENSIONS and not name.startswith("."):
                        key = os.path.realpath(fp)
                        if key in seen:
                            continue
                        seen.add(key)
                        problem = regular_file_problem(fp)
                        if problem is None:
                            files.append(str(fp))
                        elif problem != "is a directory":
                            errors.append((str(fp), problem))
        else:
            problem = regular_file_problem(p)
            if problem is not None:
                errors.append((str(p), problem))
                continue
            key = os.path.realpath(p)
            if key not in seen:
                seen.add(key)
                files.append(str(p))
    return files, errors
