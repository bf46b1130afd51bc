"""When-questions answered with the moment something is said or shown (`agent/moments.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidagent
from vidagent.agent.moments import asks_moment
from vidagent.agent.question import analyse


@pytest.mark.parametrize(
    ("question", "moment"),
    [
        ("When does the speaker mention Nottingham?", True),
        ("When is the fund shown?", True),
        ("What time does the title appear?", True),
        ("When was the film made?", False),  # a date, left to the time type
        ("When did the company start?", False),
        ("Who is the speaker?", False),
        # the other ways to ask it
        ("At what time is Nottingham mentioned?", True),
        ("At which point does the narrator talk about licenses?", True),
        ("Where in the video is the fund shown?", True),
        ("What second does the logo appear?", True),
        ("Find the moment where the narrator talks about licenses", True),
        ("Take me to the part where the rabbit wakes up", True),
        ("Show me when the title appears", True),
        ("Where is the film set?", False),
        ("Show me the video with a dog", False),
        ("At what temperature does water boil?", False),
    ],
)
def test_asks_moment(question: str, moment: bool) -> None:
    assert asks_moment(analyse(question)) is moment


@pytest.mark.parametrize(
    ("question", "when"),
    [
        ("At what time is Nottingham mentioned?", "when is Nottingham mentioned?"),
        ("Where in the trailer does MoviePy appear?", "when does MoviePy appear?"),
        ("What time does the title appear?", "when does the title appear?"),
        ("Find the moment where the narrator talks about licenses", "when does the narrator talks about licenses"),
        ("Show me where Enrico Valenza is shown", "when does Enrico Valenza is shown"),  # for analysis only
        ("When is the fund shown?", "When is the fund shown?"),
    ],
)
def test_other_ways_to_ask_when_are_put_as_when_questions(question: str, when: str) -> None:
    from vidagent.agent.question import as_when

    assert as_when(question) == when


def test_a_when_question_is_answered_with_the_moment_the_words_are_on_screen(sign_store: tuple[Path, Path]) -> None:
    store, _ = sign_store  # red 0-2 s, blue 2-5 s ("... Blue Pioneers Fund"), green 5-7 s, white 7-10 s
    ans = vidagent.ask("When is the Blue Pioneers Fund shown?", store=store, requery=False)
    assert ans.found and ans.answer.startswith("at ") and ans.answer.endswith("in signs.mp4")
    (cite,) = ans.citations
    assert cite.verified and cite.kind == "on screen" and "Blue Pioneers Fund" in cite.evidence
    assert 2.0 - 0.5 <= cite.start < cite.end <= 5.0 + 0.5
    meadow = vidagent.ask("When is the meadow chapter shown?", store=store, requery=False)
    assert meadow.found and 5.0 - 0.5 <= meadow.citations[0].start < 7.0


def test_a_moment_asked_in_other_words_is_the_same_moment(sign_store: tuple[Path, Path]) -> None:
    store, _ = sign_store
    for q in ("At what time is the Blue Pioneers Fund shown?", "Find the moment where the Blue Pioneers Fund is shown"):
        ans = vidagent.ask(q, store=store, requery=False)
        assert ans.found and ans.answer.startswith("at ") and 2.0 - 0.5 <= ans.citations[0].start < 5.0, q
    assert not vidagent.ask("Show me where the Red Cross fund is shown", store=store, requery=False).found


def test_a_moment_must_hold_every_word_of_the_question(sign_store: tuple[Path, Path]) -> None:
    store, _ = sign_store
    # "Fund" is on screen, "Red Cross" nowhere: a clip that only resembles the question is no moment
    assert not vidagent.ask("When is the Red Cross fund shown?", store=store, requery=False).found
    assert not vidagent.ask("When was the Blue Pioneers Fund founded?", store=store, requery=False).found


def test_which_video_names_the_video_a_line_is_shown_in(sign_store: tuple[Path, Path]) -> None:
    store, _ = sign_store
    ans = vidagent.ask("Which video mentions the Blue Pioneers Fund?", store=store, requery=False)
    assert ans.found and ans.answer.startswith("signs.mp4 (shown at ") and ans.citations[0].verified


def test_when_something_is_seen_the_tagger_answers_surest_video_first() -> None:
    from types import SimpleNamespace

    from vidagent.agent.compose import ClipEvidence
    from vidagent.agent.moments import seen_moment
    from vidagent.agent.question import analyse

    cockatoo = "sulphur-crested cockatoo"
    evs = [
        ClipEvidence("b", "/v/cockatoo.mp4", "h2", 7.85, 14.0, tag_scores=[(cockatoo, 0.46)]),
        ClipEvidence("c", "/v/cockatoo.mp4", "h2", 0.0, 7.85, tag_scores=[(cockatoo, 0.08)]),  # unsure: not cited
        ClipEvidence("a", "/v/stitched.mp4", "h1", 0.0, 3.0, tag_scores=[(cockatoo, 0.6)]),
        ClipEvidence("d", "/v/earth.mp4", "h3", 0.0, 5.0, tag_scores=[("bubble", 0.9)]),
    ]
    box = SimpleNamespace(steps=[])

    def ask(q: str) -> object:
        return seen_moment(box, q, analyse(q), evs, "")  # type: ignore[arg-type]

    ans = ask("When does the cockatoo appear?")
    assert ans is not None and ans.answer.startswith(  # type: ignore[attr-defined]
        "at 0:00:00.000-0:00:03.000 in stitched.mp4 (seen: sulphur-crested cockatoo (0.60); image tagger; also 1"
    )
    assert [c.clip_id for c in ans.citations] == ["a", "b"]  # type: ignore[attr-defined]
    assert all(c.kind == "seen" and not c.verified for c in ans.citations)  # type: ignore[attr-defined]
    assert ask("when do we see a bird?") is not None  # a cockatoo is a kind of bird (WordNet)
    assert ask("When does the cockatoo raise its crest?") is None  # more than a label shows
    assert ask("when does the horse appear?") is None


def test_a_moment_must_hold_a_word_of_its_own_not_only_the_file_name() -> None:
    from vidagent.agent.compose import ClipEvidence
    from vidagent.agent.moments import moment_span, seen_moment
    from vidagent.types import Segment

    said = [Segment(0.5, 1.5, "Thank you.")]  # speech recognition on bubbles
    diver = [ClipEvidence("d", "/v/diver.mov", "h", 0.0, 7.0, speech=said, tag_scores=[("bow tie", 0.46)])]
    assert moment_span(analyse("when does the diver appear?"), diver, embed=None) is None
    from types import SimpleNamespace

    q = "When does the bow tie appear?"  # a label of two words is one thing
    ans = seen_moment(SimpleNamespace(steps=[]), q, analyse(q), diver, "")  # type: ignore[arg-type]
    assert ans is not None and ans.answer.startswith("at 0:00:00.000-0:00:07.000 in diver.mov (seen: bow tie (0.46)")


def test_when_something_is_first_or_last_seen() -> None:
    from types import SimpleNamespace

    from vidagent.agent.compose import ClipEvidence
    from vidagent.agent.moments import seen_moment

    dog = [
        ClipEvidence(c, "/v/dog.mp4", "h", t, t + 2.0, tag_scores=[("Samoyed", 0.8)])
        for c, t in (("a", 0.0), ("b", 4.0))
    ]
    box = SimpleNamespace(steps=[])
    for q, start in (
        ("When does the dog first appear?", "0:00:00.000"),
        ("when is the dog seen for the last time?", "0:00:04.000"),
    ):
        ans = seen_moment(box, q, analyse(q), dog, "")  # type: ignore[arg-type]
        assert ans is not None and ans.answer.startswith(f"at {start}"), (q, ans and ans.answer)
