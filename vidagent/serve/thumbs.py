"""Clip thumbnails: one JPEG per (clip, width), decoded once and cached.

The cache lives where the store lives (`<store>/thumbs/`), the only thing the server ever writes. A
store the server cannot write to (read-only mount, another user's files) gets a bounded in-memory
cache instead, so browsing still works and nothing is written anywhere.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger(__name__)

WIDTHS = (160, 320, 640)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def encode_jpeg(path: str, time: float, width: int) -> bytes:
    """A JPEG of the frame at `time`, `width` pixels wide (decoded scaled, one seek)."""
    import io

    from PIL import Image

    from ..video.decode import frames_at

    frame = frames_at(path, [time], width=width)[0]
    buf = io.BytesIO()
    Image.fromarray(frame.image).save(buf, format="JPEG", quality=82, optimize=True)
    return buf.getvalue()


class ThumbCache:
    """JPEG bytes by (clip id, width): on disk under `<store>/thumbs/` when writable, else in memory."""

    def __init__(
        self, store_root: Path, memory_bytes: int = 64 << 20, decoders: int = 2, read_only: bool = False
    ) -> None:
        self.dir: Path | None = store_root / "thumbs"
        self.memory_bytes = memory_bytes
        self._mem: OrderedDict[str, bytes] = OrderedDict()
        self._mem_size = 0
        self._lock = threading.Lock()
        # Decoding is CPU work: a page asking for 50 thumbnails at once must not start 50 decoders.
        self._decode = threading.BoundedSemaphore(decoders)
        if read_only or not self._writable():
            log.warning("%s: not writable; thumbnails are cached in memory only", store_root)
            self.dir = None

    @property
    def mode(self) -> str:
        return "disk" if self.dir is not None else "memory"

    def _writable(self) -> bool:
        assert self.dir is not None
        try:
            self.dir.mkdir(exist_ok=True)
            probe = self.dir / f".probe{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
            return True
        except OSError:
            return False

    def get(self, clip_id: str, width: int, video_path: str, time: float) -> bytes:
        """The cached JPEG, or decode the frame at `time` of `video_path` and cache it."""
        if not _SAFE_ID.match(clip_id) or width not in WIDTHS:
            raise ValueError("bad thumbnail key")
        key = f"{clip_id}_{width}"
        data = self._read(key)
        if data is not None:
            return data
        with self._decode:
            data = self._read(key)  # another request may have made it while we waited
            if data is None:
                data = encode_jpeg(video_path, time, width)
                self._write(key, data)
        return data

    def _read(self, key: str) -> bytes | None:
        if self.dir is not None:
            try:
                return (self.dir / f"{key}.jpg").read_bytes()
            except OSError:
                return None
        with self._lock:
            data = self._mem.get(key)
            if data is not None:
                self._mem.move_to_end(key)
            return data

    def _write(self, key: str, data: bytes) -> None:
        if self.dir is not None:
            final = self.dir / f"{key}.jpg"
            tmp = self.dir / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
            try:
                tmp.write_bytes(data)
                os.replace(tmp, final)
                return
            except OSError as exc:  # disk full, store turned read-only: fall back to memory
                log.warning("thumbnail cache %s: %s; caching in memory", self.dir, exc)
                try:
                    tmp.unlink(missing_ok=True)
                except OSError:
                    pass
                self.dir = None
        with self._lock:
            self._mem[key] = data
            self._mem_size += len(data)
            while self._mem_size > self.memory_bytes and len(self._mem) > 1:
                _, old = self._mem.popitem(last=False)
                self._mem_size -= len(old)
