"""Read-only stores (issue 16, item 4): search, ask, status, export and doctor work on a store that
cannot be written (with or without its -wal/-shm files); ask skips history with a note; writers refuse
in one line.

How the store is made read-only: a read-only bind mount of a copy (needs root with CAP_SYS_ADMIN, as
in CI's container), else `chmod a-w` when not running as root (root ignores file modes, so chmod
alone proves nothing there). Where neither is possible the test is skipped and says why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import vidagent

from .clirun import one_error_line, vcli
from .conftest import make_video


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    d = tmp_path_factory.mktemp("ro")
    video = make_video(d / "v.mp4", [("red", 2), ("blue", 3), ("green", 2)])
    cfg = d / "c.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    assert vidagent.index(video, store=d / "store", config=cfg).files[0].status == "indexed"
    return d / "store", cfg, video


def _copy(store: Path, dest: Path, with_wal: bool) -> None:
    """Copy the store; with_wal: copied while a writer holds un-checkpointed commits in -wal/-shm."""
    dest.mkdir(parents=True)
    if not with_wal:
        shutil.copy(store / "vidagent.db", dest / "vidagent.db")
        shutil.copytree(store / "vectors", dest / "vectors")
        return
    conn = sqlite3.connect(store / "vidagent.db")
    try:
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('probe', 'in the wal')")
        conn.commit()
        for name in ("vidagent.db", "vidagent.db-wal", "vidagent.db-shm"):
            assert (store / name).exists(), name
            shutil.copy(store / name, dest / name)
        shutil.copytree(store / "vectors", dest / "vectors")
    finally:
        conn.execute("DELETE FROM meta WHERE key='probe'")
        conn.commit()
        conn.close()


@pytest.fixture(params=["without -wal/-shm", "with -wal/-shm"])
def ro_store(request: pytest.FixtureRequest, source: tuple[Path, Path, Path], tmp_path: Path) -> Iterator[Path]:
    store = source[0]
    src = tmp_path / "copy"
    _copy(store, src, with_wal=request.param == "with -wal/-shm")
    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True).returncode == 0
        if mounted and subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], capture_output=True).returncode:
            subprocess.run(["umount", str(ro)], capture_output=True)
            mounted = False
        if not mounted:
            pytest.skip(
                "running as root without permission to bind-mount read-only: cannot make a store "
                "read-only here (chmod does not bind root)"
            )
        try:
            yield ro
        finally:
            if subprocess.run(["umount", str(ro)], capture_output=True).returncode:
                subprocess.run(["umount", "-l", str(ro)], capture_output=True)  # lazily, if still busy
    else:
        for p in [src, *src.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        try:
            yield src
        finally:
            for p in [src, *src.rglob("*")]:
                p.chmod(p.stat().st_mode | 0o200)


def test_readers_work_on_a_read_only_store(
    ro_store: Path, source: tuple[Path, Path, Path], tmp_path: Path, capsys
) -> None:
    _, cfg, _ = source
    before = sorted(p.name for p in ro_store.rglob("*"))
    code, out, err = vcli(capsys, "status", "-s", ro_store)
    assert code == 0 and "descriptions: 3" in out, err
    code, out, err = vcli(capsys, "search", "a blue coloured screen", "-s", ro_store, "-c", cfg, "--json")
    assert code == 0, err
    hits = __import__("json").loads(out)
    assert hits[0]["caption"] == "a blue coloured screen"
    code, out, err = vcli(capsys, "ask", "Which clip shows a blue coloured screen?", "-s", ro_store, "-c", cfg)
    assert code == 0, err
    assert "history not recorded: the store is read-only" in err and "internal error" not in err
    code, out, err = vcli(capsys, "export", hits[0]["clip_id"], "--out", tmp_path / "clip.mp4", "-s", ro_store)
    assert code == 0 and (tmp_path / "clip.mp4").is_file(), err
    code, out, err = vcli(capsys, "doctor", "-s", ro_store)
    assert "internal error" not in err and "database" in out, err
    # Writers refuse in one line; nothing in the store changed.
    code, _, err = vcli(capsys, "index", source[2], "-s", ro_store, "-c", cfg)
    assert code == 1 and "read-only" in one_error_line(err)
    assert sorted(p.name for p in ro_store.rglob("*")) == before
