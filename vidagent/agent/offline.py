"""The offline answerer (no language model): retrieve -> read positioned evidence -> compose -> re-query
-> cite.

1. retrieve: the search ranking's top clips, and the others `gather` adds (words verbatim, sentences
   said, a short video named in the question read whole).
2. read: each clip's stored evidence with positions (text boxes -> rows / label-value pairs, speech).
3. compose: candidate answer spans ranked by `compose.rank`; abstain when none passes its gates.
4. re-query (only when nothing answers): the top clips are re-read densely (`requery`), cached in
   the store, and composed again. Each re-query is a step with its cost.
5. cite: the citation is the frames showing the answer or the words saying it, and is `verified`
   when the cited span, re-read from the store, contains the answer text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .anchored import at_time, time_anchor
from .answer import NOT_FOUND, Answer, cite_span, fmt_time
from .channels import answer_channel, asks_channel
from .compose import ClipEvidence, Span, best, candidates, confident, rank, seen_window
from .coverage import answer_covered
from .filefacts import answer_file, file_question, name_words
from .gather import keyword_hits, named_scope, read, speech_hits, whole_video
from .library import asks_most, count_videos, library_answer, superlative_video
from .listing import answer_listing, asks_listing
from .mentions import asks_count, asks_ordinal, count_mentions, first_mention
from .modelask import ask_models
from .moments import asks_moment, moment, seen_moment
from .polarity import first_settled
from .question import analyse, matched
from .requery import (
    VOTE_FRAMES,
    dense_ocr,
    frames_holding,
    sharpen,
    small_text,
    speech_words,
    vote,
    worth_voting,
)
from .signalfacts import answer_signal, asks_signal
from .speaker import answer_speaker, asks_speaker
from .summary import answer_summary, asks_summary
from .tools import Toolbox
from .visual import answer_seen, seen_kind
from .which import asks_video, asks_yes, searchable, which_video
from .words import family

REQUERY_CLIPS = 2  # how many of the top clips are re-read when stored evidence has no answer
MAX_CITED = 3


def pieces(evidence: str) -> list[tuple[str, str]]:
    """(kind, text) pieces of a describer's re-query evidence: the kinds it gave with it (structural,
    never parsed back out of rendered text); other describers' text is one untyped piece."""
    structured = getattr(evidence, "pieces", None)
    return list(structured) if structured else [("", evidence.strip())]


def _phrase(evidence: str) -> str:
    from ..evidence import render

    return render(pieces(evidence))


def _compose(box: Toolbox, query: Any, evs: list[ClipEvidence], stage: str) -> list[Span]:
    from ..describe import get_embedder
    from .mend import mend_clips

    spans = candidates(query, mend_clips(query, evs))
    ranked = rank(query, spans, get_embedder(box.settings.embed.embedder))
    box.steps.append(
        {
            "tool": "compose",
            "args": {"stage": stage, "candidates": len(spans)},
            "result": {
                "passed": len(ranked),
                "top": [s.to_json() for s in ranked[:5]],
                "truncated": {"shown": min(5, len(ranked)), "total": len(ranked)},
            },
        }
    )
    return ranked


def _requery(box: Toolbox, fn: Any, ev: ClipEvidence, *args: Any, kind: str = "") -> dict[str, Any]:
    """Run one re-query and record it as a step with its cost; a moved video or a read-only store
    becomes an error in the step, not a crash."""
    try:
        result = dict(fn(box.store, ev, *args))
    except Exception as exc:  # noqa: BLE001 - any failure of a re-read is reported in its step
        from ..errors import one_line

        result = {"kind": fn.__name__, "clip_id": ev.clip_id, "error": one_line(exc)}
    box.steps.append(
        {
            "tool": "requery",
            "args": {"clip_id": ev.clip_id, "kind": kind or result["kind"]},
            "result": result,
            "elapsed_s": result.get("cost_s", 0.0),
        }
    )
    return result


#: answer types usually printed rather than said or shown (credits, captions, slides)
PRINTED = ("person", "maker", "org", "name")
DENSE_LINES = 8  # a clip with this many distinct stored text lines is text-dense


def text_density(ev: ClipEvidence) -> int:
    """Distinct text lines the clip's stored keyframes hold (a credits roll holds dozens)."""
    from ..perception.layout import dedupe_lines, frame_lines

    return len(dedupe_lines(ln.text for fl in frame_lines(ev.boxes) for ln in fl)) if ev.boxes else len(ev.lines)


def _requery_order(evs: list[ClipEvidence], ranked: list[Span], query: Any = None) -> list[ClipEvidence]:
    """Clips to re-read: those holding the best partial spans first, then the search's order. For a
    question whose answer is usually printed (a name, a company), text-dense clips go before the
    others: a credits roll read at 448 px holds its answer garbled or between keyframes, so search
    can rank a clip without text above it ("who did the colour grading?")."""
    first = list(dict.fromkeys(s.clip.clip_id for s in ranked))
    order = {e.clip_id: n for n, e in enumerate(evs)}
    dense = query is not None and query.answer_type in PRINTED
    dens = {e.clip_id: text_density(e) for e in evs} if dense else {}

    def key(e: ClipEvidence) -> tuple[int, int, int]:
        held = first.index(e.clip_id) if e.clip_id in first else len(first)
        tier = 0 if dens.get(e.clip_id, 0) >= DENSE_LINES else 1
        return (held, tier if dense else 0, order[e.clip_id])

    return sorted(evs, key=key)


