"""Ctrl-C summaries (issue 16, item 10): the summary counts every committed batch, the file in flight
included (it used to undercount), and says "re-run to continue" only when work is left (it used to
say so after the last batch was already done)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import count, count_rows, make_video
from .test_reliability import REPO, env

pytestmark = pytest.mark.slow


def _start(store: Path, cfg: Path, video: Path, delay: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vidagent", "index", str(video), "--store", str(store), "--config", str(cfg)],
        cwd=REPO,
        env=env(delay),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(store: Path, n: int, proc: subprocess.Popen[str]) -> None:
    t0 = time.time()
    while count_rows(store, "descriptions") < n:
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < 120
        time.sleep(0.02)


@pytest.fixture(scope="module")
def ten(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("int")
    colours = ["red", "blue", "green", "white", "black"]
    video = make_video(d / "ten.mp4", [(colours[i % 5], 1.2) for i in range(10)])
    cfg = d / "slow.yaml"
    cfg.write_text(
        "describe:\n  describer: test-slow-colour\n  batch_size: 2\nclips:\n  min_duration: 0.5\n  max_duration: 10\n"
    )
    return video, cfg


def test_summary_counts_the_file_in_flight(ten: tuple[Path, Path], tmp_path: Path) -> None:
    video, cfg = ten
    store = tmp_path / "st"
    p = _start(store, cfg, video, delay=0.3)
    _wait(store, 4, p)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130 and "re-run to continue" in err, err
    said = int(out.split("clips (")[1].split(" newly")[0])
    assert said == count_rows(store, "descriptions") >= 4, (out, count_rows(store, "descriptions"))
    count("kills survived")


def test_ctrl_c_during_the_last_batch_is_not_an_interruption(ten: tuple[Path, Path], tmp_path: Path) -> None:
    video, cfg = ten
    store = tmp_path / "st"
    p = _start(store, cfg, video, delay=0.6)
    _wait(store, 8, p)  # the last batch (clips 9-10) is being described now
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "re-run to continue" not in err and "10 newly described" in out
    count("kills survived")
