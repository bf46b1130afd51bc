"""`index --watch`: after the first pass, keep indexing what appears in the folders (vidagent.watch)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ..errors import VidagentError, printable
from .progress import StageProgress


def watch_folders(
    paths: list[str],
    store: Any,
    config: Any,
    describer: str | None,
    progress: bool | None,
    settle: float,
    started: float | None = None,
) -> None:
    from ..api import index as run_index
    from ..watch import watch

    folders = [p for p in paths if os.path.isdir(p)]
    if not folders:
        raise VidagentError("--watch needs a folder to watch (give a directory)")

    def index_one(batch: list[str]) -> None:
        with StageProgress(progress) as bar:
            report = run_index(batch, store=store, config=config, progress=bar, describer=describer)
        if report.interrupted or report.stop_asked:  # Ctrl-C during a file (even its last batch): stop watching
            raise KeyboardInterrupt
        for f in report.files:
            if f.status == "failed":
                print(f"vidagent: error: {printable(f.error)}", file=sys.stderr)
            else:
                print(
                    f"{f.status:>9}  {printable(os.path.abspath(f.path))}  ({f.clips} clips, {f.described} described)",
                    flush=True,
                )

    def forgot(path: str) -> None:
        print(f"forgotten  {printable(path)}  (deleted)", flush=True)

    shown = ", ".join(printable(str(Path(f).resolve())) for f in folders)
    print(f"watching {shown} (Ctrl-C stops)", file=sys.stderr, flush=True)
    # Ctrl-C stops watching however the process was started: one launched with SIGINT ignored (a shell's
    # background job) would otherwise ignore it between files, while each index inside reacts to it.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler) if main else None
    try:
        events = watch(folders, index_one, store, settle=settle, on_forget=forgot, changed_since=started)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    print(f"stopped watching: {len(events.indexed)} indexed, {len(events.forgotten)} forgotten", file=sys.stderr)
