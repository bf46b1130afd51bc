"""Everything said or written in one video: "what is said in the jwpIntro video?", "what text appears in
the trailer?", "give me the transcript of testMovie", "list everything written in the film", "what is
said between 1:00 and 1:10 in the lecture?" (only what overlaps that stretch).

No one clip answers these, and a span composed from search's top clips would be one line of many. The
answer is the video's own record, in time order: the sentences speech recognition transcribed, or each
line text recognition read (once, at the first keyframe showing it), with their times, the first
`LISTED` of them and how many more there are, the first `CITED` cited on their own spans. A channel
that was read and holds nothing is said so (as `channels` says "No speech was heard"); one never read
is Not found with a note. The video is chosen as for file questions (`filefacts`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..timefmt import CLOCK, clock_seconds
from .filefacts import SUBJECT, SURE_HEAD

if TYPE_CHECKING:
    from .answer import Answer
    from .tools import Toolbox

_END = r"\s*[?.!]*$"
_SAID = r"said|spoken|talked\s+about|narrated"
_SHOWN = r"written|shown|displayed|on\s+screen|shown\s+on\s+screen"
_ASK = [
    # "what is said in the jwpIntro video?", "what is written in the trailer?"
    # ("what is shown in the film?" asks what is seen: a summary, `summary.py`)
    re.compile(rf"^what(?:'s|\s+is|\s+gets|\s+was)\s+(?P<what>{_SAID}|written)\s+(?:in|on)\s+{SUBJECT}{_END}", re.I),
    # "what text appears in the trailer?", "which words are shown in the film?"
    re.compile(
        r"^(?:what|which)\s+(?P<what>text|words|lines|titles|captions|subtitles)\s+(?:appears?|(?:is|are)\s+"
        rf"(?:shown|written|displayed|visible)?(?:\s*on\s+screen)?)\s+(?:in|on)\s+{SUBJECT}{_END}",
        re.I,
    ),
    # "list everything written in the film", "show me all the text in the trailer"
    re.compile(
        r"^(?:list|show\s+me|give\s+me|tell\s+me)\s+(?:everything|all(?:\s+(?:of\s+)?the)?\s+(?P<noun>text|lines|words|sentences))"
        rf"(?:\s+(?P<what>{_SAID}|{_SHOWN}))?\s+(?:in|on)\s+{SUBJECT}{_END}",
        re.I,
    ),
    # "give me the transcript of testMovie", "show the transcript for the lecture"
    re.compile(
        r"^(?:(?:give|show)\s+(?:me\s+)?|print\s+|what\s+is\s+)(?:a\s+|the\s+)?(?P<what>transcript|transcription)\s+"
        rf"(?:of|for)\s+{SUBJECT}{_END}",
        re.I,
    ),
]
#: "between 1:00 and 1:10", "from 0:30 to 1:00": what is said or shown in that stretch only
_RANGE = re.compile(rf"\s*\b(?:between|from)\s+{CLOCK}\s+(?:and|to|until|till)\s+{CLOCK}\b", re.I)
LISTED = 12
CITED = 5


def time_range(question: str) -> tuple[float, float, str] | None:
    """(start s, end s, the words naming them) of a stretch the question names, else None."""
    m = _RANGE.search(question)
    if m is None:
        return None
    a, b = clock_seconds(*m.groups()[:3]), clock_seconds(*m.groups()[3:])
    return (min(a, b), max(a, b), m.group(0)) if a != b else None


def asks_listing(question: str, names: Collection[str] = ()) -> tuple[str, str] | None:
    """("said" | "shown", the words naming the video) for a question asking for all of it, else None."""
    q = " ".join(_RANGE.sub("", question).split())
    for rx in _ASK:
        m = rx.match(q)
        if m is None or not (SURE_HEAD.match(m.group("head")) or m.group("head").lower() in names):
            continue
        asked = q[: m.start("head")]  # the words before the video's name say which channel
        said = re.search(rf"\b(?:{_SAID}|transcript|transcription|sentences)\b", asked, re.I)
        shown = re.search(rf"\b(?:{_SHOWN}|appears?|text|lines|titles|captions|subtitles)\b", asked, re.I)
        return ("shown" if shown and not said else "said"), (m.group("np") + m.group("head")).strip()
    return None


def answer_listing(
    box: Toolbox, question: str, kind: str, naming: str, video: str | None, k: int, query: Any
) -> Answer:
    """The sentences said (or lines shown) in the video the question names, in time order, cited."""
    from .anchored import video_named
    from .answer import NOT_FOUND, Answer, fmt_time
    from .channels import has_channel
    from .mentions import cite_at, spoken

    def not_found(note: str) -> Answer:
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(note)
        return ans

    v = video_named(box, question, naming, video, k)
    if isinstance(v, str):
        return not_found(v)
    rows = sorted(box.store.active_rows(video_hash=v.hash), key=lambda r: float(r["start"]))
    channel = "speech" if kind == "said" else "text"
    known = has_channel(box, v, channel, rows)
    items = spoken(box, v) if kind == "said" else _first_showings(box, v)
    stretch, read = "", bool(items)
    if (span := time_range(question)) is not None:  # only what overlaps the stretch asked about
        items = [(a, b, text) for a, b, text in items if a <= span[1] and b >= span[0]]
        stretch = f" between {fmt_time(span[0])} and {fmt_time(span[1])}"
    box.steps.append({"tool": "listing", "args": {"kind": kind, "video": Path(v.path).name}, "result": len(items)})
    name = Path(v.path).name
    if not items:
        if known is None and not read:
            return not_found(
                f"{name}: {'speech recognition' if kind == 'said' else 'text recognition'} never ran on it"
            )
        return not_found(f"nothing was {'heard' if kind == 'said' else 'read on screen'} in {name}{stretch}")
    listed = "; ".join(f'{fmt_time(a)} "{text}"' for a, _, text in items[:LISTED])
    more = f" (+{len(items) - LISTED} more)" if len(items) > LISTED else ""
    by_id = {r["clip_id"]: r for r in rows}
    how = "said" if kind == "said" else "on screen"
    cites = [c for a, b, text in items[:CITED] if (c := cite_at(box, v, by_id, (a, b, text, ""), how)) is not None]
    verb = "said" if kind == "said" else "shown"
    text = f"{len(items)} {'sentence' if kind == 'said' else 'line'}{'s' if len(items) > 1 else ''} {verb} in {name}{stretch}: {listed}{more}"
    return Answer(question, text, cites, box.steps, mode="offline", evidence=listed, query=query.to_json())


def _first_showings(box: Toolbox, v: Any) -> list[tuple[float, float, str]]:
    """Each distinct line read in the video once, at its first appearance."""
    from ..perception.layout import normalise
    from .mentions import shown_lines

    seen: set[str] = set()
    out = []
    for a, b, text, _ in shown_lines(box, v):
        if normalise(text) not in seen:
            seen.add(normalise(text))
            out.append((a, b, text))
    return out
