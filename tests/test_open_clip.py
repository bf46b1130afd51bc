"""`vidagent open CLIP_ID` starts the player at the clip (a fake mpv/vlc on PATH records its arguments),
and `search --json` gives a `file://...#t=START,END` URI per hit (issue #17)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import vidagent

from .clirun import one_error_line, vcli
from .conftest import make_video

MV = shutil.which("mv")  # found now: during the test PATH holds only the fakes


def _fake_player(bin_dir: Path, name: str, log: Path) -> None:
    """A stand-in player: writes its arguments, one per line, and exits."""
    p = bin_dir / name
    p.write_text(f"#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{log}.tmp' && {MV} '{log}.tmp' '{log}'\n")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)


def _wait(log: Path) -> list[str]:
    deadline = time.time() + 10
    while not log.exists() and time.time() < deadline:
        time.sleep(0.05)
    return log.read_text().splitlines()


@pytest.fixture()
def indexed(tmp_path: Path, colour_config: Path) -> tuple[Path, Path, Path]:
    v = make_video(tmp_path / "my film.mp4", [("red", 2), ("blue", 3)])
    vidagent.index(v, store=tmp_path / "st", config=colour_config)
    return v, tmp_path / "st", colour_config


def test_search_json_uri_and_open_with_players(
    indexed: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    v, st, cfg = indexed
    code, out, _ = vcli(capsys, "search", "blue", "-s", st, "-c", cfg, "--json")
    assert code == 0
    hit = json.loads(out)[0]
    u = urlparse(hit["uri"])
    assert u.scheme == "file" and unquote(u.path) == str(v)
    assert u.fragment == f"t={hit['start']:.3f},{hit['end']:.3f}"

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))  # only our fakes are found
    code, _, err = vcli(capsys, "open", hit["clip_id"], "-s", st)
    assert code == 1 and "no video player" in one_error_line(err)

    log = tmp_path / "args.txt"
    _fake_player(bin_dir, "xdg-open", log)
    code, out, _ = vcli(capsys, "open", hit["clip_id"], "-s", st)
    assert code == 0 and "cannot seek" in out
    assert _wait(log) == [str(v)]

    log.unlink()
    _fake_player(bin_dir, "vlc", log)
    code, out, _ = vcli(capsys, "open", hit["clip_id"], "-s", st)
    assert code == 0
    args = _wait(log)
    assert f"--start-time={hit['start']:.3f}" in args and args[-1] == str(v)

    log.unlink()
    _fake_player(bin_dir, "mpv", log)  # preferred over vlc
    code, out, _ = vcli(capsys, "open", hit["clip_id"], "-s", st)
    assert code == 0 and "at 0:00:0" in out
    args = _wait(log)
    assert args[0] == f"--start={hit['start']:.3f}" and args[1] == f"--end={hit['end']:.3f}" and args[-1] == str(v)

    code, out, _ = vcli(capsys, "open", hit["clip_id"], "-s", st, "--player", "vlc", "--print")
    assert code == 0 and out.startswith(str(bin_dir / "vlc")) and "--start-time=" in out

    code, _, err = vcli(capsys, "open", "0000000000000000", "-s", st)
    assert code == 1 and "unknown clip id" in one_error_line(err)
    os.remove(v)
    code, _, err = vcli(capsys, "open", hit["clip_id"], "-s", st)
    assert code == 1 and "gone" in one_error_line(err)
