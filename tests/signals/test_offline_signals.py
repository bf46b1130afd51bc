"""The default offline describer with its signals, end to end on real corpus files."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidagent
from vidagent.config import load_settings
from vidagent.signals import people
from vidagent.store import Store


@pytest.mark.slow
def test_signals_reach_captions_spaces_and_search(corpus: Path, tmp_path: Path) -> None:
    race = corpus / "small" / "nbsphinx_Shepard_Calais_1906_FrenchGP_160p.ogv"
    talk = corpus / "small" / "psychopy_jwpIntro.mp4"
    store = tmp_path / "store"
    report = vidagent.index([race, talk], store=store)
    assert [f.status for f in report.files] == ["indexed", "indexed"], [f.error for f in report.files]
    with Store(store) as st:
        rows = st.active_rows()
        spaces = st.spaces()
    by_video = {Path(r["video"]).name: r for r in rows}
    race_row = by_video[race.name]
    assert "Look: black and white" in race_row["caption"]
    assert race_row["extra"]["signals"]["light"]["grayscale"] is True
    assert "visual.colour:minilm" in spaces
    # Theora carries no motion vectors PyAV exports: no motion words rather than wrong ones.
    assert "Motion:" not in race_row["caption"]
    talk_row = by_video[talk.name]
    assert "Motion: static camera" in talk_row["caption"]
    # WordNet kinds in the scene sentence: a tag followed by what it is.
    assert "(" in talk_row["caption"].split(". ")[0]
    if people.available():
        assert "a talking head" in talk_row["caption"] and "visual.people:minilm" in spaces
        hits = vidagent.search("a person talking to the camera", store=store, top_k=1)
        assert Path(hits[0].video).name == talk.name
        # the people space is a fusion source once weighted (off by default: its words reach the caption)
        on = load_settings(search__weights={"visual.people": 0.3})
        hits = vidagent.search("a person talking to the camera", store=store, top_k=1, config=on)
        assert Path(hits[0].video).name == talk.name and "visual.people" in hits[0].sources
    hits = vidagent.search("an old black and white film", store=store, top_k=1)
    assert Path(hits[0].video).name == race.name
