"""Batch job files: one YAML that says what to caption, how, and where to write it (`vidagent batch`).

A job is validated with pydantic before anything runs: unknown keys are errors that name the key (a
typo like `ouputs` must not silently do nothing), and settings overrides go through the same
`Settings` model as `--config`. Relative paths resolve against the job file's folder, so a job and
its prompt files can be moved together or run from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .caption import CaptionReport, DryRun, Output, caption, dry_run
from .config import Settings, load_settings
from .errors import ConfigError, VidagentError
from .pipeline import ProgressFn


class JobOutput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["jsonl", "csv", "srt", "vtt"]
    path: str = Field(description="a file for jsonl/csv, a folder (one file per video) for srt/vtt")


class Job(BaseModel):
    """The schema of a job file."""

    model_config = ConfigDict(extra="forbid")
    inputs: list[str] = Field(min_length=1, description="video files and folders")
    prompt: str | None = Field(None, description="shipped prompt name or a .yaml prompt file")
    describer: str | None = Field(None, description="describer name; default: settings describe.describer")
    vars: dict[str, str | int | float] = Field(default_factory=dict, description="prompt variables")
    outputs: list[JobOutput] = Field(min_length=1)
    store: str | None = Field(None, description="store folder; default: $VIDAGENT_STORE, else ./store")
    config: str | None = Field(None, description="settings YAML applied before `settings`")
    settings: dict[str, dict[str, Any]] = Field(default_factory=dict, description="settings overrides by section")


def _format_error(source: str, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        key = ".".join(str(x) for x in e["loc"])
        parts.append(f"unknown key '{key}'" if e["type"] == "extra_forbidden" else f"'{key}': {e['msg']}")
    return f"{source}: invalid job: " + "; ".join(parts)


def _is_path(value: str) -> bool:
    return value.endswith((".yaml", ".yml")) or "/" in value or os.sep in value


def _resolve(base: Path, value: str) -> str:
    p = Path(os.path.expanduser(value))
    return os.path.normpath(p if p.is_absolute() else (base / p))


def load_job(path: str | os.PathLike[str]) -> tuple[Job, Settings]:
    """Parse and validate a job file; returns the job with paths resolved and its effective settings."""
    from .safe_yaml import load_file

    p = Path(path)
    data = load_file(p, "job file")
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: a job file is a mapping (inputs, prompt, outputs, ...)")
    try:
        job = Job.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(str(p), exc)) from None
    base = p.resolve().parent
    job.inputs = [_resolve(base, i) for i in job.inputs]
    if job.prompt is not None and _is_path(job.prompt):
        job.prompt = _resolve(base, job.prompt)
    for o in job.outputs:
        o.path = _resolve(base, o.path)
    if job.store is not None:
        job.store = _resolve(base, job.store)
    if job.config is not None:
        job.config = _resolve(base, job.config)
    overrides: dict[str, Any] = {}
    for section, values in job.settings.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{p}: settings.{section} must be a mapping")
        for key, value in values.items():
            overrides[f"{section}__{key}"] = value
    try:
        settings = load_settings(job.config, **overrides)
    except VidagentError as exc:
        raise ConfigError(f"{p}: {exc}") from None
    return job, settings


def run_job(
    path: str | os.PathLike[str],
    progress: ProgressFn | None = None,
    on_file: Any = None,
    on_warning: Any = None,
    force: bool = False,
) -> CaptionReport:
    """Run a job file end to end (resumable exactly like `vidagent caption`)."""
    job, settings = load_job(path)
    return caption(
        job.inputs,
        prompt=job.prompt,
        describer=job.describer,
        prompt_vars=dict(job.vars),
        outputs=[Output(o.format, o.path) for o in job.outputs],
        store=job.store,
        config=settings,
        progress=progress,
        on_file=on_file,
        on_warning=on_warning,
        force=force,
    )


def dry_run_job(path: str | os.PathLike[str]) -> tuple[Job, DryRun]:
    job, settings = load_job(path)
    return job, dry_run(
        job.inputs,
        prompt=job.prompt,
        describer=job.describer,
        prompt_vars=dict(job.vars),
        store=job.store,
        config=settings,
    )
