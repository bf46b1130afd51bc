"""Every script in examples/ runs end to end (subprocess, tmp store, synthetic videos)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, make_video

# Run an example as __main__ with the test doubles registered (test-colour, test-prompt).
RUNNER = (
    "import sys, runpy, tests.test_caption; path = sys.argv[1]; sys.argv = sys.argv[1:]; "
    "runpy.run_path(path, run_name='__main__')"
)


def run_example(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(REPO / "examples" / name), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    d = tmp_path_factory.mktemp("ex")
    (d / "videos").mkdir()
    make_video(d / "videos" / "a.mp4", [("red", 2), ("green", 3)])
    make_video(d / "videos" / "b.mp4", [("blue", 3)])
    cfg = d / "cfg.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n")
    res = run_example("index_folder.py", str(d / "videos"), "--store", str(d / "st"), "--config", str(cfg))
    assert res.returncode == 0, res.stderr
    assert "'clips': 3" in res.stdout
    return d / "videos", d / "st", cfg


def test_search_example(setup: tuple[Path, Path, Path]) -> None:
    _, store, cfg = setup
    res = run_example("search.py", "a green coloured screen", "--store", str(store), "--config", str(cfg))
    assert res.returncode == 0, res.stderr
    top = json.loads(res.stdout.splitlines()[0])
    assert top["caption"] == "a green coloured screen" and top["start"] == pytest.approx(2.0, abs=0.05)


def test_batch_caption_example_with_custom_prompt(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    videos, store, cfg = setup
    out = tmp_path / "short.jsonl"
    res = run_example(
        "batch_caption.py",
        str(videos),
        "--store",
        str(store),
        "--out",
        str(out),
        "--describer",
        "test-prompt",
        "--config",
        str(cfg),
    )
    assert res.returncode == 0, res.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 3 and {r["prompt"] for r in rows} == {"short"}
    assert all("one plain sentence" in r["caption"] for r in rows)
