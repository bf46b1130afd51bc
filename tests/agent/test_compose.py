"""Question analysis and the offline answer composer on hand-built evidence (MiniLM, no video)."""

from __future__ import annotations

import pytest

from vidagent.agent.compose import ClipEvidence, best, candidates, rank
from vidagent.agent.fit import looks_like_name
from vidagent.agent.question import analyse, coverage
from vidagent.types import Segment, TextBox


@pytest.mark.parametrize(
    ("q", "qtype", "atype"),
    [
        ("Who was the lead artist?", "who", "person"),
        ("How many rodents are there?", "how_many", "number"),
        ("Which fund supported the film?", "which", "org"),
        ("When was it made?", "when", "time"),
        ("Where does the speaker work?", "where", "place"),
        ("What colour is the car?", "what", "colour"),
        ("Is there a dog?", "yes_no", "yes_no"),
        ("What animal is shown?", "shown", "thing"),
        ("What is the name of the cat?", "what", "name"),
    ],
)
def test_question_types(q: str, qtype: str, atype: str) -> None:
    got = analyse(q)
    assert (got.qtype, got.answer_type) == (qtype, atype)


def test_word_families_join_morphology_and_related_words() -> None:
    assert coverage(analyse("Who animated the characters?"), "CHARACTER ANIMATION") == 1.0
    assert coverage(analyse("Who rigged the bunny?"), "Character Rigger") == 0.5  # rigger yes, bunny no
    assert coverage(analyse("Who funded it?"), "WITH THE FINANCIAL SUPPORT FROM") == 1.0
    assert coverage(analyse("Who wrote the story?"), "ORIGINAL STORY AND SCRIPT") == 1.0
    assert coverage(analyse("Who was the art director?"), "Lead Artist") < 1.0


def test_a_shared_prefix_is_not_a_word_family() -> None:
    # What the stemmer leaves of a suffix joins forms of one word ("workstations" / "workstation");
    # another tail makes another word: an animal is not an animation, composing is not compositing.
    assert coverage(analyse("Who sold the workstations?"), "Workstation") == 0.5
    assert coverage(analyse("What animal is the main character?"), "CHARACTER ANIMATION") == 1 / 3
    assert coverage(analyse("Who composed the music?"), "COMPOSITING / Andreas Goralczyk") == 0.0
    assert coverage(analyse("Who animated the characters?"), "Character Animal") == 0.5
    assert coverage(analyse("Who composed the music?"), "MUSIC AND SOUND DESIGN") == 1.0


def _credits() -> ClipEvidence:
    b = lambda text, x0, y0, x1: TextBox(text, x0, y0, x1, y0 + 0.03, 0.95, 12.0)
    boxes = [
        b("SACHA GOEDEGEBURE", 0.24, 0.40, 0.535),
        b("Director", 0.56, 0.40, 0.66),
        b("ANDREAS GORALCZYK", 0.24, 0.45, 0.52),
        b("Art Director", 0.56, 0.45, 0.68),
        b("ENRICO VALENZA", 0.24, 0.50, 0.45),
        b("Lead Artist", 0.56, 0.50, 0.70),
    ]
    return ClipEvidence(
        "c1",
        "film.mp4",
        "h",
        10.0,
        25.0,
        boxes=boxes,
        tags=["web site", "menu"],
        speech=[Segment(20.0, 24.0, "Hi, I'm Jane Doe. I teach at the University of Leeds.")],
    )


def _answer(q: str) -> tuple[str, list]:
    from vidagent.describe import get_embedder

    query = analyse(q)
    return best(query, rank(query, candidates(query, [_credits()]), get_embedder("minilm")))


def test_who_questions_get_the_name_beside_the_role_with_the_frame_as_citation() -> None:
    text, spans = _answer("Who was the lead artist?")
    assert text == "ENRICO VALENZA" and spans[0].evidence == "ENRICO VALENZA | Lead Artist"
    assert spans[0].start >= 11.0 and spans[0].end <= 13.0  # the frame, not the 15 s clip
    assert _answer("Who is the art director?")[0] == "ANDREAS GORALCZYK"
    assert _answer("Where does the speaker teach?")[0] == "the University of Leeds"


@pytest.mark.parametrize(
    "q",
    [
        "How many elephants are there?",
        "What is the name of the cat?",
        "Who won the football match?",
        "Which car brand is on the billboard?",
    ],
)
def test_abstains_when_no_span_answers_the_question_type(q: str) -> None:
    assert _answer(q) == ("", [])


