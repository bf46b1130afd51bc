"""Who is speaking (the name a speaker gives), the first or last mention, how many videos, and "who
VERBed NAME": what counts as each question and what the answerers read from it. End to end on real
speech: tests/agent/test_qa_eval.py."""

from __future__ import annotations

import pytest

from vidagent.agent.library import _ALL, _HOW_MANY
from vidagent.agent.mentions import asks_ordinal
from vidagent.agent.question import analyse, as_role, as_when
from vidagent.agent.speaker import _describes, asks_speaker, introduced


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Hi, I'm John Pierce.", "John Pierce"),
        ("Hello everyone, I'm Brian.", "Brian"),  # one word: a greeting makes it an introduction
        ("My name is Ada Lovelace and I work on engines.", "Ada Lovelace"),
        ("my name's Grace", "Grace"),
        ("Welcome, this is Dr. Jane van der Berg", "Dr. Jane van der Berg"),
        ("I'm Maria de la Cruz from the lab.", "Maria de la Cruz"),
        ("So I'm Ton Roosendaal, the producer.", "Ton Roosendaal"),
    ],
)
def test_the_name_a_speaker_gives(sentence: str, name: str) -> None:
    assert introduced(sentence) == name


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm English.",  # a lone capitalised word after a plain "I'm" is not surely a name
        "I'm a lecturer in psychology.",
        "This is London at night.",  # "this is" without a greeting introduces nobody
        "When you share your creativity, you're enabling people anywhere to use it.",
        "I am going to show you the results.",
    ],
)
def test_sentences_that_give_no_name(sentence: str) -> None:
    assert introduced(sentence) is None


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("Who is speaking in psychopy_jwpIntro.mp4?", " in psychopy_jwpIntro.mp4?"),
        ("who's talking?", "?"),
        ("What is the speaker's name?", "?"),
        ("what is the name of the narrator in the trailer?", " in the trailer?"),
        ("Who is the lecturer from Nottingham?", " from Nottingham?"),
        ("who narrates the film", " the film"),
    ],
)
def test_who_is_speaking_questions(question: str, rest: str) -> None:
    assert asks_speaker(question) == rest


@pytest.mark.parametrize(
    "question", ["Who is the director of Big Buck Bunny?", "What is the speaker made of?", "who is it?", "who wins?"]
)
def test_other_who_questions_are_not_about_the_speaker(question: str) -> None:
    assert asks_speaker(question) is None


def test_a_first_person_sentence_says_what_its_speaker_is() -> None:
    author = analyse("who is the principal author of PsychoPy?")
    assert _describes(author, "I'm the principal author of Psychopi.")  # one letter misheard, 8+ letters
    assert not _describes(author, "He is the principal author of PsychoPy.")  # not the speaker
    assert not _describes(author, "I'm the principal author of the paper.")  # PsychoPy not said
    lecturer = analyse("who is the lecturer at the University of Nottingham?")
    assert _describes(lecturer, "I'm a lecturer in psychology at the University of Nottingham.")
    assert not _describes(lecturer, "I'm a lecturer in psychology at the University of Oxford.")
    short = analyse("who is the author of Psy?")  # short words must be said as they are
    assert not _describes(short, "I'm the author of Psi.")


@pytest.mark.parametrize(
    ("question", "which", "words"),
    [
        ("When is creativity first mentioned?", "first", "creativity mentioned"),
        ("When is the word share first said in the openboard video?", "first", "share said in the openboard video"),
        ("when does the narrator first say share", "first", "the narrator say share"),
        ("When is creativity mentioned for the last time?", "last", "creativity mentioned"),
        ("when is the last time MoviePy is shown?", "last", "MoviePy is shown"),
        ("At what time is Nottingham first mentioned?", "first", "Nottingham mentioned"),
        ("When does the logo appear for the final time?", "last", "the logo appear"),
    ],
)
def test_first_and_last_mentions(question: str, which: str, words: str) -> None:
    got = asks_ordinal(question)
    assert got is not None and got[1] == which
    assert " ".join(got[0].split()) == words


@pytest.mark.parametrize(
    "question",
    ["When is creativity mentioned?", "What is the first thing said?", "how many times is share said?"],
)
def test_not_first_or_last_mentions(question: str) -> None:
    assert asks_ordinal(question) is None


def test_the_word_itself_is_asked_about_in_when_questions() -> None:
    assert as_when("when is the word creativity said?") == "when is creativity said?"
    assert as_when("When is the phrase creative commons shown?") == "When is creative commons shown?"
    assert as_when("when is the name of the film shown?") == "when is the name of the film shown?"
    assert "word" not in analyse("when is the word creativity said?").focus


@pytest.mark.parametrize(
    ("question", "rest", "everything"),
    [
        ("How many videos are in the library?", "are in the library", True),
        ("how many videos do I have", "do I have", True),
        ("How many files are indexed?", "are indexed", True),
        ("How many videos are there?", "are there", True),
        ("How many videos have speech?", "have speech", False),
        ("how many videos show a giraffe?", "show a giraffe", False),
    ],
)
def test_how_many_videos(question: str, rest: str, everything: bool) -> None:
    m = _HOW_MANY.match(question)
    assert m is not None and m.group("rest") == rest
    assert (set(m.group("rest").lower().split()) <= _ALL) is everything


@pytest.mark.parametrize(
    ("question", "listing"),
    [
        ("list the videos in the library", True),
        ("What videos are in the library?", True),
        ("which videos do I have?", True),
        ("Show me all the videos", True),
        ("which videos show a dog?", False),  # a which-video question: asked of what the videos show
        ("what videos have speech?", False),  # a channel: `library_answer`
    ],
)
def test_a_listing_of_the_videos(question: str, listing: bool) -> None:
    from vidagent.agent.library import _LIST

    m = _LIST.match(question)
    assert (m is not None and set(m.group("rest").lower().replace("?", "").split()) <= _ALL) is listing


def test_who_verbed_a_named_work_is_asked_as_the_role() -> None:
    assert as_role("Who directed Big Buck Bunny?") == "who is the director of Big Buck Bunny?"
    assert as_role("who made Big Buck Bunny") == "who is the producer of Big Buck Bunny?"
    q = analyse("Who produced Big Buck Bunny?")
    assert q.attr and {"big", "buck"} <= q.scope  # the role held by the span, the work met by its clip
    for unchanged in ("who made the trailer?", "Who wrote the original story and script?", "who made it?"):
        assert as_role(unchanged) == unchanged  # the video itself; a role described, not a work named


def test_the_role_asked_about_without_the_words_naming_the_video() -> None:
    from types import SimpleNamespace

    from vidagent.agent.speaker import _unnamed

    v = SimpleNamespace(path="/v/psychopy_testMovie.mp4")
    box = SimpleNamespace(store=SimpleNamespace(videos=lambda: [v]))
    assert _unnamed(box, "the lecturer in the testMovie video") == "the lecturer"  # type: ignore[arg-type]
    assert _unnamed(box, "the lecturer in psychopy_testMovie.mp4") == "the lecturer"  # type: ignore[arg-type]
    assert _unnamed(box, "the lecturer from Nottingham") == "the lecturer from Nottingham"  # type: ignore[arg-type]
