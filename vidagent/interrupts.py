"""Stopping a run cleanly: the first Ctrl-C finishes the batch in flight, side jobs are waited for quietly."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("vidagent.pipeline")


@contextmanager
def graceful_sigint(indexer: Any) -> Iterator[None]:
    """First Ctrl-C: finish and commit the batch in flight, then stop. Second Ctrl-C: stop now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if indexer.stop_requested:
            raise KeyboardInterrupt
        indexer.stop_requested = True
        log.warning("stopping after the current batch (Ctrl-C again to stop now)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def wait_quietly(job: Any) -> None:
    """Wait for a side job whose own error no longer matters (the main path's error is the one to
    report). Only `Exception`s are swallowed: a Ctrl-C arriving while we wait must still stop the run."""
    try:
        job.result()
    except Exception:
        pass
