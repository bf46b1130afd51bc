"""Batch captioning: describe every clip of many videos with one prompt and write dataset/subtitle files.

Captioning is indexing with `activate=False`: the same content-keyed stages (probe, scenes, clips,
descriptions keyed by clip + describer + prompt@version + variables) so stored work is reused, but
the video's *active* describer, the one `search` and `ask` read, is left as `index` set it. A custom
prompt therefore never changes search results behind the user's back.

Resuming: each describe batch is committed on its own, and output files are always rebuilt from the
store (in input order, then clip order) and atomically replaced, never appended. A run that was
killed part-way is simply run again: finished clips are skipped, and the final file is the same as
an uninterrupted run's, with no duplicates by construction.

Cost: the seconds each describe batch takes (frames + model + embedding + commit) are recorded per
describer in the store's `runs` table, which is what `--dry-run` turns into a time estimate.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings, load_settings
from .describe import Describer
from .errors import VidagentError
from .export import safe_stem, to_csv, to_jsonl, to_srt, to_vtt
from .outputs import OutputGuard
from .pipeline import FileResult, Hooks, Indexer, IndexReport, Plan, ProgressFn
from .prompts import Prompt, load_prompt, render
from .store import DB_NAME, Store, default_store_dir, opened

FORMATS = ("jsonl", "csv", "srt", "vtt")
PER_VIDEO = ("srt", "vtt")  # one file per video inside the output folder
SUFFIXES = {"jsonl": (".jsonl", ".json", ".ndjson"), "csv": (".csv",), "srt": (".srt",), "vtt": (".vtt",)}


@dataclass(frozen=True)
class Output:
    """One requested output: a file (jsonl, csv; None = stdout) or a folder of per-video files (srt, vtt)."""

    format: str
    path: str | None = None


@dataclass
class CaptionReport:
    index: IndexReport
    rows: int = 0
    written: list[Path] = field(default_factory=list)
    stdout: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class DryRun:
    videos: int = 0
    failed: list[str] = field(default_factory=list)
    clips: int = 0
    seconds: float = 0.0
    todo_clips: int = 0
    todo_seconds: float = 0.0
    scenes_detected: int = 0  # videos whose clips were not planned yet (scene detection ran now)
    per_clip_s: float | None = None
    estimate_s: float | None = None

    def lines(self, describer: str) -> list[str]:
        est = (
            "no estimate yet (no measured caption run with this describer)"
            if self.estimate_s is None
            else f"~{self.estimate_s:.0f} s ({self.per_clip_s:.3f} s per clip, measured)"
        )
        return [
            f"would caption {self.videos} videos, {self.clips} clips, {self.seconds:.1f} s of video",
            f"to describe: {self.todo_clips} clips ({self.todo_seconds:.1f} s); the rest are stored",
            f"estimated time with '{describer}': {est}",
            f"scene detection/clip planning ran for {self.scenes_detected} video(s) (stored for the real run); "
            "no describer ran",
        ]


def infer_format(out: str | None, fmt: str | None) -> str:
    """--format wins; else the --out suffix (.jsonl/.csv); else jsonl."""
    if fmt:
        if fmt not in FORMATS:
            raise VidagentError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")
        return fmt
    if not out:
        return "jsonl"
    suffix = Path(out).suffix.lower()
    for name, suffixes in SUFFIXES.items():
        if suffix in suffixes:
            return name
    if suffix == "" and Path(out).is_dir():
        raise VidagentError(f"{out}: a folder; give --format srt or vtt for one file per video")
    raise VidagentError(
        f"{out}: cannot tell the format from the suffix '{suffix or '(none)'}' "
        f"(use .jsonl, .csv, or --format {'|'.join(FORMATS)})"
    )


def check_prompt(prompt: str, prompt_vars: dict[str, Any]) -> Prompt:
    """Load and strictly render the prompt up front, even for describers that ignore it, so a missing
    or unknown variable fails before any video is touched."""
    p = load_prompt(prompt)
    render(p, **prompt_vars)
    return p


class CaptionRun:
    """Hooks for one caption run: remembers each video's plan (the outputs are built from it) and
    records the seconds each describe batch took in the store's runs table (for `--dry-run` estimates)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.plans: dict[str, Plan] = {}
        self.run_id: int | None = None
        self.described = 0
        self.describe_s = 0.0

    def hooks(self) -> Hooks:
        return Hooks(on_plan=self.on_plan, on_batch=self.on_batch)

    def on_plan(self, plan: Plan) -> None:
        self.plans[plan.info.hash] = plan

    def on_batch(self, plan: Plan, clips: int, seconds: float) -> None:
        self.described += clips
        self.describe_s += seconds
        self.update("running")

    def start(self, ix: Indexer) -> None:
        d = ix.describer
        self.run_id = self.store.start_run(
            "caption",
            {
                "describer": d.name,
                "model_id": d.model_id,
                "describer_key": ix.describer_key(),
                "prompt": ix.prompt()[1],
            },
        )

    def update(self, status: str) -> None:
        if self.run_id is not None:
            self.store.update_run(
                self.run_id, status, {"clips": self.described, "describe_s": round(self.describe_s, 4)}
            )