def _vote(box: Toolbox, group: list[Span]) -> str:
    """Re-read the answer's on-screen lines (cropped, enlarged, voted across frames) and put the voted
    reading in the spans; returns the new answer text ("" when nothing was re-read)."""
    shown = [s for s in group if s.kind not in ("said", "seen") and worth_voting(box.store, s.clip, s.answer)]
    if not shown:
        return ""
    for clip_id in dict.fromkeys(s.clip.clip_id for s in shown):
        mine = [s for s in shown if s.clip.clip_id == clip_id]
        ev = mine[0].clip
        if min(frames_holding(ev, s.answer) for s in mine) < VOTE_FRAMES:
            # One frame can mislead every look (at 530.0 s of the film all seven looks read "Magina"):
            # the clip is read densely first (cached, as for any re-query) so the vote has several frames.
            _requery(box, dense_ocr, ev)
        result = _requery(box, vote, ev, [s.answer for s in mine], kind="ocr-vote")
        for s in mine:
            new = (result.get("readings") or {}).get(s.answer)
            if new and new != s.answer:
                s.evidence = s.evidence.replace(s.answer, new)
                s.answer = new
                s.start, s.end = seen_window(s.clip, new)  # every frame showing the line, re-read ones too
    return ", ".join(s.answer for s in group)


def _about_a_video(box: Toolbox, question: str, query: Any, video: str | None, k: int) -> Answer | None:
    """A question about one video as a whole (its file, whether anything is said or written in it, what it
    is about), which no clip search finds: answered from the video's records; None for other questions."""
    names = name_words(box)
    if (fact := file_question(question, names)) is not None:  # "how long is the trailer?"
        video = video or superlative_video(box, fact[1])  # "how long is the longest video?"
        return answer_file(box, question, fact[0], fact[1], video, k, query)
    if (said := asks_channel(question, names)) is not None:  # "is anyone speaking in the bikes video?"
        return answer_channel(box, question, said[0], said[1], video, k, query)
    if (listing := asks_listing(question, names)) is not None:  # "what is said in the jwpIntro video?"
        return answer_listing(box, question, listing[0], listing[1], video, k, query)
    if (about := asks_summary(question, names)) is not None:  # "what is the trailer about?"
        return answer_summary(box, question, about, video, k, query)
    if (ordinal := asks_ordinal(question)) is not None:  # "when is creativity first mentioned?"
        if (first := first_mention(box, question, ordinal[0], ordinal[1], video, k, query)) is not None:
            return first
    if (videos := count_videos(box, question, query)) is not None:  # "how many videos have speech?"
        return videos
    if (counted := asks_count(question)) is not None:  # "how many times is copyright mentioned?"
        return count_mentions(box, question, counted, video, k, query)
    if (signal := asks_signal(question, names)) is not None:  # "does the camera pan in the bikes video?"
        if (measured := answer_signal(box, question, signal, video, k, query)) is not None:
            return measured
    speaking = asks_speaker(question)
    if (speaking is not None or query.qtype == "who") and time_anchor(
        question
    ) is None:  # "who is speaking?", "who is the author of PsychoPy?"
        return answer_speaker(box, question, speaking, video, k, query)  # the name the speaker gives, else None
    return None


def _described(query: Any, top: Span) -> bool:
    """Does a span read or said meet every word the question adds to the kind it asks for?"""
    kind = family(query.kind)
    rest = [not f & kind for f in query.families]
    met = matched(query, f"{top.context} {top.label}")
    return top.kind != "seen" and any(rest) and all(m or not r for m, r in zip(met, rest, strict=True))


