"""Batch job files: strict validation naming the bad key, paths relative to the job file, shipped jobs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vidagent.errors import VidagentError
from vidagent.jobs import load_job, run_job

from .conftest import REPO, make_video


def test_unknown_key_is_named(tmp_path: Path) -> None:
    job = tmp_path / "j.yaml"
    job.write_text("inputs: [v]\noutputs:\n  - {format: jsonl, path: o.jsonl, fromat: x}\n")
    with pytest.raises(VidagentError, match=r"unknown key 'outputs\.0\.fromat'"):
        load_job(job)
    job.write_text("inputs: [v]\noutputs: [{format: jsonl, path: o}]\nsettings: {clips: {max_len: 3}}\n")
    with pytest.raises(VidagentError, match=r"unknown key 'clips\.max_len'"):
        load_job(job)
    job.write_text("inputs: [v]\noutputs: [{format: mp4, path: o}]\n")
    with pytest.raises(VidagentError, match=r"'outputs\.0\.format'"):
        load_job(job)


@pytest.mark.parametrize("name", ["caption_folder.yaml", "dataset_jsonl.yaml"])
def test_shipped_jobs_validate(name: str) -> None:
    job, _ = load_job(REPO / "cli" / name)
    assert all(Path(p).is_absolute() for p in job.inputs + [o.path for o in job.outputs])


def test_job_runs_with_paths_relative_to_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "proj"
    (root / "jobs").mkdir(parents=True)
    (root / "videos").mkdir()
    make_video(root / "videos" / "a.mp4", [("red", 2), ("blue", 2)])
    make_video(root / "videos" / "b.mp4", [("green", 3)])
    (root / "videos" / "broken.mp4").write_bytes(b"not a video")
    data = yaml.safe_load((REPO / "cli" / "dataset_jsonl.yaml").read_text())
    data.update(inputs=["../videos"], describer="test-colour", prompt=str(REPO / "examples" / "prompts" / "short.yaml"))
    data["settings"] = {"clips": {"min_duration": 1.0}, "describe": {"speech": False}}
    (root / "jobs" / "job.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.chdir(tmp_path)  # not the job's folder: paths must still resolve against it
    report = run_job(root / "jobs" / "job.yaml")
    assert [f.status for f in report.index.files] == ["indexed", "indexed", "failed"]
    assert "broken.mp4" in report.index.failed[0].error and "\n" not in report.index.failed[0].error
    rows = [json.loads(x) for x in (root / "captions" / "dataset.jsonl").read_text().splitlines()]
    assert [r["caption"] for r in rows] == [
        "a red coloured screen",
        "a blue coloured screen",
        "a green coloured screen",
    ]
    assert (root / "captions" / "dataset.csv").read_text().count("\n") == 4
    assert (root / "store" / "vidagent.db").exists()
    shutil.rmtree(root / "captions")
    again = run_job(root / "jobs" / "job.yaml")
    assert again.index.summary()["described"] == 0 and again.rows == 3


def _batch(job: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vidagent", "batch", str(job), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _checkout_copy(tmp_path: Path, corpus: Path | None) -> Path:
    """The shipped job files in a copy of the checkout's layout (corpus beside it when given)."""
    co = tmp_path / "checkout"
    shutil.copytree(REPO / "cli", co / "cli")
    (co / "examples").symlink_to(REPO / "examples")
    if corpus is not None:
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "corpus").symlink_to(corpus)
    return co


def test_shipped_job_dry_runs_from_the_checkout_and_creates_nothing(tmp_path: Path, corpus: Path) -> None:
    co = _checkout_copy(tmp_path, corpus)
    res = _batch(co / "cli" / "dataset_jsonl.yaml", tmp_path, "--dry-run", "--json")  # cwd is not cli/
    assert res.returncode == 0, res.stderr
    est = json.loads(res.stdout)
    assert est["videos"] == 1 and est["clips"] > 1 and est["failed"] == []
    assert not (co / "store").exists() and not (co / "captions").exists()


def test_job_whose_inputs_do_not_exist_exits_non_zero_and_creates_nothing(tmp_path: Path) -> None:
    co = _checkout_copy(tmp_path, None)
    job = co / "cli" / "caption_folder.yaml"
    dry = _batch(job, tmp_path, "--dry-run")
    assert dry.returncode == 1 and "shared/corpus/small: file not found" in dry.stderr
    assert not (co / "store").exists()
    real = _batch(job, tmp_path, "--no-progress")
    assert real.returncode == 1 and "file not found" in real.stderr
    assert not (co / "captions").exists()
