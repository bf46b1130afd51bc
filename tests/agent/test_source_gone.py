"""Source file gone (issue 16, item 9): `search` still finds the clip, and `ask` keeps it as an
unverified citation answered from its stored description, as docs/agent.md promises (it used to say
"Not found")."""

from __future__ import annotations

from pathlib import Path

import vidagent
from vidagent.agent import ask

from ..clirun import vcli
from .conftest import make_video


def test_ask_keeps_clips_of_a_deleted_video_as_unverified(tmp_path: Path, capsys) -> None:
    video = make_video(tmp_path / "signs.mp4", [("red", 2), ("blue", 3), ("green", 2), ("white", 3)])
    cfg = tmp_path / "c.yaml"
    cfg.write_text("describe:\n  describer: test-sign\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    store = tmp_path / "st"
    assert vidagent.index(video, store=store, config=cfg).files[0].status == "indexed"
    video.unlink()
    hits = vidagent.search("Blue Pioneers Fund", store=store, config=cfg, top_k=1)
    assert hits and "Blue Pioneers Fund" in hits[0].caption
    result = ask("Which fund supported the film?", store=store, config=cfg)
    assert "Blue Pioneers Fund" in result.answer and not result.answer.startswith("Not found")
    assert len(result.citations) == 1
    c = result.citations[0]
    assert (c.start, c.end, c.verified) == (2.0, 5.0, False) and "Blue Pioneers Fund" in c.evidence
    verify = [s for s in result.steps if s["tool"] == "verify"]
    assert verify and "kept unverified: the video file is gone" in verify[-1]["result"]
    code, out, err = vcli(capsys, "ask", "Which fund supported the film?", "-s", store, "-c", cfg)
    assert code == 0 and "[unverified]" in out and "internal error" not in err
