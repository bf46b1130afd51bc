"""Questions about a moment named by its time: "what happens at 2:30 in the film?", "what is said at
the end of the lecture?", "who is on screen around 0:45?".

The time is a constraint, not words to match: no caption says "2:30", so search cannot rank by it.
The question's time anchor picks the clip holding that moment in the video the question means (the
`--video` given, a video its words name, the only one long enough, or the one search ranks first
among those long enough) and `ask` answers from that clip alone. A question that only asks what is
there ("what happens", "what is shown", "describe") is answered with what the index knows of the
moment (`describe_moment`): the describer's caption (a model's words; the tagger's labels with their
confidences), the line on screen nearest the time and the sentence said at it, each cited on its own
span. Any other question ("who is speaking at 1:10?") goes through the usual composer on that clip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..timefmt import CLOCK, clock_seconds
from .answer import NOT_FOUND, Answer, Citation, fmt_time, verify_text
from .modelask import ask_models
from .question import analyse
from .words import content_stems, file_name_words, same_word, stem

if TYPE_CHECKING:
    from ..store.records import VideoRecord
    from .compose import ClipEvidence
    from .tools import Toolbox

_PREP = (
    r"(?:(?:right|just|exactly|roughly)\s+)?(?:at|around|about|near|after|by|from)\s+(?:about\s+|around\s+)?(?:the\s+)?"
)
_CLOCK = re.compile(rf"(?:\b{_PREP})?\b{CLOCK}(?:\s+mark)?\b", re.IGNORECASE)
_AMOUNT = (
    r"(?:(\d+(?:\.\d+)?)\s*(?:h|hrs?|hours?)\s*(?:and\s+)?)?(?:(\d+(?:\.\d+)?)\s*(?:m|mins?|minutes?)\s*"
    r"(?:and\s+)?)?(?:(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?))?"
)
# "at 90 seconds", "after 2 minutes and 5 seconds"; or "30 seconds into the trailer", "2 minutes in"
_UNITS = re.compile(rf"\b{_PREP}{_AMOUNT}(?:\s+mark)?(?=\W|$)", re.IGNORECASE)
_INTO = re.compile(rf"(?<!\bfor\s)(?<!\bover\s)(?<!\blast\s)\b{_AMOUNT}\s+(?:in|into)\b", re.IGNORECASE)  # not a length
_RELATIVE = re.compile(
    r"\b(?:at|in|near|towards?|by)\s+the\s+(?:very\s+)?(beginning|start|opening|middle|end|close)\b"
    r"(?=\s*(?:$|[?.,!;]|of\b|in\b|and\b))",
    re.IGNORECASE,
)
#: "the first thing said", "the last line shown": the first or last one, wherever it falls in the video
_ORDINAL = re.compile(
    r"\b(?:the\s+)?(?:very\s+)?(first|last|final|opening|closing)\s+"
    r"(?:thing|things|words?|sentences?|lines?|text|title|image|shot|scene|frame|moment)\b",
    re.IGNORECASE,
)
_WHERE = {
    **{w: "start" for w in ("beginning", "start", "opening", "first")},
    **{w: "end" for w in ("end", "close", "closing", "last", "final")},
    "middle": "middle",
}

SAID = frozenset(
    "say says said saying talk talks talking speak speaks speaking spoken mention mentions mentioned narrator "
    "narrate narrates narrating hear heard voice tell tells telling".split()
)
WRITTEN = frozenset("written write writes text read reads title titles subtitle subtitles sign caption".split())
_EITHER = frozenset("line lines word words sentence sentences".split())  # said or shown: the verb decides, else said
_ON_SCREEN = frozenset("shown show shows screen appear appears displayed visible".split())
#: words that ask only what is there: a question made of these (and the video's name) wants the moment described
GENERIC = frozenset(
    "what whats what's is are was were it its happen happens happening happened going go goes on shown show shows "
    "see seen visible screen frame look looks like doing do does did describe scene moment occur occurs occurring "
    "there in the a an of this that video film movie clip trailer lecture recording footage we you can could "
    "i me tell please exactly".split()
)
_VIDEO_NOUN = r"(?:video|film|movie|clip|trailer|lecture|recording|footage|talk|presentation|interview)s?"
#: "in the Big Buck Bunny film": the words that name the video, not what is asked about it
_NAMING = re.compile(
    rf"\b(?:in|of|from|on|during)\s+(?:the\s+|this\s+|that\s+|my\s+)?((?:[\w'.-]+\s+){{0,5}}?){_VIDEO_NOUN}\b",
    re.IGNORECASE,
)
_FUNCTION = frozenset("a an the of in on at to is are was were and or it this that what which who how".split())
NEAR_S = 5.0  # the sentence said or the frame read nearest the time, at most this far from it
LABEL_SHOWN = 0.1  # a label the tagger gives less than this is noise, not worth saying


@dataclass(frozen=True)
class Anchor:
    """A time named in a question: seconds, or a place in the video ("start", "middle", "end")."""

    at: float | None
    where: str = ""
    text: str = ""  # the words that named it, left out of the search query
    ordinal: bool = False  # "the first / last thing said": the first or last one, not the video's first seconds

    def seconds(self, duration: float) -> float:
        if self.at is not None:
            return self.at
        return {"start": 0.0, "middle": duration / 2}.get(self.where, max(0.0, duration - 0.5))


def time_anchor(question: str) -> Anchor | None:
    """The moment a question names by time ("at 2:30", "around 1 minute 10 seconds", "at the end"), or None."""
    if m := _CLOCK.search(question):
        return Anchor(clock_seconds(*m.groups()), text=m.group(0))
    for rx in (_UNITS, _INTO):
        for m in rx.finditer(question):
            h, mm, ss = m.groups()
            if h or mm or ss:
                return Anchor(float(h or 0) * 3600 + float(mm or 0) * 60 + float(ss or 0), text=m.group(0))
    if m := _RELATIVE.search(question):
        return Anchor(None, _WHERE[m.group(1).lower()], m.group(0))
    if m := _ORDINAL.search(question):
        return Anchor(None, _WHERE[m.group(1).lower()], m.group(0), ordinal=True)
    return None


def _without(question: str, anchor: Anchor) -> str:
    return question.replace(anchor.text, " ") if anchor.text else question


def words_of(text: str) -> list[str]:
    """Lower-case words and numbers of a text ("what's" -> what: a clitic is not a word)."""
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1 or w.isdigit() or w in ("a", "i")]


def file_words(v: VideoRecord) -> set[str]:
    """Words of 3+ characters of a video's file name ("psychopy_testMovie.mp4" -> psychopy, testmovie)."""
    return {w for w in file_name_words(v.path) if len(w) >= 3}


