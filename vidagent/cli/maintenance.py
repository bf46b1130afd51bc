"""Store maintenance: doctor (integrity checks and repairs) and prune (superseded descriptions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import app


@app.command()
def doctor(
    store: Annotated[Optional[Path], typer.Option("--store", "-s", help="store folder")] = None,
    repair: Annotated[bool, typer.Option("--repair", help="rebuild what can be rebuilt from the database")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="findings as JSON (check, ok, repaired, detail)")] = False,
    recall_sample: Annotated[
        int,
        typer.Option("--recall-sample", min=0, help="queries sampled to measure approximate-index recall@10 (0: skip)"),
    ] = 50,
) -> None:
    """Check store integrity (schema, files, vectors, keyword index); --repair fixes what it can."""
    from ..doctor import doctor as run

    report = run(store, repair=repair, recall_sample=recall_sample)
    if json_out:
        print(json.dumps([vars(f) for f in report.findings], indent=2))
    else:
        for f in report.findings:
            mark = "ok" if f.ok else ("repaired" if f.repaired else "PROBLEM")
            print(f"{mark:>8}  {f.check:<14} {f.detail}")
    if not report.healthy:
        raise typer.Exit(1)


@app.command()
def prune(
    store: Annotated[Optional[Path], typer.Option("--store", "-s", help="store folder")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count what would be dropped, change nothing")] = False,
    caption_jobs: Annotated[
        bool, typer.Option("--caption-jobs", help="also drop what `vidagent caption` jobs described")
    ] = False,
    vacuum: Annotated[
        bool, typer.Option("--vacuum", help="then shrink the SQLite file (needs its size free on disk)")
    ] = False,
) -> None:
    """Drop superseded descriptions (earlier describers' and clip plans'), with their vectors."""
    from ..pruning import prune as run

    print(run(store, include_caption_jobs=caption_jobs, dry_run=dry_run, vacuum=vacuum).summary())