def measured_cost(store: Store, describer: str) -> float | None:
    """Mean seconds per described clip over this store's caption runs with `describer`."""
    clips, secs = 0, 0.0
    for row in store.runs("caption"):
        if (row.settings or {}).get("describer") == describer and (row.summary or {}).get("clips"):
            clips += int(row.summary["clips"])
            secs += float(row.summary.get("describe_s", 0.0))
    return secs / clips if clips else None


def stored_rows(store: Store, plan: Plan, describer_key: str, path: str) -> list[dict[str, Any]]:
    """The output rows of one video: its plan's clips in order, with this describer's stored captions."""
    found = store.descriptions_for(describer_key, [c.id for c in plan.clips])
    rows = []
    for c in plan.clips:
        d = found.get(c.id)
        if d is None:
            continue  # not described yet (an interrupted run): the re-run adds it
        name, _, version = (d.prompt or "").rpartition("@")
        # One key set for every row (empty lists/strings, never missing keys): scripts read rows blindly.
        row: dict[str, Any] = {
            "video": os.path.abspath(path),
            "clip_id": c.id,
            "index": c.index,
            "start": round(c.start, 3),
            "end": round(c.end, 3),
            "caption": d.caption,
            "model_id": d.model_id,
            "describer": d.describer,
            "prompt": name or None,
            "prompt_version": version or None,
            "tags": [t for t, _ in d.tags or []],
            "ocr": list(d.ocr or []),
            "transcript": d.transcript or "",
            "error": (d.extra or {}).get("error") or None,
        }  # errors are retried next run
        rows.append(row)
    return rows


def check_outputs(outputs: Sequence[Output], guard: OutputGuard) -> None:
    """Refuse a bad output before any video is touched (folder for a file, device, existing file...)."""
    for o in outputs:
        if o.path is None:
            continue
        if o.format in PER_VIDEO:
            guard.check_folder(o.path)
        else:
            guard.check_file(o.path, SUFFIXES[o.format])


def write_outputs(
    per_video: list[tuple[str, list[dict[str, Any]]]], outputs: Sequence[Output], guard: OutputGuard | None = None
) -> tuple[list[Path], str]:
    """Write every output atomically through the guard; returns (files written, text for stdout)."""
    guard = guard or OutputGuard()
    written: list[Path] = []
    stdout = ""
    rows = [r for _, rs in per_video for r in rs]
    for o in outputs:
        if o.format in PER_VIDEO:
            if o.path is None:
                raise VidagentError(f"--format {o.format} writes one file per video: give --out FOLDER")
            stems: dict[str, int] = {}
            for path, rs in per_video:
                stem = safe_stem(path)
                stems[stem] = stems.get(stem, 0) + 1
                name = stem if stems[stem] == 1 else f"{stem}-{rs[0]['clip_id'][:6] if rs else stems[stem]}"
                text = to_srt(rs) if o.format == "srt" else to_vtt(rs)
                written.append(
                    guard.write_text(guard.check_folder(o.path) / f"{name}.{o.format}", text, SUFFIXES[o.format])
                )
        else:
            text = to_jsonl(rows) if o.format == "jsonl" else to_csv(rows)
            if o.path is None:
                stdout += text
            else:
                written.append(guard.write_text(o.path, text, SUFFIXES[o.format]))
    return written, stdout


def _settings(config: str | os.PathLike[str] | Settings | None) -> Settings:
    return config if isinstance(config, Settings) else load_settings(config)


def _indexer(
    store: Store,
    settings: Settings,
    describer: str | Describer | None,
    prompt: str | None,
    prompt_vars: dict[str, Any],
    progress: ProgressFn | None,
    hooks: Hooks | None = None,
) -> tuple[Indexer, list[str]]:
    """The caption indexer, plus warnings. An explicit prompt is always checked strictly; the default
    prompt only when the describer will render it (offline needs no `--var duration=...`)."""
    warnings = []
    probe_ix = Indexer(store, settings, describer=describer)
    uses = probe_ix.describer.uses_prompt
    if prompt is not None or uses:
        check_prompt(prompt or settings.describe.prompt, prompt_vars)
    if not uses:
        if prompt is not None or prompt_vars:
            warnings.append(
                f"describer '{probe_ix.describer_name}' does not take prompts: prompt "
                f"'{prompt or settings.describe.prompt}' was checked but is ignored (its captions "
                "are its own; stored ones from `index` are reused)"
            )
        prompt_vars = {}  # so the description key is the one `index` used
    ix = Indexer(
        store,
        settings,
        progress=progress,
        describer=probe_ix.describer,
        prompt=prompt,
        prompt_vars=prompt_vars,
        activate=False,
        hooks=hooks,
    )
    return ix, warnings


