"""Daily-workflow commands: `videos` (what is indexed, under which names), `open` (a clip in a player).

`--version` lives on the root callback in `cli/__init__.py` (one callback per app)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from ..errors import printable
from . import app
from .core import JsonOpt, SecondsOpt, StoreOpt, _fmt_time


@app.command()
def videos(store: StoreOpt = None, json_out: JsonOpt = False, seconds: SecondsOpt = False) -> None:
    """Indexed videos: path, duration, clips, indexed at, short hash (any of these names a video)."""
    from ..store import Store
    from ..store.resolve import list_videos

    with Store(store, create=False) as st:
        rows = list_videos(st)
    if json_out:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        print("no videos indexed yet (run `vidagent index DIR`)")
        return
    for r in rows:
        gone = "" if r["exists"] else "  (file gone)"
        when = (r["indexed_at"] or "-")[:19].replace("T", " ")
        print(
            f"{r['hash'][:12]}  {_fmt_time(r['duration'], seconds):>12}  {r['clips']:>4} clips  {when}  "
            f"{printable(r['path'])}{gone}"
        )
        for p in r["paths"]:
            if p != r["path"]:
                print(f"{'':>14}also at {printable(p)}")


@app.command("open")
def open_cmd(
    clip_id: Annotated[str, typer.Argument(help="clip id (from `search`, `similar`, `ask` or caption rows)")],
    player: Annotated[
        Optional[str], typer.Option("--player", help="player command (default: mpv, vlc, else the desktop opener)")
    ] = None,
    dry: Annotated[bool, typer.Option("--print", help="print the player command instead of running it")] = False,
    store: StoreOpt = None,
) -> None:
    """Play a clip in the system player from its start (mpv/VLC seek; xdg-open opens the file)."""
    import shlex

    from ..export import find_clip
    from ..player import command_for, open_clip
    from ..store import Store
    from ..store.resolve import shown_path

    with Store(store, create=False) as st:
        ref = find_clip(st, clip_id)
        path = shown_path(st, ref.video_hash, ref.video)
    if dry:
        print(shlex.join(command_for(path, ref.start, ref.end, player).command))
        return
    launch = open_clip(path, ref.start, ref.end, player)
    where = f"at {_fmt_time(ref.start)}" if launch.seeks else f"(this opener cannot seek: go to {_fmt_time(ref.start)})"
    print(f"playing {printable(path)} {where}")
