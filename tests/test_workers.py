"""`vidagent index --workers N`: files indexed in N local processes give the same rows as a serial run,
a bad file fails alone, and Ctrl-C stops every worker after its batch in flight (re-run continues)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vidagent

from .conftest import count_rows, make_video
from .test_reliability import REPO, env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("lib")
    make_video(d / "a.mp4", [("red", 2), ("blue", 2), ("green", 2)])
    make_video(d / "b.mp4", [("white", 2), ("black", 2)])
    make_video(d / "c.mp4", [("yellow", 3)])
    data = (d / "a.mp4").read_bytes()
    (d / "bad.mp4").write_bytes(data[:200] + bytes(len(data) - 200))  # header kept, frames zeroed
    return d


@pytest.fixture()
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes are fresh interpreters: they register the test describers the way a user's
    plugin module is loaded."""
    monkeypatch.setenv("VIDAGENT_PLUGINS", "tests.plugins")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))


def _rows(store: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(store / "vidagent.db") as c:
        return sorted(
            c.execute(
                "SELECT v.path, d.clip_id, d.caption FROM descriptions d JOIN videos v ON v.hash = d.video_hash"
            ).fetchall()
        )


def test_workers_store_the_same_rows_and_a_bad_file_fails_alone(
    tmp_path: Path, library: Path, colour_config: Path, plugins: None
) -> None:
    serial = vidagent.index([library], store=tmp_path / "serial", config=colour_config)
    pooled = vidagent.index([library], store=tmp_path / "pooled", config=colour_config, workers=2)
    status = {Path(f.path).name: f.status for f in pooled.files}
    assert status == {Path(f.path).name: f.status for f in serial.files}
    assert status == {"a.mp4": "indexed", "b.mp4": "indexed", "c.mp4": "indexed", "bad.mp4": "failed"}
    bad = next(f for f in pooled.files if f.status == "failed")
    assert "bad.mp4" in bad.error and "\n" not in bad.error
    assert [f.path for f in pooled.files] == [f.path for f in serial.files]  # the serial run's order
    assert _rows(tmp_path / "pooled") == _rows(tmp_path / "serial") and len(_rows(tmp_path / "serial")) == 6
    # The vector index the driver saved finds the same clips; a re-run has nothing to do.
    hits = vidagent.search("a blue screen", store=tmp_path / "pooled", top_k=3)
    assert hits and "blue" in hits[0].caption
    again = vidagent.index([library], store=tmp_path / "pooled", config=colour_config, workers=2)
    assert sorted(f.status for f in again.files) == ["failed", "unchanged", "unchanged", "unchanged"]


def _workers(pid: int) -> list[int]:
    """The worker processes of a run (not multiprocessing's resource tracker, which exits on its own)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    pids = [int(x) for x in out.split()]
    return [p for p in pids if "spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _slow_run(tmp_path: Path, described: int) -> tuple[subprocess.Popen[str], list[str], Path]:
    """`index --workers 2` of three 5-shot videos (different content each: the same content would be one
    video to the store) with a slow describer, returned once `described` descriptions are committed."""
    colours = ["red", "blue", "green", "white", "black"]
    videos = [make_video(tmp_path / f"v{i}.mp4", [(colours[(i + k) % 5], 1.2) for k in range(5)]) for i in range(3)]
    cfg = tmp_path / "slow.yaml"
    cfg.write_text(
        "describe:\n  describer: test-slow-colour\n  batch_size: 1\nclips:\n  min_duration: 0.5\n  max_duration: 10\n"
    )
    store = tmp_path / "st"
    args = [sys.executable, "-m", "vidagent", "index", *map(str, videos), "--store", str(store), "--config", str(cfg)]
    p = subprocess.Popen(
        [*args, "--workers", "2"], cwd=REPO, env=env(0.4), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    t0 = time.time()
    while count_rows(store, "descriptions") < described:
        assert p.poll() is None, p.communicate()
        assert time.time() - t0 < 180
        time.sleep(0.05)
    return p, args, store


def test_ctrl_c_stops_every_worker_after_its_batch(tmp_path: Path) -> None:
    p, args, store = _slow_run(tmp_path, 2)
    workers = _workers(p.pid)
    assert len(workers) == 2
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130 and "re-run to continue" in err, (out, err)
    assert "Traceback" not in err
    said = int(out.split("clips (")[1].split(" newly")[0])
    assert said == count_rows(store, "descriptions") < 15, (out, count_rows(store, "descriptions"))
    assert not any(_alive(pid) for pid in workers)  # no worker outlives the run
    # The re-run finishes every file; the committed batches are kept.
    r = subprocess.run([*args, "--workers", "2"], cwd=REPO, env=env(0.0), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert count_rows(store, "descriptions") == 15


def test_a_worker_that_dies_fails_its_file_only(tmp_path: Path) -> None:
    p, args, store = _slow_run(tmp_path, 1)
    victim = _workers(p.pid)[0]
    os.kill(victim, signal.SIGKILL)  # out of memory, killed by hand: its file fails, the rest go on
    out, err = p.communicate(timeout=180)
    assert p.returncode == 1, (out, err)
    died = [ln for ln in err.splitlines() if "worker died" in ln]
    assert len(died) == 1 and "Traceback" not in err, err
    assert "indexed 2 videos" in out, out
    # The re-run indexes the file the dead worker held (its committed batches are kept).
    r = subprocess.run([*args, "--workers", "2"], cwd=REPO, env=env(0.0), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert count_rows(store, "descriptions") == 15
