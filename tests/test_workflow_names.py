"""Daily workflow (#17): one video resolver, `videos`, copies under other names, one time format,
absolute paths, one JSONL key set, caption output checks, help text, `--version`, `status`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import vidagent
from vidagent.store import Store
from vidagent.store.resolve import AmbiguousVideo, find_video
from vidagent.timefmt import fmt_time

from .clirun import one_error_line, vcli
from .conftest import make_video


def test_fmt_time_one_format() -> None:
    assert fmt_time(9.96) == "0:00:09.960"
    assert fmt_time(55.125) == "0:00:55.125"
    assert fmt_time(3723.4567) == "1:02:03.457"
    assert fmt_time(-1) == "0:00:00.000"
    assert fmt_time(9.96, seconds=True) == "9.960"
    assert fmt_time(59.9996) == "0:01:00.000"  # rounded once: never "0:00:60.000"


@pytest.fixture()
def lib(tmp_path: Path, colour_config: Path) -> tuple[Path, Path, Path]:
    d = tmp_path / "videos"
    d.mkdir()
    a = make_video(d / "alpha.mp4", [("red", 2), ("blue", 2)])
    sub = d / "sub"
    sub.mkdir()
    b = make_video(sub / "beta.mp4", [("green", 2), ("white", 2)])
    vidagent.index([d], store=tmp_path / "st", config=colour_config)
    return a, b, tmp_path / "st"


def test_resolver_path_basename_prefix_ambiguous_unknown(
    lib: tuple[Path, Path, Path],
    tmp_path: Path,
    colour_config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b, st_dir = lib
    monkeypatch.chdir(tmp_path)  # basenames do not exist here: found by name only
    with Store(st_dir, create=False) as st:
        ha = find_video(st, str(a))
        assert ha is not None
        assert find_video(st, "alpha.mp4").hash == ha.hash
        assert find_video(st, ha.hash[:8]).hash == ha.hash
        assert find_video(st, ha.hash).hash == ha.hash
        assert find_video(st, "nothing.mp4") is None
    # The same file name in two folders with different content: ambiguous, candidates listed.
    other = tmp_path / "elsewhere"
    other.mkdir()
    make_video(other / "beta.mp4", [("yellow", 2)])
    vidagent.index([other / "beta.mp4"], store=st_dir, config=colour_config)
    with Store(st_dir, create=False) as st, pytest.raises(AmbiguousVideo) as err:
        find_video(st, "beta.mp4")
    assert str(other / "beta.mp4") in str(err.value) and str(b) in str(err.value)

    # Every command that takes a video uses it.
    code, out, _ = vcli(capsys, "search", "red", "--video", "alpha.mp4", "-s", st_dir, "-c", colour_config, "--json")
    assert code == 0 and json.loads(out) and all(h["video"] == str(a) for h in json.loads(out))
    code, out, _ = vcli(capsys, "chapters", "alpha.mp4", "-s", st_dir, "-f", "json")
    assert code == 0 and json.loads(out)[0]["video"] == str(a)
    code, _, err = vcli(capsys, "search", "red", "--video", "beta.mp4", "-s", st_dir, "-c", colour_config)
    assert code == 1 and "fits 2 indexed videos" in one_error_line(err)
    for args in (
        ("search", "red", "--video", "nope.mp4"),
        ("chapters", "nope.mp4"),
        ("ask", "what?", "--video", "nope"),
        ("similar", "x", "--video", "nope.mp4"),
    ):
        code, _, err = vcli(capsys, *args, "-s", st_dir)
        assert code == 1, args
        assert "nope" in one_error_line(err) or "x" in err


def test_videos_command_and_copy_keeps_every_path(
    lib: tuple[Path, Path, Path], tmp_path: Path, colour_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, _, st_dir = lib
    copy = tmp_path / "copy_of_alpha.mp4"
    shutil.copy(a, copy)
    vidagent.index([copy], store=st_dir, config=colour_config)
    code, out, _ = vcli(capsys, "videos", "-s", st_dir, "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 2 and {"path", "hash", "duration", "clips", "indexed_at", "paths"} <= set(rows[0])
    alpha = next(r for r in rows if str(a) in r["paths"])
    assert str(copy) in alpha["paths"] and alpha["clips"] >= 1 and alpha["duration"] == pytest.approx(4.0, abs=0.1)
    # The copy was indexed last; once it is deleted, outputs show the original that still exists.
    copy.unlink()
    code, out, _ = vcli(capsys, "search", "red", "-s", st_dir, "-c", colour_config, "--json")
    assert code == 0 and str(a) in {h["video"] for h in json.loads(out)}
    assert str(copy) not in out
    code, out, _ = vcli(capsys, "videos", "-s", st_dir)
    assert code == 0 and str(a) in out and "clips" in out
    # the copy can still be named: it is a known path of that content
    code, out, _ = vcli(capsys, "chapters", str(copy), "-s", st_dir, "-f", "json")
    assert code == 0 and json.loads(out)[0]["video"] == str(a)


def test_times_and_paths_agree_across_commands(
    lib: tuple[Path, Path, Path],
    tmp_path: Path,
    colour_config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _, st_dir = lib
    time_re = re.compile(r"\b\d+:\d\d:\d\d\.\d{3}\b")
    code, out, _ = vcli(capsys, "search", "red", "-s", st_dir, "-c", colour_config)
    assert code == 0 and time_re.search(out) and str(a) in out
    code, out2, _ = vcli(capsys, "search", "red", "-s", st_dir, "-c", colour_config, "--seconds")
    assert code == 0 and re.search(r"\b\d+\.\d{3}-\d+\.\d{3}\b", out2) and not time_re.search(out2)
    code, out, _ = vcli(capsys, "ask", "what colour is the screen?", "-s", st_dir, "-c", colour_config)
    assert code == 0 and (time_re.search(out) or "not" in out.lower())
    # caption rows: absolute path even when typed relative; one key set on every row
    monkeypatch.chdir(a.parent)
    code, out, _ = vcli(capsys, "caption", "alpha.mp4", "-s", st_dir, "-c", colour_config, "--no-progress")
    assert code == 0
    rows = [json.loads(x) for x in out.splitlines() if x.strip()]
    assert rows and all(r["video"] == str(a) for r in rows)
    assert len({tuple(sorted(r)) for r in rows}) == 1
    assert {"tags", "ocr", "transcript", "error"} <= set(rows[0]) and isinstance(rows[0]["ocr"], list)


def test_caption_output_suffix_and_all_failed(
    tmp_path: Path, colour_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v = make_video(tmp_path / "v.mp4", [("red", 2)])
    code, _, err = vcli(capsys, "caption", v, "-s", tmp_path / "st", "-c", colour_config, "-o", tmp_path / "x.txt")
    assert code == 1 and "x.txt" in one_error_line(err) and "--format" in err
    assert not (tmp_path / "x.txt").exists()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    out = tmp_path / "rows.jsonl"
    code, _, err = vcli(capsys, "caption", bad, "-s", tmp_path / "st", "-c", colour_config, "-o", out)
    assert code == 1 and "bad.mp4" in err
    assert not out.exists()


def test_help_version_status(lib: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in ("caption", "index", "search", "chapters", "doctor", "videos", "export"):
        code, out, _ = vcli(capsys, cmd, "--help")
        assert code == 0
        assert not re.search(r"<[a-z]+(\[[a-zA-Z]+\])?>|\{[a-z_]+\}", out), (cmd, out)
    code, out, _ = vcli(capsys, "doctor", "--help")
    assert re.search(r"--json\s+\S", out)
    code, out, _ = vcli(capsys, "--version")
    assert code == 0 and out.strip() == f"vidagent {vidagent.__version__}"
    code, out, _ = vcli(capsys, "status", "-s", lib[2])
    assert code == 0 and "{" not in out and "vectors by space" in out
    assert str(lib[2]) in out  # absolute store path


def test_readme_mentions_every_command() -> None:
    from typer.main import get_command

    from vidagent.cli import app

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name in get_command(app).commands:
        assert f"vidagent {name}" in readme, name


def test_scenes_reports_progress(shots_video: Path) -> None:
    from vidagent.api import scenes  # (the name `vidagent.scenes` is also the detector's module)

    calls: list[tuple[str, float, float]] = []
    found = scenes(shots_video, progress=lambda stage, path, done, total: calls.append((stage, done, total)))
    assert len(found) == 4
    assert calls and {c[0] for c in calls} == {"scenes"}
    assert calls[-1][1] == pytest.approx(calls[-1][2], abs=0.1)  # ends at the video's duration
