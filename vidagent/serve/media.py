"""Video bytes over HTTP: single-range requests streamed from an open file, addressed by content hash.

Why our own range handling and not a generic file response: the file is named by the store (never by
the URL), it is checked to still hold the indexed content before any byte leaves (so a file swapped
for a symlink to something else after indexing is refused), and bad ranges get the same JSON errors as
the rest of the API. Seeking in a 50 GB film reads only the bytes asked for.
"""

from __future__ import annotations

import mimetypes
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 256 * 1024
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")

# Browsers play H.264 QuickTime files when told they are MP4; other types as the platform knows them.
_TYPES = {
    ".mov": "video/mp4",
    ".m4v": "video/mp4",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".ogg": "video/ogg",
    ".avi": "video/x-msvideo",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".ts": "video/mp2t",
}


class RangeError(ValueError):
    """A Range header that is malformed (400) or outside the file (416)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def media_type(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return _TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def parse_range(header: str, size: int) -> tuple[int, int]:
    """`bytes=a-b` (also `a-`, `-n`, several ranges coalesced into one span) -> (first, last) inclusive."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        raise RangeError(f"bad Range header {header[:60]!r}: expected bytes=START-END", 400)
    parts = spec.split(",")
    if len(parts) > 16:
        raise RangeError("too many ranges in the Range header", 400)
    spans = []
    for part in parts:
        m = _RANGE.match(part)
        if not m or (m.group(1) == "" and m.group(2) == ""):
            raise RangeError(f"bad Range header {header[:60]!r}: expected bytes=START-END", 400)
        a, b = m.group(1), m.group(2)
        if a == "":  # the last n bytes
            n = int(b)
            if n == 0:
                continue
            spans.append((max(0, size - n), size - 1))
            continue
        first = int(a)
        last = size - 1 if b == "" else min(int(b), size - 1)
        if b != "" and int(b) < first:
            raise RangeError(f"bad Range header {header[:60]!r}: end before start", 400)
        if first >= size:
            continue
        spans.append((first, last))
    if not spans:
        raise RangeError(f"range not satisfiable: the file has {size} bytes", 416)
    # Several ranges: one span covering them (RFC 9110 lets a server coalesce; players send one anyway).
    return min(s for s, _ in spans), max(e for _, e in spans)


def stream(f: BinaryIO, first: int, last: int) -> Iterator[bytes]:
    """Bytes first..last (inclusive) of an open binary file, in chunks; closes the file at the end."""
    try:
        f.seek(first)
        left = last - first + 1
        while left > 0:
            data = f.read(min(CHUNK, left))
            if not data:
                return
            left -= len(data)
            yield data
    finally:
        f.close()


@dataclass(frozen=True)
class _Identity:
    dev: int
    ino: int
    size: int
    mtime_ns: int


class VerifiedFiles:
    """Remembers which file identities (device, inode, size, mtime) hold which content hash.

    The first request for a video hashes the file at its stored path (a sampled hash: ~2 MB read);
    later requests only compare `fstat` of the opened file with the remembered identity.
    """

    def __init__(self) -> None:
        self._ok: dict[str, _Identity] = {}
        self._lock = threading.Lock()

    def open(self, path: str, video_hash: str) -> tuple[BinaryIO, int] | None:
        """(open binary file, size) if `path` still holds `video_hash`'s content, else None."""
        from ..video import content_hash

        try:
            f = open(path, "rb")  # noqa: SIM115 (closed by `stream` or below)
        except OSError:
            return None
        try:
            st = os.fstat(f.fileno())
            ident = _Identity(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
            with self._lock:
                known = self._ok.get(video_hash)
            if known != ident:
                if content_hash(path) != video_hash:
                    f.close()
                    return None
                again = os.stat(path)
                if (again.st_dev, again.st_ino) != (st.st_dev, st.st_ino):
                    f.close()  # replaced while we hashed it
                    return None
                with self._lock:
                    self._ok[video_hash] = ident
            return f, st.st_size
        except OSError:
            f.close()
            return None
