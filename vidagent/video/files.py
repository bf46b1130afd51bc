"""The video stage's file-system work: which files to index and what identifies their content.

Kept apart from decoding so that listing folders and hashing (done for every file on every run)
need neither PyAV nor numpy, and so the store can recognise a moved file without importing a decoder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

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
    size = os.path.getsize(path)
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        if size <= _CHUNK * (_SAMPLES + 2):
            h.update(f.read())
        else:
            offsets = [0] + [int(i * (size - _CHUNK) / (_SAMPLES + 1)) for i in range(1, _SAMPLES + 1)]
            offsets.append(size - _CHUNK)
            for off in offsets:
                f.seek(off)
                h.update(f.read(_CHUNK))
    return h.hexdigest()


def find_videos(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """Expand files and folders (recursively, no symlink loops) into video files, plus (path, error) pairs.

    A file named explicitly is taken whatever its extension (so a wrong file gets a clear error);
    inside folders only known video extensions are taken.
    """
    files: list[str] = []
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in paths:
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
                        if key not in seen:
                            seen.add(key)
                            files.append(str(fp))
        elif p.exists() or p.is_symlink():
            key = os.path.realpath(p)
            if key not in seen:
                seen.add(key)
                files.append(str(p))
        else:
            errors.append((str(p), "file not found"))
    return files, errors