def test_tags_answer_only_what_is_shown_questions() -> None:
    _, spans = _answer("What web site is shown?")
    assert spans and spans[0].kind == "seen"
    assert _answer("Who is the web site's author?") == ("", [])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jan Morgenstern", True),
        ("Will Smith", True),  # "will" is a first name too: not taken as an auxiliary
        ("Sacha Goedegebure", True),
        ("BEEN REALISED", False),  # the end of "BIG BUCK BUNNY HAS BEEN REALISED", once taken for a composer
        ("Has Been Made", False),
        ("Those Pests", False),
    ],
)
def test_a_name_holds_no_auxiliary_or_determiner(text: str, name: bool) -> None:
    assert looks_like_name(text) is name


def test_british_and_american_spellings_are_one_word() -> None:
    from vidagent.agent.words import same_word, stem

    for uk, us in [
        ("licence", "LICENSED"),
        ("colour", "color"),
        ("organisation", "organization"),
        ("centre", "center"),
    ]:
        assert same_word(stem(uk), stem(us)), (uk, us)
    assert coverage(analyse("Which licence does the film use?"), "LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0") > 0
    for a, b in [("four", "for"), ("hour", "hor"), ("rise", "rize"), ("fence", "fense")]:
        assert stem(a) != stem(b), (a, b)  # short words keep their own spelling


@pytest.mark.parametrize(
    ("question", "attr", "scope"),
    [
        ("What is the license of Big Buck Bunny?", ["license"], {"big", "buck", "bunny"}),
        ("Who is the technical director of the film?", ["technical", "director"], set()),  # "the film": no owner
        ("Who's the lead artist for Big Buck Bunny?", ["lead", "artist"], {"big", "buck", "bunny"}),
        ("What is the name of the cat?", [], set()),  # "name": the name question type, not an attribute
        ("Who is the lecturer?", [], set()),
        ("What is in the box?", [], set()),
    ],
)
def test_the_attribute_asked_for_and_what_it_belongs_to(question: str, attr: list[str], scope: set[str]) -> None:
    from vidagent.agent.question import _attribute_of

    got_attr, got_scope = _attribute_of(question.lower())
    if scope:
        assert (got_attr, got_scope) == (attr, scope)
    else:
        assert not got_scope
    q = analyse(question)
    assert len(q.families) == len(q.focus) - max(len(scope) - 1, 0)  # the owner's name is one concept


def _end_credits() -> ClipEvidence:
    b = lambda text, y0: TextBox(text, 0.3, y0, 0.7, y0 + 0.03, 0.95, 570.0)
    boxes = [
        b("BIG BUCK BUNNY HAS BEEN REALISED", 0.30),
        b("WITH THE FINANCIAL SUPPORT FROM", 0.34),
        b("Digital Pioneers fund", 0.40),
        b("LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0", 0.70),
    ]
    return ClipEvidence("c2", "film.mp4", "h", 565.0, 575.0, boxes=boxes)


def test_a_line_holding_the_attribute_beats_one_that_only_names_its_owner() -> None:
    from vidagent.describe import get_embedder

    query = analyse("What is the license of Big Buck Bunny?")
    text, spans = best(query, rank(query, candidates(query, [_end_credits()]), get_embedder("minilm")))
    # before: "WITH THE FINANCIAL SUPPORT FROM", under the line naming the film (3 of the 4 question words)
    assert "CREATIVE COMMONS ATTRIBUTE" in text and "LICENSED" in spans[0].evidence
    # no line holds a budget: the line under the film's name is no answer either
    query = analyse("What is the budget of Big Buck Bunny?")
    assert best(query, rank(query, candidates(query, [_end_credits()]), get_embedder("minilm"))) == ("", [])


def test_a_name_the_question_holds_must_be_met() -> None:
    # "I teach at the University of Leeds": a teacher at Leeds, not at Oxford
    assert _answer("Where does the speaker teach?")[0] == "the University of Leeds"
    assert _answer("Who teaches at the University of Oxford?")[0] == ""
    assert _answer("Who teaches at the University of Leeds?")[0] == "Jane Doe"
    from vidagent.agent.question import names_in

    assert names_in(analyse("Who teaches at the University of Oxford?")) == [{"universit"}, {"oxford"}]
    assert names_in(analyse("What is the license of Big Buck Bunny?")) == []  # the owner: met by the clip
    # a name met anywhere in the clip ("Hi, I'm Jane Doe" is the sentence before the span's), as spelt or
    # nearly: a name asked as heard ("John Pearce" for the transcript's John Pierce)
    assert _answer("Where does Jane Doe teach?")[0] == "the University of Leeds"
    assert _answer("Where does Mary Smith teach?")[0] == ""
    from vidagent.agent.question import named_in

    assert named_in({"pearc"}, {"john", "pierc"}) and not named_in({"oxford"}, {"nottingham", "pierc"})
    # a video named by what it is about: the director of another film is no answer
    assert names_in(analyse("Who directed the submarine film?")) == [{"submarin"}]
    assert names_in(analyse("Who directed the film?")) == []
    assert _answer("Who was the art director of the submarine film?")[0] == ""
    assert _answer("Who was the art director of the film?")[0] == "ANDREAS GORALCZYK"
    assert not named_in({"doe"}, {"dough"})  # short names must be spelt as they are


