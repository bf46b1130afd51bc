"""Disk full while describing (issue 16, item 8): one `disk full` line naming the store, every
committed batch kept, the summary printed (it used to end in an internal error with no summary), and
a re-run with space finishes the job.

The real probe puts the store on a small tmpfs (needs root with permission to mount, as in CI's
container); a second test, which always runs, makes SQLite's "database or disk is full" happen on the
third batch with a fake (tests only) and also covers `caption`."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

import vidagent
from vidagent.store import Store

from .clirun import one_error_line, vcli
from .conftest import count, make_video

COLOURS = ["red", "blue", "green", "white", "black"]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("full")
    video = make_video(d / "many.mp4", [(COLOURS[i % 5], 0.6) for i in range(150)], size=(64, 48))
    cfg = d / "c.yaml"
    cfg.write_text(
        "describe:\n  describer: test-colour\n  batch_size: 4\nclips:\n  min_duration: 0.3\n  max_duration: 10.0\n"
    )
    return video, cfg


def _described(out: str) -> int:
    return int(out.split("clips (")[1].split(" newly")[0])


def test_disk_full_on_a_small_tmpfs(many: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    video, cfg = many
    mnt = Path(f"/tmp/vidagent-full-{uuid.uuid4().hex[:8]}")
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mnt)], capture_output=True).returncode:
        mnt.rmdir()
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN); the fake test covers it")
    try:
        store = mnt / "st"
        code, out, err = vcli(capsys, "index", video, "-s", store, "-c", cfg)
        line = one_error_line(err)
        assert code == 1 and "disk full" in line and str(store) in line, err
        done = _described(out)
        with sqlite3.connect(f"file:{store / 'vidagent.db'}?mode=ro", uri=True) as c:
            assert c.execute("SELECT count(*) FROM descriptions").fetchone()[0] == done > 0
        c.close()
        moved = tmp_path / "st"  # "free some space": the same store where there is room
        shutil.copytree(store, moved)
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        mnt.rmdir()
    count("hostile files tried")
    code, out, err = vcli(capsys, "index", video, "-s", moved, "-c", cfg)
    assert code == 0, err
    assert _described(out) == 150 - done
    stats = vidagent.status(moved)
    assert stats["descriptions"] == stats["clips"] == stats["vectors"] == 150
    from vidagent.doctor import doctor

    assert doctor(moved).healthy


def test_disk_full_fake_keeps_committed_batches_and_prints_the_summary(
    many: tuple[Path, Path], tmp_path: Path, capsys, monkeypatch
) -> None:
    video, cfg = many
    real = Store.put_descriptions
    calls = {"n": 0}

    def fills_up(self, *a, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 2:
            raise OperationalError(
                "INSERT INTO descriptions ...", {}, sqlite3.OperationalError("database or disk is full")
            )
        return real(self, *a, **kw)

    monkeypatch.setattr(Store, "put_descriptions", fills_up)
    store = tmp_path / "st"
    code, out, err = vcli(capsys, "index", video, "-s", store, "-c", cfg)
    assert code == 1 and "disk full" in one_error_line(err) and str(store) in one_error_line(err)
    assert _described(out) == 8 == vidagent.status(store)["descriptions"]
    calls["n"] = 0
    out_file = tmp_path / "rows.jsonl"
    code, out, err = vcli(capsys, "caption", video, "-s", tmp_path / "st2", "-c", cfg, "--out", out_file)
    assert code == 1 and "disk full" in one_error_line(err) and "captioned 1 videos" in err
    assert "outputs not written" in err and not out_file.exists()
    monkeypatch.setattr(Store, "put_descriptions", real)
    code, out, err = vcli(capsys, "index", video, "-s", store, "-c", cfg)
    assert code == 0 and _described(out) == 142, err
    count("hostile files tried", 2)
