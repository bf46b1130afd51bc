"""Composer mechanisms on hand-built evidence (MiniLM, no video): the sentence before as context,
rarity-weighted coverage, wrapped lines, answer typing of yes/no values, communication verbs, and the
re-query order that puts text-dense clips first for questions whose answers are printed."""

from __future__ import annotations

from vidagent.agent.compose import ClipEvidence, best, candidates, rank
from vidagent.agent.fit import type_fit
from vidagent.agent.offline import _requery_order
from vidagent.agent.question import analyse
from vidagent.types import Segment, TextBox


def _answer(q: str, evs: list[ClipEvidence]) -> tuple[str, list]:
    from vidagent.describe import get_embedder

    query = analyse(q)
    return best(query, rank(query, candidates(query, evs), get_embedder("minilm")))


def _promo() -> ClipEvidence:
    b = lambda text, y: TextBox(text, 0.2, y, 0.8, y + 0.05, 0.95, 170.0)
    return ClipEvidence(
        "p1",
        "promo.mp4",
        "h",
        90.0,
        180.0,
        # a sentence wrapped over two lines of a closing slide, about the same organisation
        boxes=[b("And all Creative Commons", 0.40), b("supporters, large and small.", 0.46)],
        speech=[
            Segment(90.0, 92.0, "Luckily, there's an answer."),
            Segment(92.0, 94.0, "Creative Commons."),
            Segment(94.0, 101.0, "We provide free copyright licenses you can use to share your work."),
        ],
    )


def test_the_sentence_before_says_who_we_is() -> None:
    # "We provide ..." alone does not name Creative Commons; the sentence before it does. Every slide
    # line also says "Creative Commons", so only spans that say "provide" tell the answers apart.
    text, spans = _answer("What does Creative Commons provide?", [_promo()])
    assert "free copyright licenses" in text and spans[0].kind == "said"
    assert spans[0].detail["rare_coverage"] > 0


def test_a_wrapped_sentence_is_one_line_not_a_label_and_its_value() -> None:
    query = analyse("What does Creative Commons provide?")
    spans = candidates(query, [_promo()])
    assert not [s for s in spans if s.kind == "stack"]  # "supporters, ..." is not a value under a label
    assert any(s.evidence == "And all Creative Commons supporters, large and small." for s in spans)


def test_a_ticked_yes_does_not_answer_what_a_form_asks() -> None:
    b = lambda text, y: TextBox(text, 0.2, y, 0.8, y + 0.05, 0.95, 110.0)
    form = ClipEvidence(
        "f1", "promo.mp4", "h", 105.0, 116.0, boxes=[b("Allow commercial uses of your work?", 0.2), b("Yes", 0.27)]
    )
    query = analyse("What does the licence form ask about commercial uses?")
    assert "ask" not in query.focus  # the act of asking, not what is asked about
    assert type_fit(query, "Yes") == 0.0 and type_fit(analyse("Is it free?"), "Yes") > 0.0
    text, _ = _answer("What does the licence form ask about commercial uses?", [form])
    assert text == "Allow commercial uses of your work?"


def test_text_dense_clips_are_re_read_first_for_printed_answers() -> None:
    quiet = ClipEvidence("q", "city.mp4", "h1", 0.0, 5.0, tags=["street"])
    roll = ClipEvidence(
        "r",
        "film.mp4",
        "h2",
        500.0,
        516.0,
        boxes=[
            TextBox(text, 0.4, 0.05 * i, 0.6, 0.05 * i + 0.03, 0.9, 505.0)
            for i, text in enumerate("ROLE Ann Bo CAST Cy Dee PROPS Eve Flo SOUND Guy Hal".split())
        ],
    )
    who = analyse("Who did the colour grading?")
    assert [e.clip_id for e in _requery_order([quiet, roll], [], who)] == ["r", "q"]
    what = analyse("What does copyright protect?")  # said, not printed: the search's order stays
    assert [e.clip_id for e in _requery_order([quiet, roll], [], what)] == ["q", "r"]


def test_a_value_under_the_exact_asked_label_needs_no_re_read() -> None:
    from vidagent.agent.compose import confident

    b = lambda text, x0, y0, x1: TextBox(text, x0, y0, x1, y0 + 0.03, 0.95, 12.0)
    table = ClipEvidence(
        "t1",
        "film.mp4",
        "h",
        10.0,
        25.0,
        boxes=[
            b("BRECHT VAN LOMMEL", 0.24, 0.40, 0.52),
            b("Software Developer", 0.56, 0.40, 0.72),
            b("STORYBOARD AND SCRIPT CONSULTANT", 0.24, 0.60, 0.60),
            b("Arno Kroner", 0.30, 0.65, 0.45),
        ],
    )
    # "team" is not on screen, but the label is exactly the asked role and the value is a name
    text, spans = _answer("Who was the software developer on the team?", [table])
    assert text == "BRECHT VAN LOMMEL" and confident(analyse("Who was the software developer on the team?"), spans[0])
    # a label that only shares "script" with the question is not enough: the clips are re-read
    q = "Who wrote the original story and script?"
    _, spans = _answer(q, [table])
    assert not spans or not confident(analyse(q), spans[0])
