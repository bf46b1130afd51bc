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
