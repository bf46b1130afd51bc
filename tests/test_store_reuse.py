"""Searches of a folder path reuse one open store per process (library.reading): the reused store sees
another process's writes, a deleted and re-created store is opened afresh, and the opt-out still works."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vidagent
from vidagent import library
from vidagent.errors import StoreNotFound

from .conftest import make_video


def _captions(store: Path, query: str, cfg: Path) -> list[str]:
    return [h.caption for h in vidagent.search(query, store=store, config=cfg, min_score=0)]


def test_a_reused_store_sees_another_process_writes(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    store = tmp_path / "store"
    vidagent.index(shots_video, store=store, config=colour_config)
    library.forget_readers()
    assert "a yellow coloured screen" not in _captions(store, "a yellow coloured screen", colour_config)
    reader = next(st for key, (_, st, _) in library._READERS.items() if key.startswith(str(store.resolve())))
    other = make_video(tmp_path / "yellow.mp4", [("yellow", 2), ("black", 2)])
    code = (
        "import sys, tests.plugins, vidagent; "
        "r = vidagent.index(sys.argv[1], store=sys.argv[2], config=sys.argv[3]); "
        "assert r.files[0].status == 'indexed', r.files[0].error"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code, str(other), str(store), str(colour_config)], cwd=root, check=True)
    got = _captions(store, "a yellow coloured screen", colour_config)
    assert got[0] == "a yellow coloured screen"  # the other process's clips, through the same open store
    assert any(st is reader for _, st, _ in library._READERS.values())
    # a store deleted and re-created under the same path is opened afresh, never read through the old one
    shutil.rmtree(store)
    with pytest.raises(StoreNotFound):
        vidagent.search("a red coloured screen", store=store, config=colour_config)
    vidagent.index(other, store=store, config=colour_config)
    assert "a red coloured screen" not in _captions(store, "a red coloured screen", colour_config)
    assert not any(st is reader for _, st, _ in library._READERS.values())
    library.forget_readers()
    assert library._READERS == {}


def test_reuse_can_be_turned_off(
    tmp_path: Path, shots_video: Path, colour_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    vidagent.index(shots_video, store=store, config=colour_config)
    library.forget_readers()
    monkeypatch.setenv(library.REUSE_ENV, "0")
    assert _captions(store, "a blue coloured screen", colour_config)[0] == "a blue coloured screen"
    assert library._READERS == {}


def test_few_stores_are_kept_open(tmp_path: Path, shots_video: Path, colour_config: Path) -> None:
    first = tmp_path / "s0"
    vidagent.index(shots_video, store=first, config=colour_config)
    library.forget_readers()
    stores = [first]
    for i in range(1, library.MAX_READERS + 2):
        shutil.copytree(first, tmp_path / f"s{i}")
        stores.append(tmp_path / f"s{i}")
    for st in stores:
        assert _captions(st, "a green coloured screen", colour_config)[0] == "a green coloured screen"
    assert len(library._READERS) == library.MAX_READERS  # the least recently used were closed
    assert _captions(first, "a white coloured screen", colour_config)[0] == "a white coloured screen"
    library.forget_readers()
