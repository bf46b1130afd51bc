"""How a question is put before it is read (`typed.plain`, `question.as_role`): what users type
besides questions, and names typed in lower case."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidagent.agent.question import as_role
from vidagent.agent.typed import plain


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("  who   is the art director ?", "who is the art director ?"),
        ("I want to know who directed Big Buck Bunny.", "who directed Big Buck Bunny."),
        ("Can you tell me who directed the film?", "who directed the film?"),
        ("Hi, what is the license?", "what is the license?"),
        ("Tell me who the lead artist was.", "who was the lead artist?"),  # an indirect question's order
        ("please tell me what the trailer is about", "what is the trailer about?"),
        ("tell me about the film", "what is the film about?"),
        ("the director of big buck bunny?", "who is the director of big buck bunny?"),  # a noun phrase
        ("licence of the film", "what is the licence of the film?"),
        # questions, listings and requests stay as they are
        ("who is the lead artist?", "who is the lead artist?"),
        ("list the videos", "list the videos"),
        ("show me all videos", "show me all videos"),
        ("what is the name of the rabbit?", "what is the name of the rabbit?"),
    ],
)
def test_plain(typed: str, asked: str) -> None:
    assert plain(typed) == asked


def test_a_name_in_lower_case_is_asked_as_the_role() -> None:
    assert as_role("who directed big buck bunny") == "who is the director of big buck bunny?"
    for unchanged in ("who wrote the original story", "who made it?", "who made this video?"):
        assert as_role(unchanged) == unchanged  # a thing described, the video itself


def test_asked_as_typed_answered_as_asked(tmp_path: Path) -> None:
    import vidagent

    from ..conftest import make_video

    (tmp_path / "v").mkdir()
    make_video(tmp_path / "v" / "three.mp4", [("red", 1), ("blue", 1), ("green", 1)])
    store = tmp_path / "store"
    vidagent.index(tmp_path / "v", store=store)
    typed = "Can you tell me how long the three video is?"  # indirect: no pattern of `filefacts` reads it
    got = vidagent.ask("  " + typed, store=store, requery=False)
    assert got.question == "  " + typed  # the user's words in the answer and the history
    assert got.answer.startswith("0:00:03.000 (3.0 s) (three.mp4)"), got.answer