def caption(
    paths: Sequence[str | os.PathLike[str]],
    prompt: str | None = None,
    outputs: Sequence[Output] = (),
    describer: str | Describer | None = None,
    prompt_vars: dict[str, Any] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | Settings | None = None,
    progress: ProgressFn | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    force: bool = False,
) -> CaptionReport:
    """Caption every clip of `paths` with `prompt` (default: settings describe.prompt) and write `outputs`
    from the stored descriptions. Existing output files are replaced only with `force` or when this
    store wrote them (see `vidagent.outputs`)."""
    prompt_vars = {k: str(v) for k, v in (prompt_vars or {}).items()}
    if prompt is not None:
        check_prompt(prompt, prompt_vars)  # fail before opening any store or video
    settings = _settings(config)
    with opened(store) as st:
        guard = OutputGuard(st, force=force, sources=[str(p) for p in paths])
        check_outputs(outputs, guard)
        with st.writer_lock():
            from .store.health import require_writable

            require_writable(st)
            run = CaptionRun(st)
            ix, warnings = _indexer(st, settings, describer, prompt, prompt_vars, progress, run.hooks())
            for w in warnings:
                if on_warning:
                    on_warning(w)
            run.start(ix)
            report = ix.run([str(p) for p in paths], on_file=on_file)
            if report.stopped:  # disk full: what was committed stays; outputs are written by the re-run
                report.notes.append("outputs not written (the disk is full); re-run to write them")
                return CaptionReport(report, 0, [], "", warnings)
            run.update("interrupted" if report.interrupted else "done")
            key = ix.describer_key()
            seen: set[str] = set()
            per_video = []
            for f in report.files:
                if f.status == "failed" or f.hash in seen or f.hash not in run.plans:
                    continue
                seen.add(f.hash)
                per_video.append((os.path.abspath(f.path), stored_rows(st, run.plans[f.hash], key, f.path)))
            if not per_video and report.files:  # every input failed: no (empty) output file
                report.notes.append("no output written: every input failed")
                return CaptionReport(report, 0, [], "", warnings)
            written, stdout = write_outputs(per_video, outputs, guard)
            return CaptionReport(report, sum(len(r) for _, r in per_video), written, stdout, warnings)


def _dry_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """The store a dry run reads: the existing one, else a throw-away in-memory one (creates no file)."""
    if isinstance(store, Store):
        return store
    root = Path(store) if store is not None else default_store_dir()
    if (root / DB_NAME).exists():
        return Store(root)
    return Store(root, url="sqlite://")


def dry_run(
    paths: Sequence[str | os.PathLike[str]],
    prompt: str | None = None,
    describer: str | Describer | None = None,
    prompt_vars: dict[str, Any] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | Settings | None = None,
) -> DryRun:
    """Count videos, clips and seconds still to caption, and estimate the time; runs no describer.

    Scene detection does run for videos whose scenes are not stored (exact clip counts need it). In an
    existing store its results are kept, so the real run then starts at describing; where there is no
    store yet, nothing is created (the work happens in memory).
    """
    from .video.files import find_videos

    prompt_vars = {k: str(v) for k, v in (prompt_vars or {}).items()}
    if prompt is not None:
        check_prompt(prompt, prompt_vars)  # fail before opening any store or video
    settings = _settings(config)
    st = _dry_store(store)
    out = DryRun()
    try:
        ix, _ = _indexer(st, settings, describer, prompt, prompt_vars, None)
        files, missing = find_videos([str(p) for p in paths])
        out.failed = [f"{p}: {why}" for p, why in missing]
        seen: set[str] = set()
        for path in files:
            try:
                info = ix.probe(path)
            except VidagentError as exc:
                out.failed.append(str(exc))
                continue
            if info.hash in seen:
                continue
            seen.add(info.hash)
            before = st.counts()["clip_rows"]
            plan = ix.plan(info)
            out.scenes_detected += int(st.counts()["clip_rows"] > before)
            out.videos += 1
            out.clips += len(plan.clips)
            out.seconds += sum(c.duration for c in plan.clips)
            out.todo_clips += len(plan.todo)
            out.todo_seconds += sum(c.duration for c in plan.todo)
        out.per_clip_s = measured_cost(st, ix.describer_name)
        if out.per_clip_s is not None:
            out.estimate_s = out.per_clip_s * out.todo_clips
        return out
    finally:
        if st is not store:
            st.close()
