"""Agent commands: ask, history (issue 5). Thin shells over `vidagent.agent.ask` / `history`."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer

from ..errors import printable
from . import app
from .core import ConfigOpt, JsonOpt, SecondsOpt, StoreOpt, _fmt_time


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="a question about the indexed videos")],
    video: Annotated[
        Optional[str], typer.Option("--video", help="only this video (path, file name or hash prefix)")
    ] = None,
    top_k: Annotated[
        Optional[int], typer.Option("--top-k", "-k", min=1, max=100, help="clips retrieved (default: agent.top_k)")
    ] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    seconds: SecondsOpt = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="also show each tool call, its arguments, result size and time")
    ] = False,
    no_requery: Annotated[
        bool, typer.Option("--no-requery", help="answer from stored evidence only (no re-reading clips)")
    ] = False,
) -> None:
    """Answer from the videos with checked timestamp citations (offline, or with agent.chat_model)."""
    from ..agent import ask as run_ask

    result = run_ask(question, store=store, config=config, video=video, top_k=top_k, requery=not no_requery)
    if json_out:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False, default=str))
        return
    if verbose:
        for i, s in enumerate(result.steps, 1):
            args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in (s.get("args") or {}).items())
            res = " ".join(str(s.get("result", "")).split())
            outcome = f"error: {s['error']}" if s.get("error") else (res[:100] + "..." if len(res) > 100 else res)
            print(printable(f"  step {i}: {s.get('tool')}({args}) -> {outcome} in {s.get('elapsed_s', 0):.2f} s"))
    for line in result.answer.splitlines():  # text read from videos: no raw escape codes on the terminal
        print(printable(line))
    if result.found and result.evidence:
        print(f'  "{printable(result.evidence)}"')
    for c in result.citations:
        mark = "verified" if c.verified else "unverified"
        how = f" {c.kind}" if c.kind else ""
        print(
            f"  [{mark}]{how} {printable(c.video)}  {_fmt_time(c.start, seconds)}-{_fmt_time(c.end, seconds)}  [{c.clip_id}]"
        )
    if result.error:
        print(f"  (note: {result.error})")
    for note in result.notes:
        print(f"vidagent: note: {note}", file=sys.stderr)


@app.command()
def history(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="how many runs, newest first")] = 20,
    store: StoreOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Past `ask` runs: question, answer, citations and tool calls."""
    from ..agent import history as run_history

    rows = run_history(store, limit=limit)
    if json_out:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        print("no questions asked yet")
        return
    for r in rows:
        first = (r["answer"] or r["error"] or "").splitlines()[0] if (r["answer"] or r["error"]) else ""
        print(f"#{r['id']}  {r['created']}  {r['mode']:<7} {r['elapsed_s']:6.2f} s  {len(r['citations'])} cited")
        print(f"    Q: {printable(r['question'])}")
        print(f"    A: {printable(first[:140])}")
