"""Reading order for text boxes: lines, table rows and label/value pairs (pure functions, no models).

OCR gives boxes; a reader sees a layout. A two-column credit table ("ENRICO VALENZA   Lead Artist")
is one row of two cells; a role heading with the names indented under it ("CHARACTER RIGGING" /
"Nathan Vegdahl") is a label and its value on the next line. Both become `Pair`s, which the answer
composer ranks as candidate answers. Coordinates are fractions of the frame (0-1), so the rules do not
depend on the decode width.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..types import TextBox

CELL_GAP = 1.2  # a horizontal gap wider than this many line heights starts a new cell (column)
STACK_GAP = 2.6  # a value line sits within this many line heights under its label
SAME_TEXT = 0.85  # fuzzy ratio above which two readings are the same text
SAME_PLACE = 0.04  # box centres this close (fraction of the frame) are the same place


def normalise(text: str) -> str:
    """Comparison form: NFKC, case-folded, punctuation and spacing dropped."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def same_text(a: str, b: str, ratio: float = SAME_TEXT) -> bool:
    """Fuzzy equality of two readings (OCR jitter such as 'DOLBY'/'DODOLBY'); never substring deletion."""
    ka, kb = normalise(a), normalise(b)
    if not ka or not kb:
        return ka == kb
    return ka == kb or difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio() >= ratio


@dataclass(frozen=True)
class Line:
    """One visual line of one frame: its cells left to right (a cell is boxes closer than a column gap)."""

    cells: tuple[str, ...]
    x0: float
    y0: float
    x1: float
    y1: float
    time: float
    cell_x0: tuple[float, ...] = ()

    @property
    def text(self) -> str:
        return " | ".join(self.cells)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Pair:
    """Two pieces of text a reader links: `kind` 'row' (same line, two columns) or 'stack' (label above value)."""

    first: str
    second: str
    kind: str
    time: float

    @property
    def text(self) -> str:
        return f"{self.first} | {self.second}" if self.kind == "row" else f"{self.first} / {self.second}"


def lines(boxes: Sequence[TextBox]) -> list[Line]:
    """Boxes of ONE frame -> lines top to bottom, each split into cells at column gaps."""
    rows: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        for row in rows:
            ref = row[0]
            overlap = min(ref.y1, b.y1) - max(ref.y0, b.y0)
            if overlap >= 0.5 * min(ref.height, b.height):
                row.append(b)
                break
        else:
            rows.append([b])
    # Column starts: where a wide gap opens a cell on some line. A narrower gap that opens onto the
    # same x on another line is the same column (a long name leaves less room before its role).
    heights = {id(row): sorted(b.height for b in row)[len(row) // 2] or 1e-3 for row in rows}
    for row in rows:
        row.sort(key=lambda b: b.x0)
    starts = [
        b.x0 for row in rows for a, b in zip(row, row[1:], strict=False) if b.x0 - a.x1 > CELL_GAP * heights[id(row)]
    ]
    out: list[Line] = []
    for row in rows:
        h = heights[id(row)]
        cells: list[list[TextBox]] = [[row[0]]]
        for b in row[1:]:
            gap = b.x0 - cells[-1][-1].x1
            aligned = gap > 0.3 * h and any(abs(b.x0 - x) < 0.012 for x in starts)
            if gap > CELL_GAP * h or aligned:
                cells.append([b])
            else:
                cells[-1].append(b)
        texts = tuple(" ".join(b.text for b in c) for c in cells)
        out.append(
            Line(
                texts,
                min(b.x0 for b in row),
                min(b.y0 for b in row),
                max(b.x1 for b in row),
                max(b.y1 for b in row),
                row[0].time,
                tuple(c[0].x0 for c in cells),
            )
        )
    out.sort(key=lambda ln: ln.y0)
    return out


def pairs(frame_lines: Sequence[Line]) -> list[Pair]:
    """Row pairs (neighbouring cells of a line) and stacked pairs (a line and the lines under it).

    A stacked value is a line starting below its label, within a few line heights, and not left of it
    (credits indent names under the role; slides centre a value under its label). A heading's value
    run continues over consecutive lines that share the value's indent (several names under one role).
    """
    out: list[Pair] = []
    for ln in frame_lines:
        for a, b in itertools.pairwise(ln.cells):
            out.append(Pair(a, b, "row", ln.time))
    for i, label in enumerate(frame_lines):
        if len(label.cells) != 1:
            continue
        prev_y1, indent = label.y1, None
        for value in frame_lines[i + 1 :]:
            h = max(label.height, value.height, 1e-3)
            if value.y0 - prev_y1 > STACK_GAP * h or len(value.cells) != 1:
                break
            centred = abs((value.x0 + value.x1) / 2 - (label.x0 + label.x1) / 2) < 0.03
            if value.x0 < label.x0 - 0.02 and not centred:
                break
            if continues(value.text) and not label.text.rstrip().endswith(":"):
                break  # a line starting with a lower-case word continues a wrapped sentence: not a value
            if indent is None:
                indent = value.x0
                heading_like = (
                    value.text.isupper() == label.text.isupper() and abs(value.height - label.height) < 0.25 * h
                )
                if indent <= label.x0 + 0.01 and heading_like and not centred:
                    break  # flush under it, same case and size: the next heading, not a value
            elif abs(value.x0 - indent) > 0.02:
                break
            out.append(Pair(label.text, value.text, "stack", value.time))
            prev_y1 = value.y1
            if indent <= label.x0 + 0.01:
                break  # not indented: only the line right under the label is its value
    return out


def continues(text: str) -> bool:
    """Does a line start with a lower-case word ("supporters, large and small.")? Then it continues the
    sentence above it. A web or mail address ("law.stanford.edu") starts in lower case but stands alone."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return bool(re.fullmatch(r"[a-z][a-z'-]*[,;:]?", first))


def by_frame(boxes: Iterable[TextBox]) -> list[list[TextBox]]:
    """Group boxes by frame time, in time order."""
    groups: dict[float, list[TextBox]] = {}
    for b in boxes:
        groups.setdefault(round(b.time, 3), []).append(b)
    return [groups[t] for t in sorted(groups)]


def dedupe_boxes(boxes: Iterable[TextBox]) -> list[TextBox]:
    """The same text at the same place on several frames counts once (the most confident reading,
    first time seen). Different text, or the same text elsewhere (a scrolled line), is kept."""
    kept: list[TextBox] = []
    for b in sorted(boxes, key=lambda b: b.time):
        for j, k in enumerate(kept):
            near = abs(k.cy - b.cy) < SAME_PLACE and abs((k.x0 + k.x1) / 2 - (b.x0 + b.x1) / 2) < SAME_PLACE
            if near and same_text(k.text, b.text):
                if b.score > k.score:
                    kept[j] = TextBox(b.text, b.x0, b.y0, b.x1, b.y1, b.score, k.time)
                break
        else:
            kept.append(b)
    return kept


def dedupe_lines(texts: Iterable[str]) -> list[str]:
    """Distinct lines in first-seen order; near-identical readings count once (the longer one kept).
    A short line is never dropped because a longer line contains it."""
    kept: list[str] = []
    for t in texts:
        t = " ".join(t.split())
        if not normalise(t):
            continue
        for j, k in enumerate(kept):
            if same_text(k, t):
                if len(t) > len(k):
                    kept[j] = t
                break
        else:
            kept.append(t)
    return kept


def frame_lines(boxes: Sequence[TextBox]) -> list[list[Line]]:
    """Lines per frame for boxes of several frames."""
    return [lines(group) for group in by_frame(boxes)]
