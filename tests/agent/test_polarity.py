"""Yes or no from the sentence or line that states a yes/no question (`agent/polarity.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidagent.agent.compose import ClipEvidence, best, candidates, rank
from vidagent.agent.polarity import asked, negated, settle
from vidagent.agent.question import analyse
from vidagent.types import Segment, TextBox


def _talk(clip_id: str, *said: tuple[float, float, str]) -> ClipEvidence:
    """A clip of these sentences said (start, end, text), spanning them."""
    segs = [Segment(a, b, text) for a, b, text in said]
    return ClipEvidence(clip_id, f"{clip_id}.mp4", "h", segs[0].start - 1.0, segs[-1].end + 1.0, speech=segs)


def _screen(clip_id: str, t: float, *lines: tuple[str, float]) -> ClipEvidence:
    """A clip showing these lines (text, top) on one frame at `t`, one under the other."""
    boxes = [TextBox(text, 0.3, y0, 0.7, y0 + 0.03, 0.95, t) for text, y0 in lines]
    return ClipEvidence(clip_id, "film.mp4", "h", t - 5.0, t + 5.0, boxes=boxes)


def _promo() -> ClipEvidence:
    return _talk(
        "p1",
        (60.0, 64.0, "Copyright protects your creativity against uses you don't consent to."),
        (64.0, 67.0, "But sometimes full copyright is too restrictive."),
        (120.0, 124.0, "Creativity. You don't give up your copyright. You refine it."),
    )


def _credits() -> ClipEvidence:
    return _screen(
        "c1",
        570.0,
        ("BIG BUCK BUNNY HAS BEEN REALISED", 0.30),
        ("WITH THE FINANCIAL SUPPORT FROM", 0.34),
        ("Digital Pioneers fund", 0.40),
    )


def _licence() -> ClipEvidence:
    return _screen(
        "c2", 577.0, ("BIG BUCK BUNNY HAS BEEN REALISED", 0.30), ("LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0", 0.70)
    )


def _settled(q: str, ev: ClipEvidence) -> str | None:
    from vidagent.describe import get_embedder

    query = analyse(q)
    text, group = best(query, rank(query, candidates(query, [ev]), get_embedder("minilm")))
    return settle(query, group[0], text) if group else ""


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Do you give up your copyright?", "No: You don't give up your copyright."),
        ("Does copyright protect your creativity?", "Yes: Copyright protects"),  # "don't consent": not what is asked
        ("Is full copyright too restrictive?", "Yes: But sometimes full copyright is too restrictive."),
        ("Is copyright free?", None),  # only part of it is said: not settled
    ],
)
def test_yes_or_no_from_what_was_said(question: str, answer: str | None) -> None:
    got = _settled(question, _promo())
    assert got is None if answer is None else got is not None and got.startswith(answer)


def test_a_name_met_elsewhere_in_the_clip_settles_it() -> None:
    got = _settled("Was Big Buck Bunny funded by the Digital Pioneers fund?", _credits())
    assert got == "Yes: WITH THE FINANCIAL SUPPORT FROM / Digital Pioneers fund"


def test_a_negation_counts_only_over_the_asked_words() -> None:
    q = analyse("Do you give up your copyright?")
    assert negated(q, "You don't give up your copyright.")
    assert not negated(q, "Copyright protects your creativity against uses you don't consent to.")
    assert negated(q, "It is never about copyright")


def test_everything_asked_must_be_said_light_verbs_too() -> None:
    # "give up" is what is asked: "happy to give to the public" does not say it
    assert asked("Do you give up your copyright with a Creative Commons license?") == [
        ("give up", False),
        ("copyright", False),
        ("creative", True),
        ("commons", True),
        ("license", False),
    ]
    ev = _talk(
        "p2",
        (90.0, 92.0, "Creative Commons."),
        (92.0, 99.0, "We provide free copyright licenses you're happy to give to the public."),
    )
    assert _settled("Do you give up your copyright with a Creative Commons license?", ev) is None


def test_the_closing_setting_may_be_stated_elsewhere_in_the_clip() -> None:
    """ "... with a Creative Commons license?": the setting may be on screen while the rest is said; a clip
    that never states the setting settles nothing, and what is asked itself must still be said."""
    said = [Segment(118.0, 119.0, "Creativity."), Segment(119.0, 122.0, "You don't give up your copyright.")]
    shown = [TextBox(t, 0.3, y, 0.7, y + 0.05, 0.95, 120.0) for t, y in (("creative", 0.2), ("commons", 0.3))]
    shown.append(TextBox("Get a license", 0.3, 0.6, 0.7, 0.65, 0.95, 120.0))
    ev = ClipEvidence("p3", "promo.mp4", "h", 116.0, 126.0, speech=said, boxes=shown)
    q = "Do you give up your copyright with a Creative Commons license?"
    assert _settled(q, ev) == "No: You don't give up your copyright."
    bare = ClipEvidence("p4", "promo.mp4", "h", 116.0, 126.0, speech=said)
    assert not _settled(q, bare)  # nothing in the clip says "Creative Commons"
    assert not _settled("Do you lose your copyright with a Creative Commons license?", ev)  # "lose" is not said


def test_a_sentence_restating_the_question_confirms_it() -> None:
    # "I'm the principal author of Psychopi." holds nothing the question does not: for a what-question
    # it only repeats it, for a yes/no question it is the answer (the name near-spelt, met in the clip)
    ev = _talk(
        "t1",
        (0.8, 1.7, "Hi, I'm John Pierce."),
        (1.7, 4.3, "I'm a lecturer in psychology at the University of Nottingham."),
        (4.3, 7.0, "I'm the principal author of Psychopi."),
    )
    assert _settled("Is John Pierce the principal author of PsychoPy?", ev) == (
        "Yes: I'm the principal author of Psychopi."
    )


def test_a_preposition_relating_the_words_is_not_asked_about() -> None:
    assert "under" not in analyse("Is Big Buck Bunny licensed under Creative Commons?").focus
    got = _settled("Is Big Buck Bunny licensed under Creative Commons?", _licence())
    assert got == "Yes: LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0", got


def test_yes_or_no_end_to_end(sign_store: tuple[Path, Path]) -> None:
    import vidagent

    store, cfg = sign_store  # signs.mp4 shows "Made with support from the Blue Pioneers Fund" at 2-5 s
    yes = vidagent.ask("Was the video made with support from the Blue Pioneers Fund?", store=store, config=cfg)
    assert yes.answer == "Yes: Made with support from the Blue Pioneers Fund", yes.answer
    assert yes.citations and yes.citations[0].verified and 2.0 <= yes.citations[0].start < 5.0
    # only part of it is said: no answer, the closest evidence in a note
    part = vidagent.ask(
        "Was the video made with money from the Blue Pioneers Fund?", store=store, config=cfg, requery=False
    )
    assert not part.found and not part.citations
    assert part.notes and part.notes[0].startswith('not said in so many words; the closest: "Made with support')
