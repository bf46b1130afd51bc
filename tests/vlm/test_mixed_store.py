"""One store, two describers: one video indexed with the offline default, another with a VLM.

`search` ranks clips of both through the shared text space; `similar` on a VLM clip adds its model's
vision vectors (only clips of that model have them) to the caption ranking; `ask`, run with the
offline settings, still re-queries a VLM clip with the VLM it was described with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vlm_cli import cli_json, write_config

from tests.conftest import make_video


@pytest.fixture(scope="module")
def mixed(tiny_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("mixed")
    offline_video = make_video(root / "offline.mp4", [("red", 2), ("blue", 2)], fps=10, size=(96, 64))
    vlm_video = make_video(root / "vlm.mp4", [("green", 2), ("white", 2), ("black", 2)], fps=10, size=(96, 64))
    offline_cfg = root / "offline.yaml"
    offline_cfg.write_text(
        "describe: {describer: offline, speech: false, frame_width: 96}\n"
        "clips: {min_duration: 1.0, max_duration: 10.0}\n"
    )
    vlm_cfg = write_config(
        root / "vlm.yaml", "video-llava", {"model": str(tiny_dirs["video-llava"]), "num_frames": 4, "max_new_tokens": 6}
    )
    store = root / "store"
    for video, cfg in ((offline_video, offline_cfg), (vlm_video, vlm_cfg)):
        summary = cli_json("index", str(video), "--store", str(store), "--config", str(cfg), "--no-progress")
        assert summary["failed"] == 0 and summary["failed_descriptions"] == 0
    return {"store": store, "offline": offline_video, "vlm": vlm_video, "offline_cfg": offline_cfg}


def rows_by_video(store: Path) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    from vidagent.store import Store

    with Store(store, create=False) as st:
        rows = st.active_rows()
    out: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for r in rows:
        out.setdefault(Path(r["video"]).stem, []).append(r)
    return out


def test_search_covers_both_describers(mixed: dict[str, Path]) -> None:
    s = ("--store", str(mixed["store"]))
    rows = rows_by_video(mixed["store"])
    assert {k: len(v) for k, v in rows.items()} == {"offline": 2, "vlm": 3}
    assert {r["describer"] for r in rows["offline"]} == {"offline"}
    assert {r["describer"] for r in rows["vlm"]} == {"video-llava"}
    st = cli_json("status", *s)
    assert (st["videos"], st["clips"], st["descriptions"]) == (2, 5, 5)
    # each describer's caption finds its own clip among the first two, searched with either video's
    # settings or none (the offline caption names its colour, so "blue room ..." may rank the offline
    # blue clip beside the VLM clip it was copied from)
    for video in ("offline", "vlm"):
        query = rows[video][0]["caption"]
        for cfg in ((), ("--config", str(mixed["offline_cfg"]))):
            hits = cli_json("search", query, *s, *cfg, "--top-k", "10")
            assert any(Path(h["video"]).stem == video and h["caption"] == query for h in hits[:2])
    # a query between the two ranks clips of both videos
    hits = cli_json("search", "a coloured screen", *s, "--top-k", "10", "--min-score", "0")  # every candidate
    assert {Path(h["video"]).stem for h in hits} == {"offline", "vlm"}


def test_similar_fuses_text_and_vision_across_describers(mixed: dict[str, Path]) -> None:
    s = ("--store", str(mixed["store"]))
    rows = rows_by_video(mixed["store"])
    vlm_clip = rows["vlm"][0]["clip_id"]
    hits = cli_json("similar", vlm_clip, *s, "--top-k", "10")
    assert vlm_clip not in {h["clip_id"] for h in hits} and len(hits) == 4
    for h in hits:
        kinds = set(h["ranks"])
        # VLM clips are matched by caption and by what the model saw; offline clips by caption only
        assert kinds == ({"text", "vision"} if Path(h["video"]).stem == "vlm" else {"text"}), h
    offline_clip = rows["offline"][0]["clip_id"]
    hits = cli_json("similar", offline_clip, *s, "--top-k", "10")
    assert {Path(h["video"]).stem for h in hits} == {"offline", "vlm"}
    for h in hits:
        kinds = set(h["ranks"])
        if Path(h["video"]).stem == "offline":  # + the offline describer's named signal spaces (visual.colour...)
            assert {"text", "visual"} <= kinds and all(
                k in ("text", "visual") or k.startswith("visual.") for k in kinds
            ), h
        else:
            assert kinds == {"text"}, h
    # --video limits the results; an unknown clip is a one-line error
    only = cli_json("similar", vlm_clip, *s, "--video", str(mixed["vlm"]))
    assert {Path(h["video"]).stem for h in only} == {"vlm"} and len(only) == 2


def test_ask_requeries_a_vlm_clip_with_its_own_describer(mixed: dict[str, Path]) -> None:
    """`ask` with the offline settings: the VLM clip is still re-queried by the VLM that described it."""
    rows = rows_by_video(mixed["store"])
    question = rows["vlm"][1]["caption"]
    answer = cli_json("ask", question, "--store", str(mixed["store"]), "--config", str(mixed["offline_cfg"]))
    steps = [
        st
        for st in answer["steps"]
        if st["tool"] == "inspect_clip" and st["result"].get("clip_id") == rows["vlm"][1]["clip_id"]
    ]
    assert steps and all("error" not in st and st["result"]["requeried"] is True for st in steps), answer["steps"]
