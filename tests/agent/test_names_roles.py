"""Round 12 of the offline answerer: names as one concept, names met in another clip of the video, the
asked noun counted only when met, roles asked from a name, people named by what they are, and "free"
answering a question about a price (hand-built evidence, MiniLM, no video)."""

from __future__ import annotations

import pytest

from vidagent.agent.compose import ClipEvidence, best, candidates, rank
from vidagent.agent.fit import type_fit
from vidagent.agent.polarity import first_settled, negated
from vidagent.agent.question import analyse, coverage
from vidagent.types import Segment, TextBox


def _answer(q: str, *evs: ClipEvidence) -> tuple[str, list]:
    from vidagent.describe import get_embedder

    query = analyse(q)
    return best(query, rank(query, candidates(query, list(evs)), get_embedder("minilm")))


def _screen(clip_id: str, video_hash: str, t: float, *lines: tuple[str, float, float]) -> ClipEvidence:
    """A clip showing these cells (text, left, top) on one frame at `t`."""
    boxes = [TextBox(text, x0, y0, x0 + 0.3, y0 + 0.03, 0.95, t) for text, x0, y0 in lines]
    return ClipEvidence(clip_id, f"{video_hash}.mp4", video_hash, t - 5.0, t + 5.0, boxes=boxes)


def _team(video_hash: str = "film") -> ClipEvidence:
    """A credits roll that does not name its film."""
    return _screen(
        "team",
        video_hash,
        492.0,
        ("CAMPBELL BARTON", 0.2, 0.40),
        ("Technical Director", 0.55, 0.40),
        ("BRECHT VAN LOMMEL", 0.2, 0.45),
        ("Software Developer", 0.55, 0.45),
        ("WILLIAM REYNISH", 0.2, 0.50),
        ("Character Animator", 0.55, 0.50),
    )


def _card(video_hash: str = "film") -> ClipEvidence:
    """The film's closing card: its title, its licence."""
    return _screen(
        "card",
        video_hash,
        570.0,
        ("BIG BUCK BUNNY HAS BEEN REALISED", 0.3, 0.30),
        ("WITH THE FINANCIAL SUPPORT FROM", 0.3, 0.34),
        ("Digital Pioneers fund", 0.3, 0.40),
        ("LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0", 0.3, 0.70),
    )


def _talk(*said: str) -> ClipEvidence:
    segs = [Segment(2.0 * i, 2.0 * i + 2.0, text) for i, text in enumerate(said)]
    return ClipEvidence("talk", "talk.mp4", "talk", 0.0, 2.0 * len(said), speech=segs)


def test_a_name_of_several_words_is_one_concept() -> None:
    q = analyse("What did Campbell Barton do on Big Buck Bunny?")
    assert sorted(len(g) for g in q.concepts()) == [2, 3]
    # one name of the two met: half the question, not two words of five
    assert coverage(q, "CAMPBELL BARTON | Technical Director") == 0.5
    assert coverage(q, "BIG BUCK BUNNY HAS BEEN REALISED") == 0.5
    assert coverage(q, "Big Bang") == pytest.approx(1 / 6)  # part of a name is part of its concept
    assert len(analyse("Was Brecht van Lommel the developer?").names[0]) == 3  # "van" joins a name
    assert analyse("Who is the narrator?").names == []


def test_a_name_is_met_by_another_clip_of_the_same_video() -> None:
    # The credits roll does not say "Big Buck Bunny"; the same video's closing card does.
    assert _answer("What did Campbell Barton do on Big Buck Bunny?", _team(), _card())[0] == "Technical Director"
    # the card of another video names another film: the roll is then about no film asked of
    assert _answer("What did Campbell Barton do on Big Buck Bunny?", _team("other"), _card())[0] == ""


def test_a_role_asked_from_the_name() -> None:
    # the asked noun (job, role) is what the value is: the label need not say it
    assert _answer("What was Brecht van Lommel's job on Big Buck Bunny?", _team(), _card())[0] == "Software Developer"
    # "Character Animator" is capitalised like a name, but an animator is a kind of person: a role
    assert _answer("What role did William Reynish have?", _team())[0] == "Character Animator"


def test_the_asked_noun_counts_only_when_met() -> None:
    talk = _talk("Hi, I'm Jane Doe.", "I'm a lecturer in psychology at the University of Leeds.")
    text, _ = _answer("What subject does Jane Doe lecture in?", talk)
    assert "psychology" in text
    # left out only when the span says all the rest: "RENDERED ... IN: / Rlender" is not which company
    assert (
        _answer(
            "Which company provided the rendering?",
            _screen("r", "film", 530.0, ("RENDERED IN:", 0.3, 0.3), ("Rlender", 0.35, 0.34)),
        )[0]
        == ""
    )
    # a sentence said is credited with "the narrator" in a question, but not with a website: the noun a
    # website question asks for must be met by what the span itself says
    talk = _talk("And the writer whose stories use ideas from people he never met.")
    assert _answer("What website is shown with the narrator's name?", talk)[0] == ""


def test_a_line_saying_only_the_names_is_no_answer() -> None:
    text, spans = _answer("Which licence does Big Buck Bunny use?", _card())
    assert "use" not in analyse("Which licence does Big Buck Bunny use?").focus
    assert text == "LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0", text


