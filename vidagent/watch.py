"""Watch folders: index videos as they appear (once they stop growing), forget deleted ones.

File-system events (watchdog) only mark paths as pending; a path is acted on once it has been quiet
for `settle` seconds, so a file still being copied or recorded is indexed once, complete. Indexing
is keyed by content, so a restart re-scans the folder cheaply and a moved file costs no new work.
A deleted file's clips are dropped unless the same content still exists under another known path.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MissingDependency

log = logging.getLogger(__name__)


@dataclass
class WatchEvents:
    """What the watcher did, for the caller's summary."""

    indexed: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    interrupted: bool = False


def _is_video(path: str) -> bool:
    from .video import VIDEO_EXTENSIONS

    name = os.path.basename(path)
    return not name.startswith(".") and Path(name).suffix.lower() in VIDEO_EXTENSIONS


class _Pending:
    """Paths touched by events, with the time of their last change and last seen (size, mtime)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, tuple[float, tuple[int, int] | None]] = {}

    def touch(self, path: str) -> None:
        if _is_video(path):
            with self.lock:
                self.items[os.path.abspath(path)] = (time.monotonic(), None)

    def settled(self, settle: float) -> list[str]:
        """Paths quiet for `settle` s whose size and mtime did not change since the last look."""
        now, out = time.monotonic(), []
        with self.lock:
            for path, (changed, seen) in list(self.items.items()):
                try:
                    st = os.stat(path)
                    sig: tuple[int, int] | None = (st.st_size, st.st_mtime_ns)
                except OSError:
                    sig = None
                if sig != seen:  # changed since the last look (still growing, or new): wait `settle` more
                    self.items[path] = (now, sig)
                elif now - changed >= settle:
                    out.append(path)
                    del self.items[path]
        return out


_CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})


def _signature(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _handler(pending: _Pending) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            # Only changes: reading a file (indexing it) raises opened/closed_no_write events too.
            if event.is_directory or event.event_type not in _CHANGES:
                return
            pending.touch(event.src_path)
            if getattr(event, "dest_path", ""):
                pending.touch(event.dest_path)

    return Handler()


def forget_if_gone(store_dir: Any, path: str) -> bool:
    """Drop the clips of a deleted file, unless its content still exists at another known path."""
    from .store import Store
    from .store.resolve import find_video, known_paths

    st = Store(store_dir, create=False)
    try:
        row = find_video(st, path)
        if row is None or any(os.path.isfile(p) for p in known_paths(st, row.hash)):
            return False
        with st.writer_lock():
            st.forget_video(row.hash)
        return True
    finally:
        st.close()


def watch(
    folders: Sequence[str],
    index: Callable[[list[str]], Any],
    store_dir: Any,
    settle: float = 2.0,
    stop: threading.Event | None = None,
    on_forget: Callable[[str], None] | None = None,
    poll: float = 0.25,
    changed_since: float | None = None,
) -> WatchEvents:
    """Watch `folders` until `stop` is set (or Ctrl-C): `index([path])` settled new/changed videos,
    forget deleted ones. The caller indexes the folders once before (existing files); files changed
    after `changed_since` (epoch seconds: when that pass began) are looked at again, so nothing that
    arrived during the first pass is missed."""
    try:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        raise MissingDependency("watchdog", "watch") from None
    stop = stop or threading.Event()
    pending = _Pending()
    handler = _handler(pending)
    observer: Any = Observer()
    try:
        for f in folders:
            observer.schedule(handler, str(f), recursive=True)
        observer.start()
    except OSError:  # inotify limits reached: poll instead
        observer = PollingObserver(timeout=1)
        for f in folders:
            observer.schedule(handler, str(f), recursive=True)
        observer.start()
    if changed_since is not None:
        for f in folders:
            for root, _, names in os.walk(f):
                for n in names:
                    p = os.path.join(root, n)
                    sig = _signature(p)
                    if sig is not None and sig[1] / 1e9 >= changed_since - 1.0:
                        pending.touch(p)
    events = WatchEvents()
    done: dict[str, tuple[int, int] | None] = {}  # signature when last indexed: no repeat for the same bytes
    try:
        while not stop.is_set():
            for path in pending.settled(settle):
                if os.path.isfile(path):
                    sig = _signature(path)
                    if done.get(path) == sig:
                        continue
                    index([path])
                    done[path] = sig
                    events.indexed.append(path)
                    continue
                done.pop(path, None)
                if forget_if_gone(store_dir, path):
                    events.forgotten.append(path)
                    if on_forget:
                        on_forget(path)
            time.sleep(poll)  # not stop.wait(): Ctrl-C inside Event.wait leaves its lock broken
    except KeyboardInterrupt:  # Ctrl-C ends watching: what was indexed is committed
        events.interrupted = True
    finally:
        observer.stop()
        observer.join(timeout=5)
    return events
