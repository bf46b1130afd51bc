"""`vidagent similar CLIP_ID`: more clips like one clip (its caption and, for VLMs, what the model saw)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from ..errors import printable
from . import app
from .core import ConfigOpt, JsonOpt, StoreOpt, _fmt_time


@app.command()
def similar(
    clip_id: Annotated[str, typer.Argument(help="a clip id (from `search --json`, caption rows or `similar`)")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, help="number of results")] = 10,
    video: Annotated[Optional[str], typer.Option("--video", help="only clips of this video (path or hash)")] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Clips most like one clip: caption text, visual and VLM vision vectors, fused as in `search`."""
    from ..similarity import similar as run_similar

    hits = run_similar(clip_id, store=store, top_k=top_k, video=video, config=config)
    if json_out:
        print(json.dumps([h.to_json() for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        print("no other clips")
        return
    for i, h in enumerate(hits, 1):
        cap = h.caption if len(h.caption) <= 110 else h.caption[:107] + "..."
        via = ",".join(sorted(h.sources))
        print(
            f"{i:>2}. {printable(h.video)}  {_fmt_time(h.start)}-{_fmt_time(h.end)}  match {h.similarity:.2f}  "
            f"({via})  [{h.clip_id}]"
        )
        print(f"    {cap}")