def test_a_person_named_by_what_they_are() -> None:
    talk = _talk("Take the teacher who shapes young minds with work and wisdom from around the globe.")
    assert _answer("Who shapes young minds?", talk)[0] == "the teacher"
    assert _answer("Who paints old bridges?", talk)[0] == ""
    who = analyse("Who shapes young minds?")
    assert type_fit(who, "the teacher") == 0.5 and type_fit(who, "the table") == 0.0
    assert type_fit(who, "Jane Doe") == 1.0


def test_whose_voice_is_the_narrator() -> None:
    roll = _screen("cc", "cc", 150.0, ("NARRATOR", 0.3, 0.40), ("Sara Kraft", 0.3, 0.45))
    q = analyse("Whose voice do we hear?")
    assert q.qtype == "who" and q.focus == ["voice"]
    assert _answer("Whose voice do we hear?", roll)[0] == "Sara Kraft"


def test_a_web_address_answers_which_website_not_what_a_website_does() -> None:
    url = "WWW.BIGBUCKBUNNY.ORG"
    assert type_fit(analyse("What does the Creative Commons website ask you?"), url) == 0.0
    assert type_fit(analyse("What is the film's website?"), url) > 0.0
    assert type_fit(analyse("What website is shown?"), url) > 0.0
    # and "what website" wants an address: a sentence naming "our website" names none
    assert type_fit(analyse("What website is shown?"), "Just come to our website") == 0.0


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Who made the sound effects?", ["sound", "effects"]),  # the credit names who did it
        ("Who made the trailer?", ["made"]),  # nothing else asked: the verb is the question
        ("Who handled finances at the Blender Institute?", ["finances", "blender", "institute"]),
    ],
)
def test_who_made_asks_for_who_did_the_thing(question: str, focus: list[str]) -> None:
    assert analyse(question).focus == focus


def test_free_answers_a_question_about_a_price() -> None:
    assert negated(analyse("Does Creative Commons charge for its licenses?"), "We provide free copyright licenses")
    assert negated(analyse("Do you have to pay for a license?"), "It's totally free.")
    assert not negated(analyse("Is a Creative Commons license free?"), "We provide free copyright licenses")


def test_a_lower_span_that_states_it_settles_a_yes_no_question() -> None:
    from vidagent.describe import get_embedder

    promo = ClipEvidence(
        "promo",
        "promo.mp4",
        "promo",
        90.0,
        100.0,
        speech=[
            Segment(90.0, 92.0, "Creative Commons."),
            Segment(92.0, 99.0, "We provide free copyright licenses you can use."),
        ],
    )
    query = analyse("Does Creative Commons charge for its licenses?")
    ranked = rank(query, candidates(query, [_card(), promo]), get_embedder("minilm"))
    found = first_settled(query, ranked, ranked[0].answer)
    assert found is not None and found[0].clip.clip_id == "promo"
    assert found[1] == "No: We provide free copyright licenses you can use."


def test_who_is_a_named_person_asks_what_they_are() -> None:
    q = analyse("Who is Campbell Barton?")
    assert (q.qtype, q.answer_type) == ("what", "role")
    assert analyse("Who is the narrator?").answer_type == "person"  # a role asks for the name
    assert _answer("Who is Campbell Barton?", _team())[0] == "Technical Director"
    talk = _talk("Hi, I'm Jane Doe.", "I'm a lecturer in psychology at the University of Leeds.")
    assert "lecturer in psychology" in _answer("Who is Jane Doe?", talk)[0]
    # a name listed under a name is someone else, not what the first one is
    roll = _screen(
        "list",
        "film",
        520.0,
        ("SOFTWARE DEVELOPMENT", 0.2, 0.30),
        ("Ton Roosendaal", 0.3, 0.34),
        ("Janne Karhu", 0.3, 0.38),
    )
    assert _answer("Who is Ton Roosendaal?", roll)[0] != "Janne Karhu"
    assert _answer("Who is Mary Smith?", _team(), talk)[0] == ""


def test_a_name_of_several_words_is_met_whole_and_only_beside_one_met_here() -> None:
    card = _screen(
        "card",
        "film",
        570.0,
        ("WITH THE FINANCIAL SUPPORT FROM", 0.3, 0.34),
        ("Digital Pioneers fund", 0.35, 0.40),
        ("Blender Foundation", 0.35, 0.44),
    )
    staff = _screen("staff", "film", 530.0, ("BLENDER INSTITUTE STAFF", 0.2, 0.30), ("WEB SUPPORT", 0.3, 0.34))
    # "Blender" on the card and "INSTITUTE" on the staff page are not the Blender Institute met on the card,
    # and a name met only in another clip of the video does not put a span of this one in scope
    assert _answer("Who handled finances at the Blender Institute?", card, staff)[0] == ""
    staff.boxes.append(TextBox("FINANCES", 0.3, 0.40, 0.6, 0.43, 0.95, 530.0))
    staff.boxes.append(TextBox("Anja Vugts", 0.35, 0.44, 0.6, 0.47, 0.95, 530.0))
    assert _answer("Who handled finances at the Blender Institute?", card, staff)[0] == "Anja Vugts"


def test_who_is_speaking_is_no_named_person_and_a_video_named_as_object() -> None:
    from vidagent.agent.gather import _NAMED

    assert analyse("Who is speaking in the Big Buck Bunny film?").answer_type == "person"
    found = _NAMED.search("Which foundation supported the Creative Commons video?")
    assert found is not None and found.group("name").split() == ["Creative", "Commons"]
    assert _NAMED.search("Take me to the part where the trailer calls the bird unlucky") is None
