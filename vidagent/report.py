"""What an index run reports: per-file results, the run's summary, and the ways a run stops early.

Shared by every executor (local, worker processes, Ray), so their reports read the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .video.files import find_videos


@dataclass
class FileResult:
    path: str
    status: str  # "indexed" | "unchanged" | "failed" | "interrupted"
    hash: str = ""
    clips: int = 0
    described: int = 0
    seconds: float = 0.0
    error: str = ""
    warning: str = ""  # indexed, but the user should know (a truncated file)
    #: clips whose describer reported an error: stored without a caption, described again next run
    failed_clips: int = 0


@dataclass
class IndexReport:
    files: list[FileResult] = field(default_factory=list)
    elapsed: float = 0.0
    interrupted: bool = False
    #: a Ctrl-C arrived, even one too late to leave work undone (during the last batch: `interrupted`
    #: stays False there); `index --watch` stops on it either way
    stop_asked: bool = False
    #: why the run stopped early for every file (disk full), one line; committed work is kept
    stopped: str = ""
    notes: list[str] = field(default_factory=list)
    #: when the run started (perf_counter), for `finish`
    started: float = field(default_factory=time.perf_counter, repr=False)

    def finish(self) -> IndexReport:
        """Stamp the run's elapsed time; returns the report (every executor ends with this)."""
        self.elapsed = time.perf_counter() - self.started
        return self

    @classmethod
    def of_paths(
        cls, paths: Sequence[str], on_file: Callable[..., None] | None = None
    ) -> tuple[IndexReport, list[str]]:
        """A report of the paths that name no video, and the files to index (every executor's start)."""
        report, (files, missing) = cls(), find_videos(paths)
        for p, why in missing:
            report.files.append(FileResult(p, "failed", error=f"{p}: {why}"))
            if on_file:
                on_file(report.files[-1])
        return report, files

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def summary(self) -> dict[str, Any]:
        ok = [f for f in self.files if f.status != "failed"]
        return {
            "videos": len(ok),
            "failed": len(self.failed),
            "clips": sum(f.clips for f in ok),
            "described": sum(f.described for f in ok),
            "failed_descriptions": sum(f.failed_clips for f in ok),
            "seconds_of_video": round(sum(f.seconds for f in ok), 1),
            "elapsed_s": round(self.elapsed, 2),
            "interrupted": self.interrupted,
            "stopped": self.stopped,
        }


def _partial(result: FileResult) -> FileResult | None:
    """A file stopped part-way, as the report shows it: None when it had not reached describing."""
    if not result.hash:
        return None
    result.status = "interrupted"
    return result


class _Stopped(Exception):
    """A failure that is the same for every file (disk full): the run stops after this file."""

    def __init__(self, reason: str, partial: FileResult | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.partial = partial


class Interrupted(BaseException):
    """Raised between batches after a Ctrl-C: everything committed so far stays. A BaseException, so
    per-file error handling (which discards a new file's partial rows) never catches it. `partial` is
    the file in flight, when it had started describing."""

    def __init__(self, partial: FileResult | None = None) -> None:
        super().__init__()
        self.partial = partial
