"""Hostile files and arguments (issue 16, items 2 and 10): only regular files are read, reads are
bounded, and every bad argument is one line with its own message (no "internal error")."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vidagent
from vidagent.errors import BadVideo
from vidagent.video import content_hash, find_videos

from .clirun import one_error_line, vcli
from .conftest import count, make_video

REPO = Path(__file__).resolve().parent.parent


def _cli(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIDAGENT_PLUGINS": "tests.plugins"}
    env.pop("VIDAGENT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "vidagent", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_at_once(device: str, tmp_path: Path) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist on this platform")
    t0 = time.monotonic()
    r = _cli("index", device, "--store", tmp_path / "st", timeout=60)  # used to read 24 GB and be OOM-killed
    assert r.returncode == 1
    assert f"vidagent: error: {device}: a character device, not a regular file" in r.stderr
    assert "internal error" not in r.stderr and time.monotonic() - t0 < 60
    count("hostile files tried")


def test_fifo_socket_and_dangling_link_in_a_folder_do_not_hang(tmp_path: Path, colour_config: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    make_video(lib / "good.mp4", [("red", 1.0), ("blue", 1.0)])
    os.mkfifo(lib / "p.mp4")  # used to hang for ever (and ignore the first Ctrl-C)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(lib / "s.mkv"))
    (lib / "gone.mp4").symlink_to(lib / "nowhere.mp4")
    try:
        r = _cli("index", lib, "--store", tmp_path / "st", "--config", colour_config, timeout=120)
    finally:
        sock.close()
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("vidagent: error:")]
    assert r.returncode == 1 and len(errors) == 3, r.stderr
    assert any("p.mp4: a FIFO (named pipe), not a regular file" in e for e in errors)
    assert any("s.mkv: a socket, not a regular file" in e for e in errors)
    assert any("gone.mp4: broken symbolic link" in e for e in errors)
    assert "indexed 1 videos" in r.stdout and "good.mp4" in r.stderr
    count("hostile files tried", 3)


def test_hashing_and_probing_never_read_a_non_file(tmp_path: Path) -> None:
    fifo = tmp_path / "f.mp4"
    os.mkfifo(fifo)
    with pytest.raises(BadVideo, match="FIFO"):
        content_hash(fifo)  # O_NONBLOCK + fstat: returns at once, no writer needed
    with pytest.raises(BadVideo, match="FIFO"):
        vidagent.video.probe(str(fifo))
    files, errors = find_videos(["", str(fifo)])
    assert files == [] and [e[1].split(" (")[0] for e in errors] == ["empty path", "a FIFO"]
    count("hostile files tried", 2)


def test_empty_path_is_not_the_current_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_video(tmp_path / "here.mp4", [("red", 1.0)])
    code, out, err = vcli(capsys, "index", "", "--store", tmp_path / "st")
    assert code == 1 and "empty path" in one_error_line(err) and "here.mp4" not in out
    count("hostile arguments tried")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    d = tmp_path_factory.mktemp("args")
    cfg = d / "c.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    # A file name with a terminal escape code, a newline and a bidi override in it.
    video = make_video(d / "evil\x1b[2J\nname\u202e.mp4", [("red", 1.5), ("blue", 1.5)])
    assert vidagent.index(video, store=d / "st", config=cfg).files[0].status == "indexed"
    return d / "st", cfg, video


def test_bad_search_arguments_get_their_own_line(small_store: tuple[Path, Path, Path], capsys) -> None:
    store, cfg, _ = small_store
    code, _, err = vcli(capsys, "search", "red", "--top-k", "99999999999999999999999", "-s", store, "-c", cfg)
    assert code == 2 and "--top-k" in err and "internal error" not in err and "Traceback" not in err
    for args, words in (
        (["", "-s", store], "query is empty"),
        (["   ", "-s", store], "query is empty"),
        (["red", "--video", "/missing.mp4", "-s", store], "/missing.mp4: not an indexed video"),
    ):
        code, out, err = vcli(capsys, "search", *args, "-c", cfg)
        assert code == 1 and words in one_error_line(err) and "no results" not in out, (args, err)
    code, _, err = vcli(capsys, "ask", "", "-s", store, "-c", cfg)
    assert code == 1 and "question is empty" in one_error_line(err)
    count("hostile arguments tried", 5)


@pytest.mark.parametrize(
    "yaml_text,key",
    [
        ("scenes:\n  threshold: .nan\n", "scenes.threshold"),
        ("clips:\n  max_duration: .inf\n", "clips.max_duration"),
        ("clips:\n  min_duration: -.inf\n", "clips.min_duration"),
    ],
)
def test_nan_and_infinity_settings_are_refused(yaml_text: str, key: str, tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml_text)
    code, _, err = vcli(capsys, "config", "show", "-c", cfg)
    line = one_error_line(err)
    assert code == 1 and key in line and "finite" in line
    count("hostile arguments tried")


def test_control_characters_in_file_names_are_escaped(small_store: tuple[Path, Path, Path], capsys) -> None:
    store, cfg, video = small_store
    code, out, err = vcli(capsys, "search", "a red coloured screen", "-s", store, "-c", cfg, "-k", "1")
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out
    assert "evil\\x1b[2J\\nname\\u202e.mp4" in out
    # the hit, its caption and why it matched: no fake line from the file name
    assert len([ln for ln in out.splitlines() if ln.strip()]) == 3
    code, out, err = vcli(capsys, "index", video, "-s", store, "-c", cfg)
    assert code == 0 and "\x1b" not in out + err and "evil\\x1b[2J\\nname" in out + err
    missing = video.with_name("gone\x1b]0;pwned\x07.mp4")
    code, out, err = vcli(capsys, "index", missing, "-s", store, "-c", cfg)
    assert code == 1 and "\x1b" not in err and "\x07" not in err and "file not found" in one_error_line(err)
    count("hostile arguments tried", 3)


def test_ordinary_failures_are_not_internal_errors() -> None:
    import errno
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from vidagent.errors import DiskFull, StoreDamaged, StoreReadOnly, ordinary

    cases = {
        OSError(errno.ENOSPC, "No space left on device", "/x/out.mp4"): (DiskFull, "/x/out.mp4: disk full"),
        OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")): (DiskFull, "disk full"),
        OSError(errno.EROFS, "Read-only file system", "/ro/v.db"): (StoreReadOnly, "/ro/v.db: read-only"),
        sqlite3.DatabaseError("database disk image is malformed"): (StoreDamaged, "doctor --repair"),
        sqlite3.DatabaseError("file is not a database"): (StoreDamaged, "damaged"),
        PermissionError(errno.EACCES, "Permission denied", "/root/x"): (Exception, "/root/x: permission denied"),
        sqlite3.OperationalError("database is locked"): (Exception, "locked by another process"),
    }
    for exc, (kind, words) in cases.items():
        known = ordinary(exc)
        assert isinstance(known, kind) and words in str(known), (exc, known)
    assert ordinary(ZeroDivisionError("a bug")) is None  # bugs stay internal errors
    count("hostile arguments tried", len(cases))
