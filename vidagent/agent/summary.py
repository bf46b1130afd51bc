"""Questions about a whole video: "summarise the trailer", "what is the Creative Commons video about?",
"what happens in the film?".

No one clip answers these, so search's top clips are the wrong evidence (the answer was one line of
one clip). The answer is the video's chapters (`vidagent.chapters`: shots merged at the strongest
boundaries, titled from what is shown or said there), in order with their times, each cited on its
span. That is as far as the index's own evidence goes: a summary written from the chapters needs a
language model (`agent.chat_model`), which is then the answerer. The video is chosen as for file
questions (`filefacts`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .filefacts import SUBJECT, SURE_HEAD

if TYPE_CHECKING:
    from .answer import Answer
    from .tools import Toolbox

_ASK = [
    re.compile(
        r"^(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:summari[sz]e|sum\s+up|outline|give\s+(?:me\s+)?(?:a\s+|an\s+)?"
        rf"(?:short\s+|brief\s+|quick\s+)?(?:summary|overview|outline)\s+of)\s+{SUBJECT}\s*[?.!]*$",
        re.IGNORECASE,
    ),
    re.compile(rf"^what\s+(?:is|are|was)\s+{SUBJECT}\s+about\s*[?.!]*$", re.IGNORECASE),
    re.compile(rf"^what\s+happens\s+in\s+{SUBJECT}\s*[?.!]*$", re.IGNORECASE),
    re.compile(rf"^what(?:'s|\s+is|\s+gets)\s+(?:shown|seen)\s+in\s+{SUBJECT}\s*[?.!]*$", re.IGNORECASE),
    # "what topics does the Creative Commons video cover?", "what does the lecture cover?"
    re.compile(
        rf"^what\s+(?:(?:topics|subjects|themes)\s+)?(?:does|do|did)\s+{SUBJECT}\s+(?:cover|discuss|deal\s+with)"
        r"\s*[?.!]*$",
        re.IGNORECASE,
    ),
    # "what are the main topics of the lecture?", "what are the key points in the talk?"
    re.compile(
        r"^what\s+(?:are|were)\s+(?:the\s+)?(?:main\s+|key\s+|major\s+)?(?:topics|subjects|themes|points|parts|sections)"
        rf"\s+(?:of|in|covered\s+in|discussed\s+in)\s+{SUBJECT}\s*[?.!]*$",
        re.IGNORECASE,
    ),
]
MAX_CHAPTERS = 12


def asks_summary(question: str, names: Collection[str] = ()) -> str | None:
    """The words naming the video a summary question is about ("the Creative Commons video"), or None."""
    q = " ".join(question.split())
    for rx in _ASK:
        m = rx.match(q)
        head = m.group("head").lower() if m is not None else ""
        if head in ("clip", "clips"):  # a part of a video: "what happens in this clip?" is asked of its frames
            continue
        if m is not None and (SURE_HEAD.match(head) or head in names):
            return (m.group("np") + m.group("head")).strip()
    return None


def answer_summary(box: Toolbox, question: str, naming: str, video: str | None, k: int, query: Any) -> Answer:
    """The chapters of the video the question names, with their times, each cited on its span."""
    from .. import chapters
    from ..errors import VidagentError, one_line
    from .anchored import video_named
    from .answer import NOT_FOUND, Answer, Citation, fmt_time

    v = video_named(box, question, naming, video, k)
    note = v if isinstance(v, str) else ""
    parts: list[chapters.Chapter] = []
    if not isinstance(v, str):
        try:
            parts = chapters.build(box.store, v.hash)[:MAX_CHAPTERS]
        except VidagentError as exc:
            note = one_line(exc)
    box.steps.append({"tool": "chapters", "args": {"video": naming}, "result": len(parts)})
    if isinstance(v, str) or not parts:
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(note or "no chapters")
        return ans
    cites = [Citation(c.video, c.start, c.end, c.clip_ids[0], c.title, False, "chapter", c.start, c.end) for c in parts]
    listed = "; ".join(f'{fmt_time(c.start)} "{c.title}"' for c in parts)
    many = f"{len(parts)} chapters" if len(parts) > 1 else "one chapter"
    text = f"{Path(v.path).name} ({fmt_time(v.duration or 0.0)}) in {many}: {listed}"
    return Answer(question, text, cites, box.steps, mode="offline", evidence=listed, query=query.to_json())
