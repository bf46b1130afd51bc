"""Keyword matching over content words: stopwords never score, coverage of the query decides."""

from __future__ import annotations

import pytest

from vidagent.textmatch import STOPWORDS, content_terms, idf, score_fields, stem

W = {"tags": 1.0, "ocr": 1.0, "transcript": 0.6, "caption": 1.0}


def _score(query: str, fields: dict[str, str], n_docs: int = 100, df: int = 5) -> float:
    terms = content_terms(query)
    return score_fields(terms, {t: idf(n_docs, df) for t in terms}, fields, W, {f: 10.0 for f in W}).score


def test_content_terms_drop_stopwords_and_search_words() -> None:
    assert content_terms("Show me a video of the dog in the park") == ["dog", "park"]
    assert content_terms("the of and in at") == []
    assert {"the", "a", "in", "at"} <= STOPWORDS


def test_stemmer_matches_plurals_and_verb_forms() -> None:
    assert stem("bicycles") == stem("bicycle")
    assert stem("running") == stem("run")
    assert stem("parties") == stem("party")
    assert stem("glass") == "glass"


def test_a_clip_sharing_only_a_filler_word_scores_nothing() -> None:
    assert _score("a dog at the beach", {"transcript": "we met at the station at noon"}) == 0.0


def test_covering_more_of_the_query_beats_repeating_one_word() -> None:
    both = _score("red bicycle", {"tags": "red bicycle"})
    one_repeated = _score("red bicycle", {"transcript": "red red red red red red"})
    assert both > one_repeated > 0
    assert both <= 1.0


def test_speech_counts_less_than_what_is_seen() -> None:
    seen = _score("copyright", {"ocr": "all rights reserved copyright"})
    heard = _score("copyright", {"transcript": "all rights reserved copyright"})
    assert seen > heard > 0


def test_matched_words_are_reported_by_field() -> None:
    terms = content_terms("the Hewlett Foundation thanks")
    m = score_fields(
        terms,
        {t: 1.0 for t in terms},
        {"ocr": "VERY SPECIAL THANKS The William and Flora Hewlett Foundation", "caption": "Hewlett Foundation"},
        W,
        {},
    )
    assert m.matched == {"ocr": ["hewlett", "foundation", "thanks"]}


def test_gibberish_words_are_unknown_and_library_words_are_not() -> None:
    from vidagent.textmatch import unknown_words

    vocab = frozenset({"dog", "music", "sound"})
    assert unknown_words(["xqzzy", "flurbo"], vocab, {}) == ["xqzzy", "flurbo"]
    # a name the embedder does not know is still a word when a clip's text holds it
    assert unknown_words(["morgenstern", "music"], vocab, {"morgenstern": 2}) == []
    assert unknown_words(["1906"], vocab, {}) == []


def test_the_default_embedders_vocabulary_holds_english_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vidagent.textmatch import vocabulary

    (tmp_path / "vocab.txt").write_text("[PAD]\n##ing\ndog\na\nrunning\n")
    assert vocabulary(str(tmp_path)) == frozenset({"dog", "running"})
    assert vocabulary(str(tmp_path / "missing")) == frozenset()


def test_a_phrase_of_the_query_beats_its_words_apart() -> None:
    from vidagent.textmatch import word_pairs

    assert word_pairs("an old black and white film") == ["old black", "black white", "white film"]
    terms = content_terms("black and white film")
    idfs = {t: idf(100, 20) for t in terms}
    pairs = {"black white": idf(100, 1)}
    avg = {f: 10.0 for f in W}
    together = score_fields(terms, idfs, {"caption": "Look: black and white."}, W, avg, pairs=pairs).score
    apart = score_fields(terms, idfs, {"caption": "mostly grey and black, a white car"}, W, avg, pairs=pairs).score
    assert together > 2 * apart > 0
    # without pairs the two captions match the same words (only their lengths differ)
    plain = score_fields(terms, idfs, {"caption": "Look: black and white."}, W, avg)
    assert plain.matched == {"caption": ["black", "white"]} and plain.score < together


def test_porter_stems_join_the_words_fts5_joins() -> None:
    from vidagent.porter import porter

    # Porter's own examples (1980) and words the index must join
    expected = {
        "caresses": "caress", "ponies": "poni", "agreed": "agre", "hopping": "hop", "filing": "file",
        "relational": "relat", "generalization": "gener", "hopeful": "hope", "controlling": "control",
        "narrated": "narrat", "narrator": "narrat", "licenses": "licens", "license": "licens",
    }  # fmt: skip
    assert {w: porter(w) for w in expected} == expected
    assert stem("Narrator's") == stem("narrated")


def test_a_word_found_nowhere_counts_through_the_concept_it_is_a_kind_of() -> None:
    terms = ["pedestrians", "path"]
    idfs = {t: idf(100, 1) for t in terms}
    avg = {f: 10.0 for f in W}
    alts = {"pedestrians": [("person", 0.5)]}
    seen = {"tags": {"person": 1.0}}
    fields = {"tags": "pole", "caption": "a person on a path"}
    full = score_fields(terms, idfs, {"tags": "pole", "caption": "pedestrians on a path"}, W, avg)
    via = score_fields(terms, idfs, fields, W, avg, strengths=seen, alternatives=alts)
    without = score_fields(terms, idfs, fields, W, avg, strengths=seen)
    assert full.score > via.score > without.score > 0
    assert via.matched["tags"] == ["pedestrians (person)"] and via.direct  # "path" was found itself
    # concepts are seen, never read: the word "person" in the text does not stand for the concept
    assert score_fields(["pedestrians"], idfs, fields, W, avg, alternatives=alts).score == 0.0
    only = score_fields(["pedestrians"], idfs, fields, W, avg, strengths=seen, alternatives=alts)
    assert only.score == pytest.approx(0.5) and not only.direct  # half a match, and no word of the query


def test_the_word_itself_wins_over_its_concept() -> None:
    idfs = {"cyclist": idf(100, 1)}
    avg = {f: 10.0 for f in W}
    m = score_fields(
        ["cyclist"],
        idfs,
        {"tags": "mountain bike", "ocr": "cyclist"},
        W,
        avg,
        strengths={"tags": {"bicycle": 1.0}},
        alternatives={"cyclist": [("bicycle", 0.5)]},
    )
    assert m.matched == {"ocr": ["cyclist"]} and m.direct
