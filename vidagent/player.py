"""Open a clip in the system's video player at its start: mpv or VLC (they take a start time), else
the desktop's default opener (`xdg-open`, macOS `open`), which can only open the file.

The player is started detached (its own session, no output on our terminal) so the command returns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import VidagentError

PLAYERS = ("mpv", "vlc")


@dataclass(frozen=True)
class Launch:
    command: list[str]
    seeks: bool  # False when the opener cannot start at a time (xdg-open)


def command_for(
    path: str, start: float, end: float, player: str | None = None, candidates: Sequence[str] = PLAYERS
) -> Launch:
    """The command line that plays `path` from `start` (and stops at `end` where the player can)."""
    names = [player] if player else [*candidates, "xdg-open" if sys.platform != "darwin" else "open"]
    for name in names:
        exe = shutil.which(name)
        if exe is None:
            continue
        kind = os.path.basename(name).lower()
        if kind.startswith("mpv"):
            return Launch([exe, f"--start={start:.3f}", f"--end={end:.3f}", "--", path], True)
        if kind.startswith("vlc") or kind.startswith("cvlc"):
            return Launch([exe, f"--start-time={start:.3f}", f"--stop-time={end:.3f}", "--play-and-exit", path], True)
        return Launch([exe, path], False)
    wanted = player or " or ".join(names)
    raise VidagentError(f"no video player found ({wanted} not on PATH); install mpv or VLC, or use --player")


def open_clip(path: str, start: float, end: float, player: str | None = None) -> Launch:
    """Start the player on the clip, detached; returns what was run."""
    if not os.path.isfile(path):
        raise VidagentError(f"{path}: the video file is gone (re-index it where it lives now)")
    launch = command_for(path, start, end, player)
    try:
        subprocess.Popen(
            launch.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise VidagentError(f"{launch.command[0]}: cannot start ({exc.strerror or exc})") from None
    return launch
