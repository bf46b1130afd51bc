"""On-screen text read against the question: a word OCR got one letter wrong ("BUENDER INSTITUTE" for
"BLENDER INSTITUTE", "RENDERNG PROVIDED BY") is read as the question's word it is one edit away from.

Why: the composer meets a question's words by stem, and a name must be met whole, so one misread
letter in a credit line hides the line from every question about it. Only words of 6+ letters on both
sides, the same first letter and a single edit (a letter changed, added or dropped): shorter words,
another first letter or two edits meet other real words too often ("later" / "water", "production" /
"protection"); a longer pair of real words one edit apart ("banner" / "banker") is still read as the
question's, the price of reading credits. Speech is not mended (the recogniser writes dictionary words).
Pure, no models.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .compose import ClipEvidence
from .fit import ORG_VOCAB
from .question import Query
from .words import stem

MIN_LETTERS = 6
_WORD = re.compile(r"[A-Za-z]+")


def one_edit(a: str, b: str) -> bool:
    """Are two different words one edit apart (a letter changed, added or dropped)?"""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1 :]


def mend_text(asked: list[str], text: str, forms: tuple[str, ...] = ()) -> str:
    """`text` with each word one edit from an asked word (and not already that word by stem) read as it.
    `forms`: words read as they are spelt, not by stem ("Microsysteme" is "Microsystems", though the
    stems agree)."""

    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        low = w.lower()
        if len(low) < MIN_LETTERS:
            return w
        for a in [*asked, *forms]:
            near = stem(a) != stem(low) or (a in forms and low not in forms)
            if len(a) >= MIN_LETTERS and a[0] == low[0] and near and one_edit(low, a):
                return a.upper() if w.isupper() else a.capitalize() if w[:1].isupper() else a
        return w

    return _WORD.sub(fix, text)


def mend_clips(query: Query, clips: list[ClipEvidence]) -> list[ClipEvidence]:
    """The clips with their on-screen text (boxes and stored lines) mended toward the question's words
    (the texts so mended in `misread`: a span read from one is re-read before it is trusted)."""
    asked = sorted({w.lower() for w in query.focus if w.isalpha() and len(w) >= MIN_LETTERS})
    # "Sun Microsysteme": the word that makes a name an organisation's
    forms = tuple(w for w in ORG_VOCAB if len(w) >= MIN_LETTERS) if query.answer_type in ("org", "maker") else ()
    if not (asked or forms):
        return clips
    out = []
    for ev in clips:
        boxes = [replace(b, text=mend_text(asked, b.text, forms)) for b in ev.boxes]
        lines = [mend_text(asked, ln, forms) for ln in ev.lines]
        misread = {b.text for b, old in zip(boxes, ev.boxes, strict=True) if b.text != old.text}
        misread |= {ln for ln, old in zip(lines, ev.lines, strict=True) if ln != old}
        out.append(replace(ev, boxes=boxes, lines=lines, misread=misread) if misread else ev)
    return out
