"""Evidence a describer gives when re-queried about a clip, kept as typed pieces (kind, text).

Why typed: the kind of a piece ("on screen", "said", "seen") comes from the field it was read from
(OCR lines, transcript, labels). Rendering pieces into one string and parsing kinds back out of it let
on-screen text such as `CODE 1234"; said: "I CONFESS` pose as speech. Here the kind travels beside the
text and is never recovered from rendered text, and rendering quotes (and escapes) what it quotes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

KINDS = ("on screen", "said", "seen", "")  # "" : free text from a describer without structure

Piece = tuple[str, str]


def quote(text: str) -> str:
    """Double-quoted with quotes, backslashes and control characters escaped (JSON string rules)."""
    return json.dumps(" ".join(str(text).split()), ensure_ascii=False)


def render(pieces: Iterable[Piece]) -> str:
    """One line for people: `on screen: "..."; said: "..."; seen: label`."""
    out = []
    for kind, text in pieces:
        if kind in ("on screen", "said"):
            out.append(f"{kind}: {quote(text)}")
        elif kind:
            out.append(f"{kind}: {' '.join(text.split())}")
        else:
            out.append(" ".join(text.split()))
    return "; ".join(out)


class EvidenceText(str):
    """The rendered evidence (a str, for code that reads text) carrying its typed pieces."""

    pieces: tuple[Piece, ...]

    def __new__(cls, pieces: Sequence[Piece]) -> EvidenceText:
        obj = super().__new__(cls, render(pieces))
        obj.pieces = tuple((str(k), str(t)) for k, t in pieces)
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # copy/pickle rebuild it from its pieces
        return (EvidenceText, (self.pieces,))


def to_json(pieces: Iterable[Piece]) -> list[dict[str, Any]]:
    return [{"kind": k, "text": t} for k, t in pieces]


def from_json(items: Any) -> list[Piece] | None:
    """Pieces from a tool result's `evidence` list; None when it has none (older results)."""
    if not isinstance(items, list):
        return None
    out = []
    for it in items:
        if isinstance(it, dict) and it.get("kind") in KINDS and isinstance(it.get("text"), str):
            out.append((str(it["kind"]), str(it["text"])))
    return out