def naming_words(question: str) -> list[str]:
    """The words of the question's phrase that names a video ("in the Big Buck Bunny film")."""
    m = _NAMING.search(question)
    return [w for w in words_of(m.group(0)) if w not in _FUNCTION] if m else []


def unscoped(question: str, anchor: Anchor, v: VideoRecord) -> str:
    """The question without what scopes it to the moment (the time, the phrase and words naming the
    video): what is left is what it asks of that moment ("who is speaking at 0:03 in testMovie?" ->
    "who is speaking"), so the composer does not look for the video's name in its evidence."""
    text = _NAMING.sub(" ", _without(question, anchor))
    for w in file_words(v):
        text = re.sub(rf"(?i)\b{re.escape(w)}\b", " ", text)
    return " ".join(text.split())


def intent(question: str, anchor: Anchor, videos: list[VideoRecord]) -> str:
    """What an anchored question wants: "said", "written", "describe" (only what is there), or "" (a
    question of its own, asked of the moment's clip: "who is speaking at 1:10?")."""
    words = words_of(_without(question, anchor))
    if words and words[0] in ("who", "which", "how", "why", "where", "when", "is", "are", "does", "do", "did", "can"):
        return ""
    every = set(words_of(question))  # the anchor's own words count here ("the last LINE shown")
    if SAID & every:
        return "said"
    if WRITTEN & every or (_EITHER & every and _ON_SCREEN & every):
        return "written"
    if _EITHER & every:  # "the first words", "the last line": of dialogue, unless shown
        return "said"
    names = set(naming_words(question)).union(*(file_words(v) for v in videos))
    rest = [w for w in words if w not in GENERIC and w not in names]
    return "describe" if not rest else ""


_WH = frozenset("who whom whose which where when why how".split())


