"""Answer lines re-read cropped and enlarged, voted across frames, on the real film (slow).

At 530 s the end credits show "HARDWARE PROVIDED BY / Maqina Workstations" in ~22-px letters. A
whole-frame OCR pass (the frame shrunk to the detector's 960 px) reads "Magina" on 5 of 6 frames; the
vote re-reads the line's crop at 2x in two looks and must give "Maqina". The re-read is cached in the
store, and the cited span then verifies against it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vidagent.agent.answer import verify_text
from vidagent.agent.requery import dense_ocr, stored_evidence, vote, worth_voting
from vidagent.store import Store

pytestmark = pytest.mark.slow


def test_small_credit_line_is_re_read_right(bbb_store: Path) -> None:
    store = Store(bbb_store)
    row = next(r for r in store.active_rows() if r["start"] <= 530.0 < r["end"])
    ev = stored_evidence(store, row, [])
    dense_ocr(store, ev)  # the clip read at 1 frame/s, 1280 px: what the vote starts from
    read = {b.text for b in ev.boxes if "orkstations" in b.text}
    assert "Magina Workstations" in read  # the whole-frame pass's usual misreading
    assert worth_voting(store, ev, "Magina Workstations")  # ~22 px high in the 720p film
    got = vote(store, ev, ["Magina Workstations"])
    assert got["readings"] == {"Magina Workstations": "Maqina Workstations"}
    again = vote(store, ev, ["Magina Workstations"])
    assert again["cached"] and again["readings"] == got["readings"]
    assert verify_text(store, row["clip_id"], "Maqina Workstations", row["start"], row["end"])
