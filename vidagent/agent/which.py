"""Questions whose answer is a video of the library: "which video shows a dog?", "in which video does
someone talk about copyright?".

The answer is the video holding evidence `ask` can check, found in the two ways it can: a label of the
thing asked for (`visual`: a kind of it or a label so named, at least `KIND_FLOOR` in a retrieved clip)
or a sentence said / a line shown holding every focus word of the question (`moments`). The answer
names the video file first and says why ("forensics_dog.mp4 (seen: Samoyed, a dog; image tagger,
0.87)", "wannaworktogether.mp4 (said at 0:01:08.870-0:01:12.790)"); the citation is the clip or the
span. When neither finds one, `coverage` names the video whose evidence backs most of the question's
words, said as a partial match; a video that only resembles the question (search's ranking alone) is
not named: Not found.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .visual import SKIP, subject_kinds

if TYPE_CHECKING:
    from .answer import Answer
    from .compose import ClipEvidence
    from .question import Query
    from .tools import Toolbox

_MEDIA = r"(?:videos?|clips?|films?|movies?|recordings?|files?)"
_WHICH = re.compile(rf"^(?:in\s+|on\s+)?(?:which|what)\s+{_MEDIA}\b\s*(.*)$", re.IGNORECASE)
# The same question asked for yes or no, or as a request: "is there a video with a dog?", "do any of the
# videos show a man in a bow tie?", "does any clip show...", "do I have a video of...", "find the video
# with the cockatoo", "show me the clip where a lecturer introduces himself".
_YES_NO = re.compile(
    rf"^(?:(?:is|are)\s+there|(?:do|does)\s+(?:i|we)\s+have|have\s+(?:i|we)\s+got|(?:do|does))\s+"
    rf"(?:a|an|any|some)\s+(?:of\s+(?:the|my|our)\s+)?{_MEDIA}\b\s*(.*)$",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    rf"^(?:please\s+)?(?:find|show\s+me|give\s+me|get|open|play)\s+(?:me\s+)?(?:the|a|any)\s+{_MEDIA}\b\s*(.*)$",
    re.IGNORECASE,
)
#: a label the tagger gives more than half its probability names its video alone; a surer-than-the-floor
#: label under this needs the rest of the question not to be against it (`_rest_backed`)
ALONE = 0.5


def asks_video(question: str) -> str | None:
    """What a which-video question asks about ("shows a dog"), or None for any other question; also
    asked for yes or no ("is there a video with a dog?") or as a request ("find the clip where...")."""
    q = " ".join(question.split())
    for pattern in (_WHICH, _YES_NO, _REQUEST):
        if m := pattern.match(q):
            return m.group(1)
    return None


def asks_yes(question: str) -> bool:
    """Is a which-video question asked for yes or no ("is there a video with a dog?")? Its answer then
    starts "Yes: " when a video is named; otherwise it is Not found, never "No" (what the index does not
    show may still be there)."""
    return bool(_YES_NO.match(" ".join(question.split())))


def searchable(rest: str) -> str:
    """The asked-about part as a search query: "shows skyscrapers lit up at night?" -> "skyscrapers lit up
    at night" (the verb and determiners before it, and the question mark, dropped)."""
    words = rest.strip().rstrip("?.! ").split()
    while words and words[0].lower() in SKIP:
        words.pop(0)
    return " ".join(words)


def which_video(box: Toolbox, question: str, query: Query, evs: list[ClipEvidence], error: str) -> Answer | None:
    """The video a which-video question asks for, with its evidence; None when nothing checkable says."""
    from .answer import fmt_time
    from .moments import moment
    from .visual import _article, answer_seen, seen_kind

    rest = asks_video(question) or ""
    for kind in subject_kinds(rest):  # the first thing named that a clip surely shows
        seen = seen_kind(kind, evs, own=True)
        box.steps.append({"tool": "seen_kind", "args": {"kind": kind}, "result": seen and seen.to_json()})
        if seen is not None:
            showing = {e.video for e in evs if e.clip_id in {c for c, _ in seen.clips}}
            if seen.top < ALONE and not _rest_backed(box, rest, evs, showing):
                continue  # a "ball" (a bubble, 0.48) is there, but nothing of "throws ... across a dark board"
            ans = answer_seen(question, seen, evs, box.steps, query.to_json(), error)
            label = f"{seen.label}, {_article(seen.nearer())}" if seen.nearer() != seen.label else seen.label
            videos = ", ".join(dict.fromkeys(Path(c.video).name for c in ans.citations))  # surest first
            ans.answer = f"{videos} (seen: {label}; image tagger, best {seen.top:.2f})"
            return ans
    found = moment(box, question, replace(query, qtype="when"), evs, error)
    if found is None:
        return None
    c = found.citations[0]
    how = "said" if c.kind == "said" else "shown"
    found.answer = f"{Path(c.video).name} ({how} at {fmt_time(c.start)}-{fmt_time(c.end)})"
    return found


def _rest_backed(box: Toolbox, rest: str, evs: list[ClipEvidence], videos: set[str]) -> bool:
    """Does one of these videos back at least `coverage.MIN_COVER` of what the question asks, weighed as
    `coverage` weighs it? A label between the floor and `ALONE` of one thing named is not enough when
    the rest of the question, which the index could check, is not there ("someone throws a ball across
    a dark board": a bubble at 0.48, which WordNet makes a kind of ball). When most of the question is
    nothing the index could check ("a fluffy white dog lying on the floor"), the label alone decides."""
    from .coverage import MIN_COVER, covered

    cover = covered(box, rest, evs)
    return not cover or any(c >= MIN_COVER for v, c, _ in cover if v in videos)
