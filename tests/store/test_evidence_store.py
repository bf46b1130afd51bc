"""Schema 2: text boxes and the re-query cache; a version-1 store is upgraded in place, and `doctor`
says when stored on-screen text has no positions (re-describe to get layout)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import vidagent
from vidagent.doctor import doctor
from vidagent.store import Store
from vidagent.store.evidence import cache_key


def test_version_1_store_is_upgraded_and_doctor_asks_for_re_describing(
    tmp_path: Path, shots_video: Path, colour_config: Path
) -> None:
    store = tmp_path / "st"
    vidagent.index(shots_video, store=store, config=colour_config)
    with sqlite3.connect(store / "vidagent.db") as c:  # make it what version 1 wrote
        c.execute("DROP TABLE text_boxes")
        c.execute("DROP TABLE evidence_cache")
        c.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
        c.execute(
            "UPDATE descriptions SET describer='offline', ocr=? WHERE id=(SELECT min(id) FROM descriptions)",
            (json.dumps(["THE END"]),),
        )
    st = Store(store)
    assert st.meta("schema_version") == "2"
    row = st.active_rows()[0]
    assert st.evidence.boxes(row["description_id"]) == []
    key = cache_key(row["clip_id"], "ocr-dense", "m", {"fps": 1})
    st.evidence.put_cache(
        key,
        row["clip_id"],
        row["video_hash"],
        "ocr-dense",
        "m",
        {"fps": 1},
        [["THE END", 0.1, 0.1, 0.3, 0.2, 0.9, 1.5]],
        2.5,
    )
    assert st.evidence.cached(key) == ([["THE END", 0.1, 0.1, 0.3, 0.2, 0.9, 1.5]], 2.5)
    assert st.evidence.cached_for(row["clip_id"], "ocr-dense") == [[["THE END", 0.1, 0.1, 0.3, 0.2, 0.9, 1.5]]]
    st.engine.dispose()
    rep = doctor(store)
    layout = next(f for f in rep.findings if f.check == "text layout")
    assert not layout.ok and "1 clips" in layout.detail and "vidagent index" in layout.detail
    # Forgetting the video removes its cached re-queries with it.
    st = Store(store)
    st.forget_video(row["video_hash"])
    assert st.evidence.cached(key) is None
    st.engine.dispose()


def test_boxes_are_stored_with_their_description(tmp_path: Path) -> None:
    from vidagent.types import Clip, Description, TextBox, VideoInfo

    st = Store(tmp_path / "s")
    info = VideoInfo("/x.mp4", "h" * 64, 1, 10.0, 25.0, 64, 64, "h264", 250)
    st.upsert_video(info)
    clip = Clip("c1", info.hash, 0, 0.0, 10.0, (5.0,))
    boxes = [
        TextBox("ENRICO VALENZA", 0.24, 0.5, 0.45, 0.53, 0.97, 5.0),
        TextBox("Lead Artist", 0.56, 0.5, 0.7, 0.53, 0.95, 5.0),
    ]
    [did] = st.put_descriptions(
        info.hash,
        "k",
        "offline",
        "m",
        None,
        [(clip, Description("c", ocr=["ENRICO VALENZA | Lead Artist"], boxes=boxes))],
        [{}],
    )
    assert st.evidence.boxes(did) == boxes
    assert st.evidence.missing_boxes() == 0
    st.engine.dispose()