def _ranked(q: str, ev: ClipEvidence) -> tuple[str, list]:
    from vidagent.describe import get_embedder

    query = analyse(q)
    return best(query, rank(query, candidates(query, [ev]), get_embedder("minilm")))


def test_answers_of_the_asked_kind_under_a_name_met_elsewhere_in_the_clip() -> None:
    # The fund's line is under "WITH THE FINANCIAL SUPPORT FROM"; the film is named two lines up.
    text, spans = _ranked("Which fund supported Big Buck Bunny?", _end_credits())
    assert (
        text == "Digital Pioneers fund"
        and spans[0].evidence == "WITH THE FINANCIAL SUPPORT FROM / Digital Pioneers fund"
    )
    # a line leading into the answer, or one that only names the film, is no answer of any kind
    assert _ranked("Which software was used to make Big Buck Bunny?", _end_credits()) == ("", [])
    # the asked noun is what the value is: the label need not say "role"
    assert _ranked("What role did Enrico Valenza have?", _credits())[0] == "Lead Artist"
    # "University of Nottingham": an organisation's name goes on past "of"
    text, _ = _ranked("What university does Jane Doe teach at?", _credits())
    assert text == "University of Leeds"


def test_a_name_under_another_role_is_no_answer_to_what_noun() -> None:
    b = lambda text, x0, y0: TextBox(text, x0, y0, x0 + 0.3, y0 + 0.03, 0.95, 492.0)
    ev = ClipEvidence(
        "c3",
        "film.mp4",
        "h",
        490.0,
        500.0,
        boxes=[b("BRECHT VAN LOMMEL", 0.2, 0.4), b("Software Developer", 0.55, 0.4), b("STUDIO SOFTWARE", 0.3, 0.6)],
    )
    assert _ranked("Who was the software developer?", ev)[0] == "BRECHT VAN LOMMEL"
    # the name is the developer's, not software's; a line holding the asked noun itself may answer
    assert _ranked("What software is the lecturer talking about?", ev)[0] != "BRECHT VAN LOMMEL"
    # the kind asked for met only through a related word, and nothing more, answers nothing ("STUDIO ...",
    # "PRODUCTION" for "which company"); the noun itself does ("Stanford Law School" for "which law school")
    assert _ranked("Which company produced the film?", ev) == ("", [])


@pytest.mark.parametrize(
    ("answer", "fit"),
    [
        ("Digital Pioneers fund", 1.0),
        ("WITH THE FINANCIAL SUPPORT FROM", 0.0),
        ("PRODUCTION", 0.3),
        ("the University", 0.3),
        ("University of Nottingham", 1.0),
        ("Bank of England", 0.5),
    ],
)
def test_organisation_answers(answer: str, fit: float) -> None:
    from vidagent.agent.fit import type_fit

    assert type_fit(analyse("Which organisation supported the film?"), answer) == fit


def test_file_name_words_split_joined_words() -> None:
    from vidagent.agent.words import file_name_words

    assert file_name_words("/v/kivy_cityCC0.mpg") == ["kivy", "citycc0", "city"]
    assert file_name_words("psychopy_testMovie.mp4") == ["psychopy", "testmovie", "test"]  # not "movie"
    assert file_name_words("a_b.mp4") == ["a", "b"]


@pytest.mark.parametrize(
    ("q", "atype"),
    [
        ("How much does a license cost?", "price"),
        ("What is the price of the ticket?", "price"),
        ("what's the fee?", "price"),
        ("How much time does it take?", "duration"),
        ("How many licenses are there?", "number"),
        ("Who is thanked in the video?", "maker"),  # a person or an organisation
    ],
)
def test_price_and_maker_questions(q: str, atype: str) -> None:
    assert analyse(q).answer_type == atype


def test_a_price_is_an_amount_or_free_and_a_count_is_no_version() -> None:
    from vidagent.agent.fit import extract, type_fit

    price = analyse("How much does a license cost?")
    assert extract(price, "It only takes a minute and it's totally free.") == "totally free"
    assert extract(price, "Tickets are $12.50 at the door") == "$12.50"
    assert extract(price, "LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0") == ""
    assert type_fit(price, "3.0") == 0.0 and type_fit(price, "20 euros") == 1.0
    count = analyse("How many licenses are there?")
    assert extract(count, "LICENSED AS CREATIVE COMMONS ATTRIBUTE 3.0") == ""
    assert extract(count, "version 2.5 has 6 licenses") == "6 licenses"
