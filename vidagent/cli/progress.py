"""Progress bars per stage (rich), quiet when stderr is not a terminal unless asked."""

from __future__ import annotations

import os
import sys
from typing import Any


class StageProgress:
    """Adapter from the pipeline's progress(stage, path, done, total) callback to rich bars."""

    UNITS = {"scenes": "s", "speech": "s", "describe": "clips", "files": "files"}

    def __init__(self, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._paths: dict[str, str] = {}

    def __enter__(self) -> StageProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("{task.description:<34}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, stage: str, path: str, done: float, total: float) -> None:
        """One bar per stage, reused from file to file (a folder of 1000 videos shows 3 bars, not 3000)."""
        if self._progress is None:
            return
        from ..errors import printable

        name = printable(os.path.basename(path))
        label = f"{stage:<8} {name[:24]}"
        unit = self.UNITS.get(stage, "")
        count = f"{done:.0f}/{total:.0f} {unit}"
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(label, total=max(total, 1e-9), count=count)
            self._paths[stage] = path
        elif self._paths.get(stage) != path:
            self._paths[stage] = path
            self._progress.reset(task, total=max(total, 1e-9), description=label, count=count)
        self._progress.update(task, completed=min(done, total), total=max(total, 1e-9), count=count)

    def print(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr)
