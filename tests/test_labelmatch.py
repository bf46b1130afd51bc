"""Visual labels count by the tagger's confidence (with WordNet kinds), not by how often their words repeat."""

from __future__ import annotations

import pytest

from vidagent.labelmatch import labels, term_strengths
from vidagent.textmatch import idf, score_fields

W = {"tags": 1.0, "ocr": 1.0, "transcript": 0.6, "caption": 1.0}
UNSURE_DOGS = [("kelpie", 0.10), ("Chihuahua", 0.08), ("toy terrier", 0.05)]


def test_label_names_follow_the_taggers_rule_for_repeated_lemmas() -> None:
    names = labels()
    assert len(names) == 1000 and len(set(names)) == 1000
    assert names[258] == "Samoyed" and names[517] == "construction crane" and names[134] == "crane"


def test_a_word_is_as_strong_as_the_confidence_of_the_labels_that_mean_it() -> None:
    sure = term_strengths(["dog"], [("Samoyed", 0.87)])
    unsure = term_strengths(["dog"], UNSURE_DOGS)
    assert sure["dog"] == pytest.approx(0.87)
    assert unsure["dog"] == pytest.approx(0.23)  # the mass of three unsure breeds, not three matches
    assert term_strengths(["animal", "canine"], [("Samoyed", 0.5)]) == {"animal": 0.5, "canine": 0.5}
    assert term_strengths(["dogs"], [("Samoyed", 2.0)])["dogs"] == 1.0  # plural by stem, capped at 1


def test_too_general_hypernyms_and_unrelated_words_match_nothing() -> None:
    assert term_strengths(["object", "entity", "artifact"], [("Samoyed", 0.9), ("bow tie", 0.9)]) == {}
    assert term_strengths(["cat"], [("Samoyed", 0.9)]) == {}


def test_labels_of_another_tagger_count_by_their_own_words() -> None:
    assert term_strengths(["dog"], [("a brown dog", 0.4)]) == {"dog": 0.4}


def test_one_sure_label_outranks_many_unsure_ones_in_keyword_scoring() -> None:
    terms = ["dog"]
    idfs = {"dog": idf(100, 10)}
    avg = {f: 10.0 for f in W}

    def score(tags: list[tuple[str, float]], caption: str) -> float:
        fields = {"tags": " ".join(t for t, _ in tags), "caption": caption}
        strengths = {"tags": term_strengths(terms, tags)}
        return score_fields(terms, idfs, fields, W, avg, strengths=strengths).score

    sure = score([("Samoyed", 0.87)], "Samoyed (spitz, dog)")
    unsure = score(UNSURE_DOGS, "kelpie (shepherd dog), Chihuahua (toy dog, dog), toy terrier (toy dog, dog)")
    assert sure > 2 * unsure > 0
    # counted as text, the repeated word would win: the caption says "dog" five times
    plain = score_fields(
        terms, idfs, {"caption": "kelpie (shepherd dog), Chihuahua (toy dog, dog), toy terrier (toy dog, dog)"}, W, avg
    ).score
    assert plain > sure / 2


def test_a_concept_is_as_strong_as_the_labels_that_are_a_kind_of_it() -> None:
    from vidagent.labelmatch import concept_strengths

    tags = [("scuba diver", 0.4), ("mountain bike", 0.2), ("bicycle-built-for-two", 0.1)]
    got = concept_strengths(["person", "bicycle", "wheeled vehicle", "dog"], tags)
    assert got == {
        "person": pytest.approx(0.4),
        "bicycle": pytest.approx(0.3),
        "wheeled vehicle": pytest.approx(0.3),
    }


def test_keyframe_share_of_a_meaning_ignores_the_probabilities() -> None:
    from vidagent.labelmatch import frame_shares

    frames = [["jinrikisha", "mountain bike", "unicycle"], ["jinrikisha", "pier", "mountain bike"], ["pier"]]
    got = frame_shares(["bicycles", "dog"], frames)
    assert got == {"bicycles": pytest.approx(2 / 3)}
    assert frame_shares(["bicycles"], []) == {}


def test_calibration_modes() -> None:
    from vidagent.labelmatch import calibrate

    tags = [("jinrikisha", 0.16), ("mountain bike", 0.04)]
    assert calibrate(tags) == tags
    assert calibrate(tags, "relative") == [("jinrikisha", 1.0), ("mountain bike", pytest.approx(0.25))]
    assert calibrate(tags, "sqrt") == [("jinrikisha", pytest.approx(0.4)), ("mountain bike", pytest.approx(0.1))]
    # relative: the unsure dogs of a look-alike clip count as much as one sure Samoyed (why raw stays the default)
    assert term_strengths(["dog"], UNSURE_DOGS, "relative")["dog"] == 1.0
