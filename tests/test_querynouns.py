"""Query nouns the index cannot see match what they are a kind of (WordNet 3.0, shipped table)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from vidagent.querynouns import PERSON, alternatives, ancestors, lemma

REPO = Path(__file__).resolve().parent.parent
TABLE = REPO / "vidagent" / "signals" / "data" / "query_wordnet.json.gz"
WORDNET = Path("/usr/share/wordnet")


def test_query_words_are_reduced_to_wordnet_nouns() -> None:
    assert lemma("cyclists") == "cyclist"
    assert lemma("pedestrians") == "pedestrian"
    assert lemma("men") == "man"  # an irregular plural, from WordNet's noun.exc
    assert lemma("xqzzy") is None


def test_a_kind_of_person_reaches_person_and_an_agent_noun_its_instrument() -> None:
    assert [(c, d) for c, d, _ in ancestors("pedestrian")] == [(PERSON, 2)]
    assert ancestors("presenter") == [(PERSON, 2, 1.0)]
    # a derivationally related noun is one step; only the nearest concepts are kept (not person, 4 steps)
    assert ancestors("cyclists") == [("bicycle", 1, 1.0)]


def test_nouns_the_labels_name_themselves_get_nothing() -> None:
    # "dog" and "car" are on the classes' hypernym chains: the labels match them directly, and going
    # up ("canine", "motor vehicle") would only add their siblings
    assert ancestors("dog") == [] and ancestors("car") == []


def test_a_word_counts_by_the_share_of_its_uses_that_reach_the_concept() -> None:
    assert ancestors("antique") == []  # mostly an adjective: its noun sense ("an old person") is rare
    american = dict((c, p) for c, _, p in ancestors("american"))
    assert 0 < american[PERSON] < 0.5  # a noun in under half of its uses
    puppy = dict((c, p) for c, _, p in ancestors("puppy"))
    assert puppy == {"dog": 0.75}  # the other sense is "a young person"
    alts = alternatives(["puppy", "presenter", "dog"], 0.5)
    assert "dog" not in alts
    assert alts["presenter"] == [(PERSON, pytest.approx(0.5))]
    assert alts["puppy"] == [("dog", pytest.approx(0.375))]
    assert alternatives(["presenter"], 0.0) == {}
    # decay per hypernym step beyond the first
    assert alternatives(["presenter"], 0.5, decay=0.5)["presenter"] == [(PERSON, pytest.approx(0.25))]


def test_table_is_small_and_not_loaded_by_import_vidagent() -> None:
    assert TABLE.stat().st_size < 2_000_000
    code = "import sys, vidagent; print('vidagent.querynouns' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not (WORDNET / "data.noun").is_file(), reason="WordNet 3.0 (wordnet-base) not installed")
def test_shipped_table_is_what_the_script_writes(tmp_path: Path) -> None:
    out = tmp_path / "q.json.gz"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_query_wordnet.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(TABLE.read_bytes())
