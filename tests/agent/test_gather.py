"""Which clips an answer is looked for in: the phrase naming one video scopes the question, and a short
video asked about is read whole."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidagent
from vidagent.agent.gather import _NAMED, named_scope, whole_video
from vidagent.agent.tools import Toolbox
from vidagent.config import load_settings
from vidagent.store import Store


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("What website is shown in the Creative Commons video?", "Creative Commons"),
        ("what is the license of the Big Buck Bunny film?", "Big Buck Bunny"),
        ("who is thanked in this signs clip", "signs"),
        ("What kind of animal is in the video?", None),  # "of animal is in the": not a name
        ("what is said in the first part of the film?", None),
        ("who is in the video?", None),
    ],
)
def test_the_phrase_naming_one_video(question: str, name: str | None) -> None:
    m = _NAMED.search(question)
    assert (m.group("name").strip() if m else None) == name


def test_a_named_short_video_is_asked_whole(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store  # signs.mp4: red 0-2 s, blue 2-5 s, green 5-7 s, white 7-10 s
    with Store(store, create=False) as st:
        box = Toolbox(st, load_settings(cfg))
        scoped = named_scope(box, "Which fund is thanked in the signs video?", 5)
        assert scoped is not None and scoped[1] == "Which fund is thanked?"
        assert st.find_video(scoped[0]) is not None
        assert named_scope(box, "Which fund is thanked in the video?", 5) is None  # names no video
        first = [{"clip_id": r["clip_id"]} for r in st.active_rows()[:1]]
        rest = whole_video(box, first, scoped[0])
        assert len(rest) == len(st.active_rows()) - 1 and first[0]["clip_id"] not in {r["clip_id"] for r in rest}
        assert [float(r["start"]) for r in rest] == sorted(float(r["start"]) for r in rest)
        assert whole_video(box, first, None) == []
    answer = vidagent.ask("Which fund is thanked in the signs video?", store=store, config=cfg, requery=False)
    assert "Blue Pioneers Fund" in answer.answer and answer.citations[0].start < 5.0


def test_a_video_noun_that_one_file_name_holds_scopes_the_question(tmp_path: Path) -> None:
    from ..conftest import make_video

    cfg = tmp_path / "config.yaml"
    cfg.write_text("describe:\n  describer: test-sign\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    videos = tmp_path / "videos"
    videos.mkdir()
    make_video(videos / "bbb_trailer.mp4", [("red", 2), ("blue", 2)])
    make_video(videos / "signs.mp4", [("green", 2), ("white", 2)])
    vidagent.index(videos, store=tmp_path / "store", config=cfg)
    with Store(tmp_path / "store", create=False) as st:
        box = Toolbox(st, load_settings(cfg))
        scoped = named_scope(box, "Which fund is thanked in the trailer?", 5)
        assert scoped is not None and scoped[1] == "Which fund is thanked in the trailer?"
        found = st.find_video(scoped[0])
        assert found is not None and found.path.endswith("bbb_trailer.mp4")
        assert named_scope(box, "Which fund is thanked in the film?", 5) is None  # no file says "film"
        assert named_scope(box, "Who presents the trailer?", 5) is not None  # the object, too
