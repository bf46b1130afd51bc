"""The CLI as a user runs it: a real subprocess, exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import make_video

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "faiss", "langchain", "langchain_core", "timm", "onnxruntime")


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    e = {**os.environ, "VIDAGENT_PLUGINS": "tests.plugins", **(env or {})}
    e.pop("VIDAGENT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "vidagent", *args], capture_output=True, text=True, env=e, cwd=cwd or REPO, timeout=600
    )


def test_help_and_import_load_no_heavy_library() -> None:
    code = (
        "import sys, vidagent, vidagent.cli\n"
        "from vidagent.cli import app\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    r = run("--help")
    assert r.returncode == 0 and "index" in r.stdout and "search" in r.stdout


def test_index_search_json_and_status(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    store = tmp_path / "st"
    r = run("index", str(shots_video), "--store", str(store), "--config", str(colour_config))
    assert r.returncode == 0, r.stderr
    assert "indexed 1 videos, 4 clips" in r.stdout
    r = run(
        "search",
        "a blue coloured screen",
        "--json",
        "--top-k",
        "2",
        "--store",
        str(store),
        "--config",
        str(colour_config),
    )
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert len(hits) == 2
    for key in ("video", "start", "end", "score", "caption", "clip_id"):
        assert key in hits[0]
    assert hits[0]["caption"] == "a blue coloured screen" and hits[0]["start"] == pytest.approx(2.0, abs=0.05)
    r = run("status", "--json", "--store", str(store))
    st = json.loads(r.stdout)
    assert (st["videos"], st["clips"], st["descriptions"]) == (1, 4, 4)
    # The store comes from $VIDAGENT_STORE when --store is not given.
    r = run("status", "--json", env={"VIDAGENT_STORE": str(store)})
    assert json.loads(r.stdout)["clips"] == 4


def test_bad_files_exit_nonzero_with_one_line_each(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(shots_video, lib / "ok.mp4")
    (lib / "zero.mp4").write_bytes(b"")
    (lib / "junk.avi").write_bytes(os.urandom(20000))
    store = tmp_path / "st"
    r = run("index", str(lib), str(tmp_path / "absent.mkv"), "--store", str(store), "--config", str(colour_config))
    assert r.returncode == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("vidagent: error:")]
    assert len(errors) == 3
    assert any("zero.mp4: empty file" in e for e in errors)
    assert any("junk.avi" in e for e in errors) and any("absent.mkv: file not found" in e for e in errors)
    assert "Traceback" not in r.stderr
    r = run("search", "a red coloured screen", "--json", "--store", str(store), "--config", str(colour_config))
    assert json.loads(r.stdout)[0]["video"].endswith("ok.mp4")


def test_config_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("scenes:\n  detector: magic\n  nope: 1\n")
    r = run("config", "show", "--config", str(bad))
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "unknown key 'scenes.nope'" in r.stderr
    # Detector names are open (plugins register more), so an unknown one is caught where it is used:
    # once, for the whole run, naming the registered ones.
    bad.write_text("scenes:\n  detector: magic\n")
    video = make_video(tmp_path / "v.mp4", [("red", 1.0)])
    r = run("index", str(video), "--config", str(bad), "--store", str(tmp_path / "st"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert "unknown scene detector 'magic' (registered: adaptive, content" in r.stderr
    r = run("config", "show")
    assert r.returncode == 0 and "detector: content" in r.stdout


def test_search_on_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    r = run("search", "anything", "--store", str(tmp_path / "nothing"))
    assert r.returncode == 1 and "no vidagent store here" in r.stderr and "Traceback" not in r.stderr


def test_scenes_command(shots_video: Path) -> None:
    r = run("scenes", str(shots_video), "--json")
    assert [s["start_frame"] for s in json.loads(r.stdout)] == [0, 50, 125, 175]


def test_models_lists_describers_and_real_models() -> None:
    r = run("models", "--json")
    assert r.returncode == 0, r.stderr
    rows = {(x["kind"], x["name"]): x for x in json.loads(r.stdout)}
    assert ("describer", "offline") in rows and ("describer", "video-llava") in rows
    assert ("embedder", "minilm") in rows
    for name in ("tagger", "ocr", "transcriber", "minilm"):
        row = rows[("model", name)]
        assert row["installed"] and row["loadable"] and row["licence"], row


def test_a_describer_that_cannot_load_stops_the_run_once(tmp_path: Path, shots_video: Path) -> None:
    second = tmp_path / "second.mp4"
    shutil.copy(shots_video, second)
    (tmp_path / "c.yaml").write_text("describe:\n  describer: test-broken\n")
    r = run(
        "index", str(shots_video), str(second), "--store", str(tmp_path / "st"), "--config", str(tmp_path / "c.yaml")
    )
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines == [
        "vidagent: error: describer 'test-broken': cannot load: OSError: no weights at /nowhere and no network"
    ]


def test_verbose_shows_the_library_log_and_default_does_not(
    tmp_path: Path, shots_video: Path, colour_config: Path
) -> None:
    def index_with(*flags: str, store: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "vidagent",
                *flags,
                "index",
                str(shots_video),
                "--store",
                str(tmp_path / store),
                "--config",
                str(colour_config),
                "--no-progress",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO), "VIDAGENT_PLUGINS": "tests.plugins"},
        )

    quiet = index_with(store="a")
    assert quiet.returncode == 0, quiet.stderr
    assert "vidagent: INFO" not in quiet.stderr and "shots (content)" not in quiet.stderr
    loud = index_with("-v", store="b")
    assert loud.returncode == 0, loud.stderr
    assert "vidagent: INFO vidagent.stages:" in loud.stderr and "4 shots (content)" in loud.stderr
    assert "DEBUG" not in loud.stderr
    debug = index_with("-vv", store="c")
    assert "vidagent: DEBUG vidagent.pipeline:" in debug.stderr and "described 4/4 clips" in debug.stderr