def choose_video(
    box: Toolbox, question: str, anchor: Anchor, video: str | None, k: int, naming: list[str] | None = None
) -> VideoRecord | str:
    """The video a question about one video means, or a one-line reason none can be chosen. `naming`:
    the words that name it, when the caller knows them ("how long is THE BIG BUCK BUNNY FILM?")."""
    from ..store.resolve import find_video

    if video is not None:
        found = find_video(box.store, video)
        return found if found is not None else f"{video}: not an indexed video"
    vids = [v for v in box.store.videos() if v.plan_key is not None]
    asked = set(words_of(_without(question, anchor))) - _FUNCTION
    by_name = {v.hash: len(file_words(v) & asked) for v in vids}
    if any(by_name.values()):
        most = max(by_name.values())
        vids = [v for v in vids if by_name[v.hash] == most]
    if anchor.at is not None:
        longest = max((v.duration or 0.0 for v in vids), default=0.0)
        vids = [v for v in vids if (v.duration or 0.0) + 0.5 >= anchor.at]
        if not vids:
            return f"no indexed video is that long (the longest it could mean lasts {fmt_time(longest)})"
    if len(vids) == 1:
        return vids[0]
    if not vids:
        return "no video is indexed"
    naming = naming_words(question) if naming is None else [w for w in naming if w not in _FUNCTION]
    names = {n for v in vids for n in file_words(v)}
    topic = (set(naming) if naming else asked) - GENERIC - names - SAID - WRITTEN - _WH
    if topic:  # words that can tell the videos apart ("the CREATIVE COMMONS video"; not "the film")
        # the phrase naming the video, else the question, ranks the videos
        said = " ".join(naming) or _without(question, anchor)
        hits = box.call("search_clips", query=said, k=k)
        paths = {v.path: v for v in vids}
        for h in hits if isinstance(hits, list) else []:
            if h["video"] in paths and _says(h, topic):
                # a guess from what the clips show or say: `run` tells the user which video it took
                box.steps.append({"tool": "choose_video", "args": {"naming": said}, "result": {"by": "content"}})
                box.steps[-1]["result"]["video"] = Path(h["video"]).name
                return paths[h["video"]]
        # nothing seen, read or heard in any clip says it: no guess ("the submarine video" is no video)
        return f'no video\'s file name or clips say "{said}": name one in the question or with --video'
    listed = ", ".join(Path(v.path).name for v in vids[:5]) + (", ..." if len(vids) > 5 else "")
    return f"{len(vids)} videos fit ({listed}): name one in the question or with --video"


def _says(hit: dict[str, Any], topic: set[str]) -> bool:
    """Does a searched clip's own text (labels and caption, lines read, speech) hold a topic word?"""
    c = hit.get("content") or {}
    text = " ".join(
        [
            str(c.get("caption", "")),
            " ".join(map(str, c.get("tags", []))),
            " ".join(map(str, c.get("on_screen", []))),
            str(c.get("speech", "")),
        ]
    )
    stems = content_stems(text)
    return any(same_word(st, stem(w)) for w in topic for st in stems)


def video_named(box: Toolbox, question: str, naming: str, video: str | None, k: int) -> VideoRecord | str:
    """The one video a question about a whole video means, `naming` being the words that name it."""
    return choose_video(box, question, Anchor(None, "start", ""), video, k, naming=words_of(naming))


def clip_at(box: Toolbox, v: VideoRecord, t: float) -> tuple[dict[str, Any], ClipEvidence] | None:
    """The active clip of `v` holding time `t` (the last one for a time at its very end) and its evidence."""
    from .requery import stored_evidence

    rows = sorted(box.store.active_rows(video_hash=v.hash), key=lambda r: float(r["start"]))
    if not rows:
        return None
    row = next((r for r in rows if float(r["start"]) <= t < float(r["end"])), rows[-1] if t >= 0 else rows[0])
    ts = box.store.transcripts_of(v.hash)
    return dict(row), stored_evidence(box.store, row, ts[0] if ts else [])


def said_at(ev: ClipEvidence, t: float) -> Any:
    """The transcript segment said at `t`, else the nearest one within `NEAR_S`, else None."""
    near = [s for s in ev.speech if s.start - NEAR_S <= t <= s.end + NEAR_S]
    return min(
        near, key=lambda s: 0.0 if s.start <= t <= s.end else min(abs(s.start - t), abs(s.end - t)), default=None
    )


def shown_at(ev: ClipEvidence, t: float) -> tuple[float, list[str]]:
    """The lines read on the keyframe nearest `t` (within `NEAR_S`) and that frame's time."""
    from ..perception.layout import by_frame, dedupe_lines, lines

    frames = [g for g in by_frame(ev.boxes) if g and abs(g[0].time - t) <= NEAR_S]
    if not frames:
        return t, ([] if ev.boxes else list(ev.lines))
    group = min(frames, key=lambda g: abs(g[0].time - t))
    return group[0].time, dedupe_lines(ln.text for ln in lines(group))


def _labels(row: dict[str, Any]) -> str:
    """The tagger's labels of the clip, said as guesses with their confidences."""
    from .visual import KIND_FLOOR

    scores = [(str(lab), float(p)) for lab, p in row.get("tag_scores") or [] if float(p) >= LABEL_SHOWN][:3]
    if not scores:
        return ""
    sure = "" if scores[0][1] >= KIND_FLOOR else ", unsure"
    return "labels " + ", ".join(f"{lab} {p:.2f}" for lab, p in scores) + f" (image tagger{sure})"