def answer_offline(box: Toolbox, question: str, top_k: int, video: str | None = None, requery: bool = True) -> Answer:
    """Answer with a short span, its quoted evidence and a narrow, checked citation; or `Not found`."""
    query = analyse(question)
    box.steps.append({"tool": "analyse", "args": {"question": question}, "result": query.to_json()})
    if (whole := _about_a_video(box, question, query, video, top_k)) is not None:
        return whole
    rest = asks_video(question) or asks_most(question)  # "which video is the longest?", "which is the longest?"
    if rest is not None and (listed := library_answer(box, question, rest, query)):
        if listed.found and asks_yes(question):  # "is there a video with no sound?"
            listed.answer = f"Yes: {listed.answer}"
        return listed  # "which video is the longest?", "which videos have no sound?": the files' records
    if (anchor := time_anchor(question)) is not None:  # "what happens at 2:30?": the clip at that time
        at = at_time(box, question, query, anchor, video, top_k, requery)
        if isinstance(at, Answer):
            return at
        hits, evs, query, error = at[0], at[1], at[2], ""
    else:
        searched = question
        if video is None and (scoped := named_scope(box, question, top_k)) is not None:
            video, searched = scoped  # "what website is shown in the Creative Commons video?": in that video
            query = analyse(searched)
        found = box.call("search_clips", query=searched, k=top_k, video=video)
        hits = [] if isinstance(found, dict) else found
        error = found.get("error", "") if isinstance(found, dict) else ""
        hits += keyword_hits(box, query, hits, top_k, video)
        hits += speech_hits(box, question, query, hits, video)
        hits += whole_video(box, hits, video)
        evs = read(box, hits)
    if (about := asks_video(question)) is not None:  # "which video shows a dog?": a video, checkably
        named = which_video(box, question, query, evs, error)
        if named is None and requery:  # a VLM describer's own look at the top clips
            named = ask_models(box, question, hits)
        if named is None:  # the video whose evidence backs most of what is asked, said as partial
            named = answer_covered(box, question, about, evs, query.to_json(), error)
        if named is not None and named.found and asks_yes(question):
            named.answer = f"Yes: {named.answer}"
        if named is None:  # no line or label answers with a video; search ranks by resemblance instead
            named = Answer(question, NOT_FOUND, [], box.steps, mode="offline", error=error, query=query.to_json())
            if hint := searchable(about):
                named.notes.append(f'no label or line names it surely; the closest clips: vidagent search "{hint}"')
        return named
    ranked = _compose(box, query, evs, "stored")
    if query.kind and not (ranked and _described(query, ranked[0])):
        # "what animal...?": the label of that kind the clips show, when one is sure enough; unless a line
        # or sentence says everything the question adds to the kind ("A (slightly overweight) bunny" for
        # "which animal is slightly overweight?"), which no label can
        seen = seen_kind(query.kind, evs, query.words, own=query.qtype == "yes_no")
        box.steps.append({"tool": "seen_kind", "args": {"kind": query.kind}, "result": seen and seen.to_json()})
        if seen is not None:
            return answer_seen(question, seen, evs, box.steps, query.to_json(), error)
    if asks_moment(query) and not (ranked and confident(query, ranked[0])):
        # "when does the speaker mention...?": the moment it is said or shown, before any re-read
        if (stored_moment := moment(box, question, query, evs, error)) is not None:
            return stored_moment
    top = ranked[0] if ranked else None
    if top is not None and requery and top.kind != "said" and top.clip.source == "stored":
        times = sorted({b.time for b in top.clip.boxes if top.start - 1e-3 <= b.time <= top.end + 1e-3})
        if times and small_text(
            box.store, top.clip, times, box.settings.describe.frame_width, texts=(top.answer, top.label)
        ):
            _requery(box, sharpen, top.clip, times, kind="ocr-frames")
            ranked = _compose(box, query, evs, f"sharpen:{top.clip.clip_id}")
    weak = not ranked or not confident(query, ranked[0])
    if weak and requery and evs:
        # One clip at a time, best candidates first; stop as soon as a span covers the whole question.
        for ev in _requery_order(evs, ranked, query)[:REQUERY_CLIPS]:
            kinds = [dense_ocr] + ([speech_words] if ev.speech else [])  # word times only where speech was heard
            for fn in kinds:
                _requery(box, fn, ev)
            ranked = _compose(box, query, evs, f"requery:{ev.clip_id}")
            if ranked and confident(query, ranked[0]):
                break
    text, group = best(query, ranked)
    if group and requery:
        text = _vote(box, group) or text
    if not group and asks_moment(query) and (found_moment := moment(box, question, query, evs, error)):
        return found_moment  # said or shown only in what the re-query read
    if not group and asks_moment(query) and (seen_at := seen_moment(box, question, query, evs, error)):
        return seen_at  # "when does the cockatoo appear?": where the tagger is sure of it
    if not group and requery:
        asked = ask_models(box, question, hits)
        if asked is not None:
            return asked
    if not group:
        return Answer(question, NOT_FOUND, [], box.steps, mode="offline", error=error, query=query.to_json())
    citations = [cite_span(box, s) for s in group[:MAX_CITED]]
    top = group[0]
    if query.qtype == "yes_no" and top.kind != "seen":
        # "You don't give up your copyright." answers "No"; the top span first, then the next few
        found = first_settled(query, ranked, text)  # `top` is ranked[0]
        if found is not None and found[0] is not top:
            top, citations = found[0], [cite_span(box, found[0])]
        settled = found[1] if found is not None else None
        if settled is None:
            ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", error=error, query=query.to_json())
            c = citations[0]
            where = f"{Path(c.video).name} {fmt_time(c.start)}-{fmt_time(c.end)}"
            ans.notes.append(f'not said in so many words; the closest: "{top.evidence}" ({where})')
            return ans
        text = settled
    return Answer(
        question, text, citations, box.steps, mode="offline", error=error, evidence=top.evidence, query=query.to_json()
    )
