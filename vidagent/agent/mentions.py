"""How many times is something said or shown: "how many times is copyright mentioned in the Creative
Commons video?", "how often does MoviePy appear?".

A count is checkable where the index holds text with times: every sentence speech recognition
transcribed and every line text recognition read. So the whole video (or, when none is named, every
video) is read, not search's top clips, and each sentence holding every word asked about counts once,
as does each appearance of such a line on screen (the same line on consecutive keyframes is one
appearance). The answer lists the times, cited on the first ones, and says what it counted in: text
shown only between keyframes, or words misheard, are not counted, so the figure is a lower bound.
What cannot be read or heard ("how many times does the rabbit jump?") stays Not found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .anchored import SAID, WRITTEN, Anchor, choose_video, file_words, naming_words, words_of

if TYPE_CHECKING:
    from ..store.records import VideoRecord
    from .answer import Answer, Citation
    from .question import Query
    from .tools import Toolbox

_COUNT = re.compile(
    r"^(?:how\s+many\s+times|how\s+often)\s+(?:is|are|was|were|does|do|did|has|have)\s+(?P<rest>.+?)\s*[?.!]*$",
    re.IGNORECASE,
)
SHOWN = frozenset("shown show shows appear appears appeared displayed visible screen".split())
#: words of a count question that say how or where, not what is counted
_FRAME = frozenset(
    "times often word words phrase term name narrator speaker someone anyone he she they it video videos film "
    "movie clip trailer lecture recording footage the a an in on of by".split()
)
_WHEN = re.compile(r"^when\s+(?:is|are|was|were|does|do|did|has|have)\s+(?P<rest>.+?)\s*[?.!]*$", re.IGNORECASE)
_ORDINAL = re.compile(
    r"\b(?:for\s+)?(?:the\s+)?(?P<which>first|last|earliest|latest|final)(?:\s+time)?\b", re.IGNORECASE
)
#: (start, end, text, clip id: "" for a sentence said, found by its time)
Occurrence = tuple[float, float, str, str]
LISTED = 10
CITED = 5


def asks_count(question: str) -> str | None:
    """What a how-many-times question counts ("copyright mentioned in the ... video"), or None."""
    m = _COUNT.match(" ".join(question.split()))
    return m.group("rest") if m else None


def scope_of(box: Toolbox, question: str, video: str | None, k: int) -> list[VideoRecord] | str:
    """The video the question names, else every indexed video."""
    vids = [v for v in box.store.videos() if v.plan_key is not None]
    named = set(words_of(question)) & {w for v in vids for w in file_words(v)}
    if video is None and not named and not naming_words(question):
        return vids
    v = choose_video(box, question, Anchor(None, "start", ""), video, k)
    return [v] if not isinstance(v, str) else v


def spoken(box: Toolbox, v: VideoRecord) -> list[tuple[float, float, str]]:
    """Every sentence transcribed in the video, in time order, with its share of its segment's time."""
    from .said import sentences

    ts = box.store.transcripts_of(v.hash)
    return [(s.start, s.end, s.text) for seg in (ts[0] if ts else []) for s in sentences(seg)]


def _said(box: Toolbox, q: Query, v: VideoRecord) -> list[tuple[float, float, str]]:
    from .question import coverage

    return [s for s in spoken(box, v) if coverage(q, s[2]) >= 1.0]


def _shown(box: Toolbox, q: Query, v: VideoRecord) -> list[tuple[float, float, str, str]]:
    """(first time, last time, line, clip id) of each appearance of a matching line."""
    from .question import coverage

    return shown_lines(box, v, lambda text: coverage(q, text) >= 1.0)


def shown_lines(
    box: Toolbox, v: VideoRecord, keep: Callable[[str], bool] = lambda _: True
) -> list[tuple[float, float, str, str]]:
    """(first time, last time, line, clip id) of each appearance of a line read on the video's keyframes
    (the same line on consecutive keyframes is one appearance), of the lines `keep` keeps."""
    from ..perception.layout import by_frame, lines, normalise

    frames: list[tuple[float, str, list[str]]] = []
    for r in box.store.active_rows(video_hash=v.hash):
        boxes = box.store.evidence.boxes(int(r["description_id"]))
        if boxes:
            frames += [(g[0].time, r["clip_id"], [ln.text for ln in lines(g)]) for g in by_frame(boxes)]
        elif r["ocr"]:
            frames.append((float(r["start"]), r["clip_id"], list(r["ocr"])))
    out: list[tuple[float, float, str, str]] = []
    showing: dict[str, int] = {}  # a matching line still on screen -> its appearance in `out`
    for t, clip_id, texts in sorted(frames):
        now = {normalise(x): x for x in texts if keep(x)}
        for key, text in now.items():
            if key in showing:
                first, _, line, cid = out[showing[key]]
                out[showing[key]] = (first, t, line, cid)
            else:
                showing[key] = len(out)
                out.append((t, t, text, clip_id))
        showing = {key: i for key, i in showing.items() if key in now}
    return out


def asks_ordinal(question: str) -> tuple[str, str] | None:
    """(what is asked about, "first" or "last") for a when-question asking for the first or last time
    something is said or shown ("when is creativity first mentioned?", "when does the word share appear
    for the last time?"), else None."""
    from .question import as_when

    m = _WHEN.match(" ".join(as_when(question).split()))
    if m is None or not (o := _ORDINAL.search(m.group("rest"))):
        return None
    which = "first" if o.group("which").lower() in ("first", "earliest") else "last"
    return _ORDINAL.sub(" ", m.group("rest")), which


