"""Questions about a video file itself: "how long is the trailer?", "what resolution is the film?",
"what is the frame rate of bikes.mp4?", "how many clips does the bikes video have?".

The answer is read from the file's probed metadata in the store (duration, width x height, frames per
second), not from anything seen or said, and is cited on the whole video. The video is the one the
question names (`--video`, its file name's words, the phrase naming it through search) as for a
question anchored at a time (`anchored.choose_video`). A question about something *in* the video
("how long is the bridge in the film?", "how long does the rabbit sleep?") is not a file question:
the noun after the verb must be the video itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store.records import VideoRecord
    from .answer import Answer, Citation
    from .tools import Toolbox

_NOUN = r"(?:video|film|movie|clip|trailer|lecture|recording|footage|talk|presentation|interview|file)"
_WORD = r"(?!(?:in|on|of|at|from|with|during|inside|after|before|about|by)\b)[\w'.-]+\s+"  # not a preposition
SUBJECT = r"(?:(?:the|this|that|my)\s+)?(?P<np>(?:" + _WORD + r"){0,5}?)(?P<head>[\w-]+(?:\.\w{2,4})?)"
SURE_HEAD = re.compile(rf"^(?:{_NOUN}|it|[\w-]+\.\w{{2,4}})$", re.IGNORECASE)  # a head that is surely the video
_LONG = re.compile(
    rf"^how\s+long\s+(?:is|was|does|did)\s+{SUBJECT}(?:\s+(?:last|run|take|go\s+on))?(?:\s+for)?\s*[?.!]*$",
    re.IGNORECASE,
)
_PROPERTY = re.compile(
    r"^what(?:'s|\s+is|\s+was|\s+are)?\s+(?:the\s+)?(?P<what>length|duration|running\s+time|run\s*time|resolution|"
    rf"frame\s*rate|fps|frames\s+per\s+second|size|dimensions)\s+(?:of|is|for)\s+{SUBJECT}\s*[?.!]*$",
    re.IGNORECASE,
)
_SHOTS = re.compile(
    r"^how\s+many\s+(?P<what>scenes|shots|cuts|scene\s+changes|camera\s+cuts|clips|segments)\s+(?:are\s+(?:there\s+)?(?:in|on)|"
    rf"(?:does|do|did)|(?:is|are)\s+in|in|has)\s+{SUBJECT}(?:\s+(?:have|contain|has))?\s*[?.!]*$",
    re.IGNORECASE,
)
_PROPERTY_FIRST = re.compile(
    rf"^what\s+(?P<what>resolution|frame\s*rate)\s+(?:is|was|does)\s+{SUBJECT}(?:\s+have)?\s*[?.!]*$", re.IGNORECASE
)


def file_question(question: str, names: Collection[str] = ()) -> tuple[str, str] | None:
    """(property, the words naming the video) for a question about the file, else None. Property is
    "duration", "resolution", "fps", "shots" or "clips". The subject's head noun must be a video noun ("the film"), a
    file name, "it", or one of `names` (words of the indexed videos' file names: "testMovie")."""
    q = " ".join(question.split())
    for rx in (_LONG, _PROPERTY, _PROPERTY_FIRST, _SHOTS):
        m = rx.match(q)
        if m is None or not (SURE_HEAD.match(m.group("head")) or m.group("head").lower() in names):
            continue
        if rx is _LONG:
            return "duration", (m.group("np") + m.group("head")).strip()
        if rx is _SHOTS:
            prop = "clips" if m.group("what").lower() in ("clips", "segments") else "shots"
            return prop, (m.group("np") + m.group("head")).strip()
        what = m.group("what").lower()
        if what in ("resolution", "size", "dimensions"):
            prop = "resolution"
        elif what.startswith(("frame", "fps")):
            prop = "fps"
        else:
            prop = "duration"
        return prop, (m.group("np") + m.group("head")).strip()
    return None


def name_words(box: Toolbox) -> set[str]:
    """Words of the indexed videos' file names ("psychopy_testMovie.mp4" -> psychopy, testmovie)."""
    from .anchored import file_words

    return {w for v in box.store.videos() for w in file_words(v)}


def fps_text(fps: float) -> str:
    """24 -> "24", 30.120481 -> "30.12": a frame rate as people write it."""
    return f"{fps:.3f}".rstrip("0").rstrip(".")


def whole_video(box: Toolbox, v: VideoRecord, said: str, sure: bool) -> Citation:
    """The whole video as a citation (its first clip's id), kind `file`; `sure` (verified) only where the
    file's own metadata says so."""
    from .answer import Citation

    rows = box.store.active_rows(video_hash=v.hash)
    first = min(rows, key=lambda r: float(r["start"]))["clip_id"] if rows else ""
    return Citation(v.path, 0.0, float(v.duration or 0.0), first, said, sure, "file", 0.0, v.duration)


def _shots(box: Toolbox, v: VideoRecord) -> str:
    """The shots scene detection found in the video's active plan ("12 shots (11 cuts)"), or ""."""
    clips = box.store.get_clips(v.plan_key) if v.plan_key else None
    shots = {i for c in clips or [] for i in c.scene_indices}
    if not shots:
        return ""
    n = len(shots)
    return f"{n} shot{'s' if n > 1 else ''} ({n - 1} cut{'' if n == 2 else 's'} found by scene detection)"


def _clips(box: Toolbox, v: VideoRecord) -> str:
    """How many clips the video is indexed as (what search and `ask` cite), or ""."""
    n = len(box.store.active_rows(video_hash=v.hash))
    return f"{n} clip{'s' if n != 1 else ''} (as indexed)" if n else ""


def _value(prop: str, v: VideoRecord) -> str:
    from .answer import fmt_time

    if prop == "resolution":
        return f"{v.width} x {v.height} pixels"
    if prop == "fps":
        return fps_text(v.fps) + " frames per second" if v.fps else ""
    return f"{fmt_time(v.duration)} ({v.duration:.1f} s)" if v.duration else ""


def answer_file(box: Toolbox, question: str, prop: str, naming: str, video: str | None, k: int, query: Any) -> Answer:
    """The property read from the store's record of the video, cited on the whole video."""
    from .anchored import video_named
    from .answer import NOT_FOUND, Answer

    v = video_named(box, question, naming, video, k)
    counts = {"shots": _shots, "clips": _clips}
    value = "" if isinstance(v, str) else counts[prop](box, v) if prop in counts else _value(prop, v)
    box.steps.append({"tool": "file_facts", "args": {"property": prop, "video": naming}, "result": value})
    if isinstance(v, str) or not value or not box.store.active_rows(video_hash=v.hash):
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(v if isinstance(v, str) else "not known for this file")
        return ans
    name = Path(v.path).name
    said = f"{prop} of {name}: {value}" + ("" if prop in counts else " (from the file's metadata)")
    cite = whole_video(box, v, said, prop != "shots")  # a detector's count is not the file's own word
    return Answer(
        question, f"{value} ({name})", [cite], box.steps, mode="offline", evidence=said, query=query.to_json()
    )
