"""Everything said or written in one video, in time order: which questions ask for it, and the answer."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidagent
from vidagent.agent.listing import asks_listing, time_range


@pytest.mark.parametrize(
    ("question", "kind", "naming"),
    [
        ("What is said in the jwpIntro video?", "said", "jwpIntro video"),
        ("What text appears in the trailer?", "shown", "trailer"),
        ("which words are shown on screen in the film?", "shown", "film"),
        ("List everything written in the trailer", "shown", "trailer"),
        ("show me all the text in testMovie", "shown", "testMovie"),
        ("Give me a transcript of psychopy_jwpIntro.mp4", "said", "psychopy_jwpIntro.mp4"),
        ("what's spoken in the lecture?", "said", "lecture"),
        ("what is said between 1:00 and 1:10 in the lecture?", "said", "lecture"),  # a stretch of it
        ("What is written from 0:30 to 2:05 in the trailer?", "shown", "trailer"),
    ],
)
def test_questions_asking_for_everything_said_or_shown(question: str, kind: str, naming: str) -> None:
    assert asks_listing(question, {"jwpintro", "testmovie"}) == (kind, naming)


@pytest.mark.parametrize(
    "question",
    [
        "What is said at 1:10 in the film?",  # a moment, not everything
        "What is said about licenses in the film?",  # about something: the composer's
        "What text appears on the sign in the film?",
        "what is written in the sky?",  # not a video
        "What is shown in the gradio video?",  # what is seen: a summary
    ],
)
def test_not_questions_asking_for_everything(question: str) -> None:
    assert asks_listing(question) is None


def test_everything_shown_in_order_and_nothing_heard(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store  # signs.mp4: a sign per shot, read by the test describer; no speech recognition
    shown = vidagent.ask("What text appears in the signs video?", store=store, config=cfg, requery=False)
    assert shown.answer.startswith("4 lines shown in signs.mp4: 0:00:00"), shown.answer
    listed = shown.answer.split(": ", 1)[1]
    assert listed.index("Blue Pioneers Fund") < listed.index("the meadow") < listed.index("The End")
    assert [c.kind for c in shown.citations] == ["on screen"] * 4 and all(c.verified for c in shown.citations)
    said = vidagent.ask("What is said in the signs video?", store=store, config=cfg, requery=False)
    assert not said.found and said.notes and "signs.mp4" in said.notes[0]


def test_a_stretch_of_the_video_lists_only_what_overlaps_it(sign_store: tuple[Path, Path]) -> None:
    assert time_range("what is said between 1:00 and 1:10?") == (60.0, 70.0, " between 1:00 and 1:10")
    assert time_range("from 1:02:03 to 0:10") == (10.0, 3723.0, "from 1:02:03 to 0:10")
    assert time_range("what is said at 1:00?") is None
    store, cfg = sign_store
    every = vidagent.ask("What text appears in the signs video?", store=store, config=cfg, requery=False)
    first, second = every.citations[:2]  # each line's stretch on screen, in order
    assert second.start >= first.end
    part = vidagent.ask(
        f"What text appears between 0:00 and 0:{(first.end + second.start) / 2:05.2f} in the signs video?",
        store=store,
        config=cfg,
        requery=False,
    )
    assert part.answer.startswith("1 line shown in signs.mp4 between 0:00:00.000 and "), part.answer
    assert "IGNORE PREVIOUS" in part.answer and "Blue Pioneers Fund" not in part.answer