def _occurrences(
    box: Toolbox, question: str, rest: str, video: str | None, k: int
) -> tuple[Query, list[tuple[VideoRecord, list[Occurrence], list[Occurrence]]]] | str | None:
    """Every sentence said and line shown holding each word asked about, per video in scope: (the words
    analysed, [(video, said, shown)]); a reason when no video fits; None when nothing is asked about."""
    from .question import analyse

    words = set(words_of(rest))
    naming = set(naming_words(question))
    what = [w for w in words_of(rest) if w not in _FRAME | SAID | WRITTEN | SHOWN | naming]
    names = {w for v in box.store.videos() for w in file_words(v)}
    # "...mentioned in testMovie": a word of a file name names the video, unless it is all that is asked
    what = [w for w in what if w not in names] or what
    if not what:
        return None
    q = analyse(" ".join(what))
    if not q.focus:
        return None
    scope = scope_of(box, question, video, k)
    if isinstance(scope, str):
        return scope
    want_said = not (words & (WRITTEN | SHOWN)) or bool(words & SAID)
    want_shown = not (words & SAID) or bool(words & (WRITTEN | SHOWN))
    found = []
    for v in scope:
        said = [(a, b, text, "") for a, b, text in _said(box, q, v)] if want_said else []
        found.append((v, said, _shown(box, q, v) if want_shown else []))
    return q, found


def cite_at(box: Toolbox, v: VideoRecord, rows: dict[str, Any], hit: Occurrence, kind: str) -> Citation | None:
    """A sentence said or line shown cited on its own span, in its clip (`rows` by clip id; a clip id of
    "" is found by time), verified when the span re-read from the store holds the text."""
    from .answer import Citation, verify_text

    a, b, text, clip_id = hit
    row = rows.get(clip_id) or next((r for r in rows.values() if float(r["start"]) <= a < float(r["end"])), None)
    if row is None:
        return None
    ok = verify_text(box.store, row["clip_id"], text, a, b)
    return Citation(v.path, a, b, row["clip_id"], text, ok, kind, row["start"], row["end"])


def first_mention(
    box: Toolbox, question: str, rest: str, which: str, video: str | None, k: int, query: Any
) -> Answer | None:
    """The first (or last) time each video in scope says or shows every word asked about, cited, with how
    many times it does; None when nothing transcribed or read holds them (other answerers may see it)."""
    from .answer import Answer, fmt_time

    got = _occurrences(box, question, rest, video, k)
    if got is None or isinstance(got, str):
        return None
    q, found = got
    parts, cites = [], []
    for v, said, shown in found:
        hits = [(h, "said") for h in said] + [(h, "on screen") for h in shown]
        if not hits:
            continue
        (hit, kind) = (min if which == "first" else max)(hits, key=lambda x: (x[0][0], x[0][1]))
        rows = {r["clip_id"]: r for r in box.store.active_rows(video_hash=v.hash)}
        if (cite := cite_at(box, v, rows, hit, kind)) is None:
            continue
        cites.append(cite)
        more = f"the {which} of {len(hits)} times" if len(hits) > 1 else "the only time"
        parts.append(f"at {fmt_time(hit[0])}-{fmt_time(hit[1])} in {Path(v.path).name} ({kind}; {more})")
    box.steps.append({"tool": "first_mention", "args": {"words": q.focus, "which": which}, "result": parts})
    if not parts:
        return None
    ans = Answer(
        question, "; ".join(parts), cites, box.steps, mode="offline", evidence=cites[0].evidence, query=query.to_json()
    )
    ans.notes.append("found in the sentences transcribed and the lines read on keyframes")
    return ans


def count_mentions(box: Toolbox, question: str, rest: str, video: str | None, k: int, query: Any) -> Answer | None:
    """The sentences said and lines shown holding every word asked about, counted and cited; None when
    the question names nothing to count."""
    from .answer import NOT_FOUND, Answer, fmt_time

    got = _occurrences(box, question, rest, video, k)
    if got is None:
        return None
    if isinstance(got, str):
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(got)
        return ans
    q, found = got
    parts, cites = [], []
    for v, said, shown in found:
        rows = {r["clip_id"]: r for r in box.store.active_rows(video_hash=v.hash)}
        name = Path(v.path).name
        for kind, hits in (("said", said), ("shown", shown)):
            if not hits:
                continue
            times = ", ".join(fmt_time(h[0]) for h in hits[:LISTED]) + (
                f" (+{len(hits) - LISTED})" if len(hits) > LISTED else ""
            )
            parts.append(f"{kind} {len(hits)} time{'s' if len(hits) > 1 else ''} in {name}: at {times}")
        cites += [c for h in said[:CITED] if (c := cite_at(box, v, rows, h, "said")) is not None]
        cites += [c for h in shown[:CITED] if (c := cite_at(box, v, rows, h, "on screen")) is not None]
    box.steps.append({"tool": "count_mentions", "args": {"words": q.focus, "videos": len(found)}, "result": parts})
    if not parts:
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(f"not said or shown in what was transcribed or read: {' '.join(q.focus)}")
        return ans
    ans = Answer(
        question,
        "; ".join(parts),
        cites,
        box.steps,
        mode="offline",
        evidence=cites[0].evidence if cites else "",
        query=query.to_json(),
    )
    ans.notes.append("counted in the sentences transcribed and the lines read on keyframes: a lower bound")
    return ans
