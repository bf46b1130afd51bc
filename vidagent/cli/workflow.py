"""Daily-workflow commands: `videos` (what is indexed, under which names), `--version`."""

from __future__ import annotations

import json
from typing import Annotated

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
        print(f"{r['hash'][:12]}  {_fmt_time(r['duration'], seconds):>12}  {r['clips']:>4} clips  {when}  "
              f"{printable(r['path'])}{gone}")
        for p in r["paths"]:
            if p != r["path"]:
                print(f"{'':>14}also at {printable(p)}")


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"vidagent {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """Find moments in long videos by describing them, caption them in bulk, and ask questions answered with
    timestamps."""
