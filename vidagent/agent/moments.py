"""Answers that are moments: "when does the speaker mention Nottingham?" -> the time it is said.

A when-question is first asked for a time written or said (a date, a year: the composer's `time`
type). When nothing answers that way and the question asks about something happening in the videos
(present tense: "when does / do / is / are ..."; "when was the film made?" asks for a date and is left
to the time type), the moment itself is the answer: the sentence said or the line on screen that
covers every focus word of the question, with its own span (the words' or the frames' times), e.g.
"at 0:00:00.850-0:00:04.290 in testMovie.mp4". Why every focus word: a clip that merely resembles the
question is not the moment it asks about, and what cannot be read or heard (an action, a look) is not
claimed: such questions stay Not found.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .words import file_name_words

if TYPE_CHECKING:
    from .answer import Answer
    from .compose import ClipEvidence, Span
    from .question import Query
    from .tools import Toolbox

_PRESENT = re.compile(r"^(?:when|what time)\s+(?:does|do|is|are|can)\b", re.IGNORECASE)
_TEXT_KINDS = ("said", "line", "row", "stack")
_SAID = re.compile(r"\b(?:say|says|said|talk|talks|speak|speaks|mention|mentions|discuss|discusses|tell|tells)\b", re.I)
_SHOWN = re.compile(r"\b(?:show|shows|shown|written|displayed|on screen|appear|appears|read)\b", re.I)


def asks_moment(query: Query) -> bool:
    """Is this a question about when something happens in the videos (not about a date)?"""
    return query.qtype == "when" and bool(_PRESENT.match(query.text))


def moment_span(query: Query, evs: list[ClipEvidence], embed: Any) -> Span | None:
    """The span said or shown that covers every focus word of the question (the video's file name
    counts: "when does the TRAILER say..."), the one closest to the question in meaning; None if none.
    Unlike an answer, a moment may repeat the question's words: "An unlucky bird" is when the trailer
    calls the bird unlucky."""
    from .compose import candidates
    from .question import coverage

    mq = replace(query, qtype="what", answer_type="text")  # any line or sentence may be the moment
    full = []
    for s in candidates(mq, evs):
        if s.kind not in _TEXT_KINDS:
            continue
        name = " ".join(file_name_words(s.clip.video))
        said = " speaker narrator" if s.kind == "said" else ""  # a sentence said is said by the speaker
        # the file name may cover a word ("when does the TRAILER say..."), never all: "when does the diver
        # appear?" is not answered by any sentence said in diver.mov ("Thank you.")
        if coverage(mq, f"{s.evidence} {name}{said}") >= 1.0 and coverage(mq, s.evidence) > 0:
            full.append(s)
    if not full:
        return None
    texts = sorted({s.evidence for s in full})
    qv = embed.embed_batch([query.text])[0]
    vecs = [v for i in range(0, len(texts), 64) for v in embed.embed_batch(texts[i : i + 64])]
    sim = {t: float(v @ qv) for t, v in zip(texts, vecs, strict=True)}
    # "when does he SAY...", "which video TALKS about...": what is said first; "when is ... SHOWN": on screen
    said_first = bool(_SAID.search(query.text)) and not _SHOWN.search(query.text)
    shown_first = bool(_SHOWN.search(query.text)) and not said_first
    return max(
        full, key=lambda s: ((s.kind == "said") == said_first if said_first or shown_first else True, sim[s.evidence])
    )


def answer_moment(box: Toolbox, question: str, query: Query, span: Span, error: str) -> Answer:
    """The moment as the answer, cited on its span; verified when the span re-read holds its words."""
    from .answer import Answer, cite_span, fmt_time

    where = f"at {fmt_time(span.start)}-{fmt_time(span.end)} in {Path(span.clip.video).name}"
    cite = cite_span(box, span)
    return Answer(
        question, where, [cite], box.steps, mode="offline", error=error, evidence=span.evidence, query=query.to_json()
    )


def moment(box: Toolbox, question: str, query: Query, evs: list[ClipEvidence], error: str) -> Answer | None:
    """The moment a when-question asks about, from the evidence read so far; None if none covers it."""
    from ..describe import get_embedder

    span = moment_span(query, evs, get_embedder(box.settings.embed.embedder))
    box.steps.append({"tool": "moment", "args": {"clips": len(evs)}, "result": span and span.to_json()})
    return None if span is None else answer_moment(box, question, query, span, error)


_WHEN_SEEN = re.compile(
    r"^(?:when|what\s+time)\s+(?:does|do|is|are|can)\s+(?:we\s+see\s+|you\s+see\s+)?(?P<what>.+?)"
    r"(?:\s+(?:appear|appears|show\s+up|shown|seen|visible|on\s+screen|come\s+on|turn\s+up))?\s*[?.!]*$",
    re.IGNORECASE,
)


def seen_moment(box: Toolbox, question: str, query: Query, evs: list[ClipEvidence], error: str) -> Answer | None:
    """When something is seen ("when does the cockatoo appear?"), from the image tagger: the retrieved
    clips where a label naming it (or a kind of it: WordNet) is sure (`visual.KIND_FLOOR`), the surest
    video first, in time order, cited as seen. Only one thing named is looked for, and only when the
    question is just that thing appearing: "when does the cockatoo raise its crest?" asks for more than
    a label shows."""
    from .answer import Answer, Citation, fmt_time
    from .mentions import _ORDINAL
    from .visual import KIND_FLOOR
    from .words import STOP

    m = _WHEN_SEEN.match(" ".join(query.text.split()))
    if m is None:
        return None
    from .visual import _own_names, members, subject_kinds

    last = (o := _ORDINAL.search(m.group("what"))) is not None and o.group("which").lower() in (
        "last",
        "latest",
        "final",
    )
    what = _ORDINAL.sub(" ", m.group("what"))  # "when does the cockatoo first appear?": in time order anyway
    phrase = " ".join(w for w in re.findall(r"[a-z'-]+", what.lower()) if w not in STOP)
    kinds = [phrase] if phrase in _own_names() else subject_kinds(what)  # "the bow tie": one label
    rest = [w for w in re.findall(r"[a-z]+", what.lower()) if w not in STOP and len(w) > 2]
    if len(kinds) != 1 or (len(rest) > 1 and kinds[0] != phrase):  # one thing, named by one word or a label
        return None
    wanted = members(kinds[0], own=True)
    sure = [(ev, lab, p) for ev in evs for lab, p in ev.tag_scores if lab in wanted and p >= KIND_FLOOR]
    best = {ev.video: max(q for e, _, q in sure if e.video == ev.video) for ev, _, _ in sure}
    # the surest video, in time order (the last showing first for "...for the last time?")
    sure.sort(key=lambda x: (-best[x[0].video], x[0].video, -x[0].start if last else x[0].start))
    box.steps.append({"tool": "seen_moment", "args": {"kind": kinds[0]}, "result": len(sure)})
    if not sure:
        return None
    cites, seen = [], set()
    for ev, lab, p in sure:
        if ev.clip_id not in seen:
            seen.add(ev.clip_id)
            cites.append(
                Citation(ev.video, ev.start, ev.end, ev.clip_id, f"{lab} ({p:.2f})", False, "seen", ev.start, ev.end)
            )
    first = cites[0]
    where = f"at {fmt_time(first.start)}-{fmt_time(first.end)} in {Path(first.video).name}"
    more = f"; also {len(cites) - 1} more clip(s)" if len(cites) > 1 else ""  # later, or in other videos
    text = f"{where} (seen: {first.evidence}; image tagger{more})"
    return Answer(
        question,
        text,
        cites[:3],
        box.steps,
        mode="offline",
        error=error,
        evidence=first.evidence,
        query=query.to_json(),
    )
