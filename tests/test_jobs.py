"""Batch job files: strict validation naming the bad key, paths relative to the job file, shipped jobs."""

from __future__ import annotations

import json
import shutil
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
    data.update(describer="test-colour", prompt=str(REPO / "examples" / "prompts" / "short.yaml"))
    data["settings"] = {"clips": {"min_duration": 1.0}, "describe": {"speech": False}}
    (root / "jobs" / "job.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.chdir(tmp_path)  # not the job's folder: paths must still resolve against it
    report = run_job(root / "jobs" / "job.yaml")
    assert [f.status for f in report.index.files] == ["indexed", "indexed", "failed"]
    assert "broken.mp4" in report.index.failed[0].error and "\n" not in report.index.failed[0].error
    rows = [json.loads(x) for x in (root / "captions" / "dataset.jsonl").read_text().splitlines()]
    assert [r["caption"] for r in rows] == ["a red coloured screen", "a blue coloured screen",
                                            "a green coloured screen"]
    assert (root / "captions" / "dataset.csv").read_text().count("\n") == 4
    assert (root / "store" / "vidagent.db").exists()
    shutil.rmtree(root / "captions")
    again = run_job(root / "jobs" / "job.yaml")
    assert again.index.summary()["described"] == 0 and again.rows == 3
