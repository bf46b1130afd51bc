"""Batch captioning and export commands: caption, batch, export, chapters, thumbnails (issue 6)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import VidagentError, printable
from . import app
from .core import ConfigOpt, JsonOpt, StoreOpt
from .progress import StageProgress

ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force", "--overwrite", help="replace existing output files (never devices, links or indexed videos)"
    ),
]
ProgressOpt = Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="progress bars with ETA")]


def _parse_vars(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise VidagentError(f"--var '{item}': expected key=value")
        out[key.strip()] = value
    return out


def _finish(report: Any, json_out: bool) -> None:
    """Print the summary and the outputs; exit 130 when interrupted, 1 when a file failed."""
    summary = report.index.summary()
    summary["rows"] = report.rows
    summary["written"] = [str(p) for p in report.written]
    if report.stdout:
        sys.stdout.write(report.stdout)
    elif json_out:
        print(json.dumps(summary, indent=2))
    for p in report.written:
        print(f"wrote {printable(p)}", file=sys.stderr)
    print(
        f"captioned {summary['videos']} videos, {summary['clips']} clips ({summary['described']} newly "
        f"described) in {summary['elapsed_s']:.1f} s; {report.rows} rows; {summary['failed']} failed",
        file=sys.stderr,
    )
    for note in report.index.notes:
        print(f"vidagent: note: {note}", file=sys.stderr)
    if report.index.stopped:
        print(f"vidagent: error: {report.index.stopped}", file=sys.stderr)
        raise typer.Exit(1)
    if report.index.interrupted:
        print("vidagent: interrupted: outputs hold what was committed; re-run to continue", file=sys.stderr)
        raise typer.Exit(130)
    if report.index.failed:
        raise typer.Exit(1)


def _callbacks(bar: StageProgress) -> tuple[Any, Any]:
    def on_file(res: Any) -> None:
        if res.status == "failed":
            print(f"vidagent: error: {printable(res.error)}", file=sys.stderr)
        else:
            if res.failed_clips:
                print(
                    f"vidagent: warning: {printable(res.path)}: {res.failed_clips} clip descriptions failed (rows "
                    "carry the error; the next run retries them)",
                    file=sys.stderr,
                )
            bar.print(f"{res.status:>9}  {printable(res.path)}  ({res.clips} clips, {res.described} described)")
        if getattr(res, "warning", ""):
            print(f"vidagent: warning: {printable(res.warning)}", file=sys.stderr)

    def on_warning(text: str) -> None:
        print(f"vidagent: warning: {text}", file=sys.stderr)

    return on_file, on_warning


@app.command("caption")
def caption_cmd(
    paths: Annotated[list[str], typer.Argument(help="video files and folders (searched recursively)")],
    prompt: Annotated[
        Optional[str],
        typer.Option(
            "--prompt", "-p", help="shipped prompt name or a .yaml prompt file (default: settings describe.prompt)"
        ),
    ] = None,
    describer: Annotated[Optional[str], typer.Option("--describer", "-d", help="describer name")] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", "-o", help="jsonl/csv file (default stdout); folder for srt/vtt (one file per video)"),
    ] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="jsonl | csv | srt | vtt (default: from --out suffix, else jsonl)"),
    ] = None,
    var: Annotated[Optional[list[str]], typer.Option("--var", help="prompt variable key=value (repeatable)")] = None,
    dry: Annotated[
        bool, typer.Option("--dry-run", help="count videos, clips, seconds; estimate time; run no describer")
    ] = False,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    progress: ProgressOpt = None,
    json_out: JsonOpt = False,
    force: ForceOpt = False,
) -> None:
    """Caption every clip with a prompt and write JSONL/CSV rows or SRT/WebVTT subtitles.

    Stored clips and descriptions are reused when describer, prompt version, variables and settings
    match; a killed run resumes where it stopped. Does not change what `search` reads.
    """
    from ..caption import Output, caption, dry_run, infer_format

    variables = _parse_vars(var or [])
    if dry:
        est = dry_run(
            [str(p) for p in paths],
            prompt=prompt,
            describer=describer,
            prompt_vars=variables,
            store=store,
            config=config,
        )
        for line in est.failed:
            print(f"vidagent: error: {line}", file=sys.stderr)
        if json_out:
            print(json.dumps(vars(est), indent=2))
        else:
            from ..config import load_settings

            print("\n".join(est.lines(describer or load_settings(config).describe.describer)))
        if est.failed:
            raise typer.Exit(1)
        return
    output = Output(infer_format(str(out) if out else None, fmt), str(out) if out else None)
    with StageProgress(progress) as bar:
        on_file, on_warning = _callbacks(bar)
        report = caption(
            [str(p) for p in paths],
            prompt=prompt,
            outputs=[output],
            describer=describer,
            prompt_vars=variables,
            store=store,
            config=config,
            progress=bar,
            on_file=on_file,
            on_warning=on_warning,
            force=force,
        )
    _finish(report, json_out)


@app.command("batch")
def batch_cmd(
    job: Annotated[Path, typer.Argument(help="job YAML (see cli/*.yaml and docs/captioning.md)")],
    dry: Annotated[bool, typer.Option("--dry-run", help="validate, count and estimate only")] = False,
    progress: ProgressOpt = None,
    json_out: JsonOpt = False,
    force: ForceOpt = False,
) -> None:
    """Run a caption job file: inputs, prompt, describer, variables, outputs, store, settings."""
    from ..jobs import dry_run_job, run_job

    if dry:
        j, est = dry_run_job(job)
        for line in est.failed:
            print(f"vidagent: error: {line}", file=sys.stderr)
        print(json.dumps(vars(est), indent=2) if json_out else "\n".join(est.lines(j.describer or "default")))
        if est.failed:  # inputs that do not exist or cannot be read: the real run would fail too
            raise typer.Exit(1)
        return
    with StageProgress(progress) as bar:
        on_file, on_warning = _callbacks(bar)
        report = run_job(job, progress=bar, on_file=on_file, on_warning=on_warning, force=force)
    _finish(report, json_out)


@app.command("export")
def export_cmd(
    clip_id: Annotated[str, typer.Argument(help="clip id (from `search --json` or caption rows)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="output .mp4")],
    mode: Annotated[
        str, typer.Option("--mode", help="auto (copy on keyframes, else re-encode) | copy | reencode")
    ] = "auto",
    store: StoreOpt = None,
    force: ForceOpt = False,
) -> None:
    """Cut one clip to a file: stream copy when its span is on keyframes, else re-encode (H.264/AAC)."""
    from ..export import export_clip
    from ..store import Store

    with Store(store, create=False) as st:
        path, used = export_clip(st, clip_id, out, mode=mode, force=force)
    print(f"exported {printable(path)} ({used})")


@app.command("chapters")
def chapters_cmd(
    video: Annotated[str, typer.Argument(help="an indexed video (path, file name or hash prefix)")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="vtt | json | youtube | ffmetadata | otio | edl | fcpxml")
    ] = "vtt",
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="file (default stdout; timelines need one)")
    ] = None,
    min_length: Annotated[
        Optional[float],
        typer.Option(
            "--min-length", min=0.0, help="shortest chapter in seconds (default: a tenth of the video, 10 s to 5 min)"
        ),
    ] = None,
    store: StoreOpt = None,
    force: ForceOpt = False,
) -> None:
    """Chapters: shots merged at the strongest boundaries (scene change, speech pause, content change),
    titled from on-screen text, speech or captions. ffmetadata: `ffmpeg -i in.mp4 -i ch.txt -map_metadata 1
    -codec copy out.mp4`."""
    from ..chapters import write
    from ..store import Store

    with Store(store, create=False) as st:
        text = write(st, video, out, fmt=fmt, min_length=min_length, force=force)
    if out is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {printable(out)}", file=sys.stderr)


@app.command("thumbnails")
def thumbnails_cmd(
    video: Annotated[str, typer.Argument(help="an indexed video (path or hash)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the JPEGs")],
    width: Annotated[int, typer.Option("--width", min=16, help="JPEG width in pixels")] = 320,
    store: StoreOpt = None,
    force: ForceOpt = False,
) -> None:
    """One JPEG per clip of the active plan (its middle keyframe)."""
    from ..export import write_thumbnails
    from ..store import Store

    with Store(store, create=False) as st:
        paths = write_thumbnails(st, video, out, width=width, force=force)
    print(f"wrote {len(paths)} thumbnails to {printable(out)}")
