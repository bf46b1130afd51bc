"""The caption variants benchmarks/bench_caption_text.py embeds: each changes only the part it names."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_caption_text.py"
CAPTION = (
    "Scene: hare (leporid, lagomorph), gazelle (antelope, bovid). People: a person. Look: bright, mostly "
    'white and yellow. Motion: static camera. On screen: "THE END". Speech: "Goodbye."'
)


class _Row:
    caption = CAPTION

    def __getitem__(self, key: str) -> Any:
        return [("hare", 0.6), ("gazelle", 0.1)] if key == "tag_scores" else None


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_caption_text", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_variants_change_only_their_part() -> None:
    bench = _bench()
    table = bench.variants({"hare": 331, "gazelle": 353})
    row = _Row()
    assert table["full"](row) == CAPTION
    assert table["no_look_motion"](row) == (
        'Scene: hare (leporid, lagomorph), gazelle (antelope, bovid). People: a person. On screen: "THE END". '
        'Speech: "Goodbye."'
    )
    assert "People" not in table["no_signals"](row) and "THE END" in table["no_signals"](row)
    assert table["no_kinds"](row).startswith("Scene: hare, gazelle. People: a person. Look: bright")
    # a label under 0.2 x the top label's confidence leaves the Scene line; the rest stays
    rel = table["labels_rel_0.2"](row)
    assert rel.startswith("Scene: hare (") and "gazelle" not in rel and rel.endswith('Speech: "Goodbye."')
