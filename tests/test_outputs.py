"""Outputs never clobber (issue 16, item 1): export, chapters, caption, thumbnails and search --export
refuse devices, FIFOs, symlinks, indexed videos, folders, unknown suffixes and existing files (unless
--force), each in one line naming the file; nothing they point at changes."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

import vidagent

from .clirun import one_error_line, vcli
from .conftest import count, make_video


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("outputs")
    video = make_video(d / "source.mp4", [("red", 2), ("blue", 3), ("green", 2)])
    cfg = d / "config.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    store = d / "store"
    report = vidagent.index(video, store=store, config=cfg)
    assert report.files[0].status == "indexed"
    clip = vidagent.search("a blue coloured screen", store=store, config=cfg, top_k=1)[0].clip_id
    return {"dir": d, "video": video, "cfg": cfg, "store": store, "clip": Path(clip)}


def _targets(d: Path) -> dict[str, Path]:
    """One of each hostile target, built in the test: FIFO, symlink, device (root only), folder."""
    d.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    fifo = d / "pipe.mp4"
    os.mkfifo(fifo)
    out["fifo"] = fifo
    victim = d / "victim.txt"
    victim.write_text("precious")
    link = d / "link.mp4"
    link.symlink_to(victim)
    out["symlink"] = link
    try:
        dev = d / "full.mp4"
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the /dev/full device
        out["device"] = dev
    except (PermissionError, OSError):
        pass  # not root (or no CAP_MKNOD): the device case is skipped, the others still run
    folder = d / "folder"
    folder.mkdir()
    out["folder"] = folder
    return out


def _unchanged(targets: dict[str, Path]) -> None:
    assert stat.S_ISFIFO(os.lstat(targets["fifo"]).st_mode)
    assert targets["symlink"].is_symlink() and (targets["symlink"].parent / "victim.txt").read_text() == "precious"
    if "device" in targets:
        assert stat.S_ISCHR(os.lstat(targets["device"]).st_mode)
    assert targets["folder"].is_dir() and not any(targets["folder"].iterdir())


def test_export_refuses_every_hostile_out_in_one_line(indexed: dict[str, Path], tmp_path: Path, capsys) -> None:
    targets = _targets(tmp_path / "t")
    clip, store = str(indexed["clip"]), indexed["store"]
    for kind, target in targets.items():
        for force in ([], ["--force"]):
            code, _, err = vcli(capsys, "export", clip, "--out", target, "--store", store, *force)
            line = one_error_line(err)
            assert code == 1 and str(target) in line, (kind, err)
            count("outputs refused")
    _unchanged(targets)
    # Unknown suffix and a folder-looking path: one line each, nothing created.
    for bad in (tmp_path / "clip.txt", tmp_path / "noext"):
        code, _, err = vcli(capsys, "export", clip, "--out", bad, "--store", store)
        assert code == 1 and "suffix" in one_error_line(err) and not bad.exists()
        count("outputs refused")


def test_export_never_writes_over_an_indexed_video(indexed: dict[str, Path], capsys) -> None:
    video = indexed["video"]
    before = video.read_bytes()
    for force in ([], ["--force"]):
        code, _, err = vcli(capsys, "export", str(indexed["clip"]), "--out", video, "--store", indexed["store"], *force)
        assert code == 1 and "indexed source video" in one_error_line(err)
        count("outputs refused")
    # ... nor over a copy of it at another path (same content = the same indexed video).
    copy = video.with_name("copy of source.mp4")
    shutil.copy(video, copy)
    code, _, err = vcli(capsys, "export", str(indexed["clip"]), "--out", copy, "--store", indexed["store"], "--force")
    assert code == 1 and "indexed source video" in one_error_line(err)
    count("outputs refused")
    assert video.read_bytes() == before and copy.read_bytes() == before


def test_existing_file_needs_force_and_own_outputs_are_refreshed(
    indexed: dict[str, Path], tmp_path: Path, capsys
) -> None:
    out = tmp_path / "mine.mp4"
    out.write_bytes(b"someone else's file")
    code, _, err = vcli(capsys, "export", str(indexed["clip"]), "--out", out, "--store", indexed["store"])
    assert code == 1 and "already exists (use --force" in one_error_line(err)
    count("outputs refused")
    assert out.read_bytes() == b"someone else's file"
    code, stdout, err = vcli(
        capsys, "export", str(indexed["clip"]), "--out", out, "--store", indexed["store"], "--force"
    )
    assert code == 0, err
    assert vidagent.video.probe(str(out)).duration == pytest.approx(3.0, abs=0.1)
    # vidagent wrote it and nobody changed it since: re-running replaces it without --force.
    code, _, err = vcli(capsys, "export", str(indexed["clip"]), "--out", out, "--store", indexed["store"])
    assert code == 0, err
    # Edited by someone since: refused again.
    with open(out, "ab") as f:
        f.write(b"edit")
    code, _, err = vcli(capsys, "export", str(indexed["clip"]), "--out", out, "--store", indexed["store"])
    assert code == 1 and "already exists" in one_error_line(err)
    count("outputs refused")
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file left behind"


def test_chapters_caption_thumbnails_and_search_export_use_the_same_guard(
    indexed: dict[str, Path], tmp_path: Path, capsys
) -> None:
    targets = _targets(tmp_path / "t")
    store, video, cfg = indexed["store"], indexed["video"], indexed["cfg"]
    victim = tmp_path / "t" / "victim.txt"
    for kind in ("fifo", "symlink", "device", "folder"):
        if kind not in targets:
            continue
        t = targets[kind]
        for args in (
            ["chapters", video, "--out", t, "--store", store],
            ["caption", video, "--out", t, "--store", store, "-c", cfg, "--format", "jsonl"],
        ):
            code, _, err = vcli(capsys, *args)
            assert code == 1 and str(t) in one_error_line(err), (kind, args, err)
            count("outputs refused")
    _unchanged(targets)
    # A file where a folder is expected (thumbnails, search --export, per-video subtitles).
    for args in (
        ["thumbnails", video, "--out", victim, "--store", store],
        ["search", "blue", "--store", store, "-c", cfg, "--export", victim],
        ["caption", video, "--out", victim, "--format", "srt", "--store", store, "-c", cfg],
    ):
        code, _, err = vcli(capsys, *args)
        assert code == 1 and "not a folder" in one_error_line(err), (args, err)
        count("outputs refused")
    assert victim.read_text() == "precious"
    # Chapters: unknown suffix; caption: its own output is refreshed on re-run, a foreign one is not.
    code, _, err = vcli(capsys, "chapters", video, "--out", tmp_path / "ch.srt", "--store", store)
    assert code == 1 and "unknown suffix '.srt'" in one_error_line(err)
    count("outputs refused")
    rows = tmp_path / "rows.jsonl"
    for _ in range(2):
        code, _, err = vcli(capsys, "caption", video, "--out", rows, "--store", store, "-c", cfg)
        assert code == 0, err
    assert [json.loads(x)["video"] for x in rows.read_text().splitlines()] == [str(video.resolve())] * 3
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text("keep me\n")
    code, _, err = vcli(capsys, "caption", video, "--out", foreign, "--store", store, "-c", cfg)
    assert code == 1 and "already exists" in one_error_line(err) and foreign.read_text() == "keep me\n"
    count("outputs refused")
    # Thumbnails into a folder holding a foreign file of the same name: refused, file kept.
    thumbs = tmp_path / "thumbs"
    code, _, err = vcli(capsys, "thumbnails", video, "--out", thumbs, "--store", store)
    assert code == 0, err
    first = sorted(thumbs.iterdir())[0]
    first.write_bytes(b"not ours")
    code, _, err = vcli(capsys, "thumbnails", video, "--out", thumbs, "--store", store)
    assert code == 1 and first.name in one_error_line(err) and first.read_bytes() == b"not ours"
    count("outputs refused")