def _looks(row: dict[str, Any]) -> str:
    phrases = ((row.get("extra") or {}).get("signals") or {}).get("phrases") or {}
    return ", ".join(p for key in ("people", "colour", "motion") for p in phrases.get(key) or [])


def describe_moment(
    box: Toolbox, question: str, want: str, row: dict[str, Any], ev: ClipEvidence, t: float, query: Any, error: str
) -> Answer:
    """What the index knows of the moment at `t` (or only what was said / written there), cited."""
    cites: list[Citation] = []
    parts: list[str] = []
    name = Path(ev.video).name
    if want in ("describe", "written"):
        when, shown = shown_at(ev, t)
        if shown:
            text = " / ".join(shown[:6])
            ok = verify_text(box.store, ev.clip_id, shown[0], when, when)
            cites.append(Citation(ev.video, when, when, ev.clip_id, text, ok, "on screen", ev.start, ev.end))
            parts.append(f'on screen at {fmt_time(when)}: "{text}"')
    if want in ("describe", "said"):
        seg = said_at(ev, t)
        if seg is not None:
            ok = verify_text(box.store, ev.clip_id, seg.text, seg.start, seg.end)
            cites.append(Citation(ev.video, seg.start, seg.end, ev.clip_id, seg.text, ok, "said", ev.start, ev.end))
            parts.append(f'said at {fmt_time(seg.start)}-{fmt_time(seg.end)}: "{seg.text.strip()}"')
    if want == "describe":
        offline = row.get("describer") in ("", "offline")
        seen = "; ".join(x for x in (_labels(row), _looks(row)) if x) if offline else str(row.get("caption") or "")
        if seen:
            cites.insert(0, Citation(ev.video, ev.start, ev.end, ev.clip_id, seen, False, "seen", ev.start, ev.end))
            parts.insert(0, seen)
    box.steps.append(
        {"tool": "moment_at", "args": {"video": name, "time": round(t, 3), "want": want}, "result": len(parts)}
    )
    if not parts:
        return Answer(question, NOT_FOUND, [], box.steps, mode="offline", error=error, query=query.to_json())
    text = f"At {fmt_time(t)} in {name} (clip {fmt_time(ev.start)}-{fmt_time(ev.end)}): " + "; ".join(parts)
    return Answer(
        question, text, cites, box.steps, mode="offline", error=error, evidence=parts[0], query=query.to_json()
    )


def first_or_last(box: Toolbox, v: VideoRecord, want: str, where: str) -> float | None:
    """When the video's first (or last) sentence is said, or its first (last) line of text is shown."""
    from ..perception.layout import by_frame

    if want == "said":
        ts = box.store.transcripts_of(v.hash)
        times = [(s.start + s.end) / 2 for s in (ts[0] if ts else []) if s.text.strip()]
    else:
        rows = box.store.active_rows(video_hash=v.hash)
        times = [g[0].time for r in rows for g in by_frame(box.store.evidence.boxes(int(r["description_id"]))) if g]
    if not times:
        return None
    return min(times) if where == "start" else max(times)


def at_time(
    box: Toolbox, question: str, query: Any, anchor: Anchor, video: str | None, k: int, requery: bool
) -> Answer | tuple[list[dict[str, Any]], list[ClipEvidence], Any]:
    """The clip at the question's time, or the answer about that moment (`anchored`)."""
    v = choose_video(box, question, anchor, video, k)
    found = clip_at(box, v, anchor.seconds(v.duration or 0.0)) if not isinstance(v, str) else None
    if isinstance(v, str) or found is None:
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(v if isinstance(v, str) else f"{Path(v.path).name}: no clip of it is indexed")
        return ans
    row, ev = found
    t = anchor.seconds(v.duration or 0.0)
    hit = {"clip_id": ev.clip_id, "video": ev.video, "start": ev.start, "end": ev.end}
    box.steps.append({"tool": "clip_at", "args": {"video": ev.video, "time": round(t, 3)}, "result": hit})
    want = intent(question, anchor, [v])
    if requery and want != "said" and (model := ask_models(box, _without(question, anchor), [hit])):
        model.question = question  # the clip's own model, asked without the time its frames cannot see
        return model
    if anchor.ordinal and want in ("said", "written") and (when := first_or_last(box, v, want, anchor.where)):
        row, ev = clip_at(box, v, when) or (row, ev)
        t = when
    if want:
        return describe_moment(box, question, want, row, ev, t, query, "")
    scoped = replace(analyse(unscoped(question, anchor, v)), scoped=True)
    box.steps.append(
        {"tool": "analyse", "args": {"question": unscoped(question, anchor, v)}, "result": scoped.to_json()}
    )
    return [hit], [ev], scoped
