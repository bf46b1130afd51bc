"""Reading order for OCR boxes: table rows, label/value lines, fuzzy de-duplication (pure, no models)."""

from __future__ import annotations

from vidagent.perception.layout import dedupe_boxes, dedupe_lines, lines, pairs
from vidagent.types import TextBox


def box(text: str, x0: float, y0: float, x1: float, h: float = 0.03, t: float = 1.0, s: float = 0.9) -> TextBox:
    return TextBox(text, x0, y0, x1, y0 + h, s, t)


def test_two_column_table_reads_as_row_pairs_even_when_a_long_name_narrows_the_gap() -> None:
    frame = [
        box("ENRICO VALENZA", 0.24, 0.50, 0.45),
        box("Lead Artist", 0.56, 0.50, 0.70),
        box("SACHA GOEDEGEBURE", 0.24, 0.40, 0.535),
        box("Director", 0.56, 0.40, 0.66),
        box("Peach Open Movie Team", 0.31, 0.25, 0.55),
    ]
    got = lines(frame)
    assert [ln.text for ln in got] == [
        "Peach Open Movie Team",
        "SACHA GOEDEGEBURE | Director",
        "ENRICO VALENZA | Lead Artist",
    ]
    rows = {p.text for p in pairs(got) if p.kind == "row"}
    assert rows == {"SACHA GOEDEGEBURE | Director", "ENRICO VALENZA | Lead Artist"}


def test_label_with_values_indented_under_it() -> None:
    frame = [
        box("WITH THE FINANCIAL SUPPORT FROM", 0.20, 0.30, 0.60),
        box("Digital Pioneers fund", 0.30, 0.36, 0.50),
        box("Blender Foundation", 0.30, 0.40, 0.48),
        box("PRODUCED BY", 0.20, 0.50, 0.35),
        box("Ton Roosendaal", 0.30, 0.54, 0.45),
    ]
    got = [(p.first, p.second) for p in pairs(lines(frame)) if p.kind == "stack"]
    assert ("WITH THE FINANCIAL SUPPORT FROM", "Digital Pioneers fund") in got
    assert ("WITH THE FINANCIAL SUPPORT FROM", "Blender Foundation") in got
    assert ("PRODUCED BY", "Ton Roosendaal") in got
    # The next heading is not a value of the previous one (it is back at the heading's indent, far below).
    assert ("WITH THE FINANCIAL SUPPORT FROM", "PRODUCED BY") not in got


def test_same_text_same_place_counts_once_but_a_short_line_is_never_swallowed() -> None:
    a = box("DOLBY MASTERING", 0.2, 0.5, 0.4, t=1.0, s=0.8)
    b = box("DOLBY MASTERNG", 0.201, 0.501, 0.4, t=2.0, s=0.95)  # OCR jitter on the next frame
    moved = box("DOLBY MASTERING", 0.2, 0.2, 0.4, t=3.0)  # scrolled: another place
    kept = dedupe_boxes([a, b, moved])
    assert len(kept) == 2 and kept[0].text == "DOLBY MASTERNG" and kept[0].time == 1.0
    assert dedupe_lines(["Blender Foundation", "Blender", "Blender Foundation"]) == ["Blender Foundation", "Blender"]


def test_a_line_starting_in_lower_case_continues_the_sentence_above_it() -> None:
    frame = [box("And all Creative Commons", 0.30, 0.40, 0.70), box("supporters, large and small.", 0.28, 0.45, 0.72)]
    assert not [p for p in pairs(lines(frame)) if p.kind == "stack"]
    labelled = [box("Contact:", 0.30, 0.40, 0.45), box("info at example dot org", 0.32, 0.45, 0.60)]
    assert [p.second for p in pairs(lines(labelled)) if p.kind == "stack"] == ["info at example dot org"]
    # a web address starts in lower case but is a value of its own (a name with its site under it)
    site = [box("Stanford Law School", 0.30, 0.40, 0.55), box("law.stanford.edu", 0.32, 0.45, 0.50)]
    assert [p.second for p in pairs(lines(site)) if p.kind == "stack"] == ["law.stanford.edu"]
