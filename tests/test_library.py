"""`vidagent.Library`: one object for index/search/ask/caption/history/status, taking a store path or an
open Store and a describer name or a Describer object; the module functions are wrappers over it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vidagent
from vidagent.caption import Output
from vidagent.errors import ConfigError, StoreNotFound, UnknownClip, VidagentError
from vidagent.export import find_clip
from vidagent.store import Store

from .plugins import ColourDescriber


def test_library_with_a_path(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    lib = vidagent.Library(tmp_path / "store", colour_config)
    report = lib.index(shots_video)
    assert [f.status for f in report.files] == ["indexed"]
    hits = lib.search("a blue coloured screen", top_k=1)
    assert hits[0].caption == "a blue coloured screen"
    assert lib.status()["clips"] == 4 == vidagent.status(tmp_path / "store")["clips"]
    answer = lib.ask("what colour is the screen?")
    assert lib.history()[0]["question"] == "what colour is the screen?" == answer.question
    out = tmp_path / "caps.jsonl"
    cap = lib.caption(shots_video, outputs=[Output("jsonl", str(out))])
    assert cap.rows == 4 and cap.index.summary()["described"] == 0  # reused what index stored
    assert [json.loads(x)["caption"] for x in out.read_text().splitlines()][0] == "a red coloured screen"
    dry = lib.caption_dry_run(shots_video)
    assert dry.videos == 1 and dry.todo_clips == 0


def test_library_with_an_open_store_and_a_describer_object(tmp_path: Path, shots_video: Path) -> None:
    describer = ColourDescriber()
    with Store(tmp_path / "store") as st:
        lib = vidagent.Library(st, describer=describer)
        assert [f.status for f in lib.index(shots_video).files] == ["indexed"]
        assert lib.search("a green coloured screen", top_k=1)[0].caption == "a green coloured screen"
        assert st.stats()["descriptions"] == 4  # the same open store, still usable: the library did not close it
        assert {r.describer for r in st.active_rows()} == {"test-colour"}


def test_module_functions_are_the_same_calls(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    vidagent.index(shots_video, store=tmp_path / "s", config=colour_config)
    via_module = [h.clip_id for h in vidagent.search("screen", store=tmp_path / "s", config=colour_config)]
    via_library = [h.clip_id for h in vidagent.Library(tmp_path / "s", colour_config).search("screen")]
    assert via_module == via_library and len(via_module) == 4


def test_typed_errors_share_one_base_and_print_as_one_line(
    tmp_path: Path, shots_video: Path, colour_config: Path
) -> None:
    with pytest.raises(StoreNotFound) as missing:
        vidagent.Library(tmp_path / "nowhere").status()
    assert isinstance(missing.value, VidagentError) and "\n" not in str(missing.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text("clips:\n  max_duraton: 3\n")
    with pytest.raises(ConfigError, match="unknown key 'clips.max_duraton'"):
        vidagent.Library(tmp_path / "s", bad)
    vidagent.index(shots_video, store=tmp_path / "s", config=colour_config)
    with Store(tmp_path / "s") as st, pytest.raises(UnknownClip, match="unknown clip id 'nope'"):
        find_clip(st, "nope")
