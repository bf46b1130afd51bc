"""Questions a video's measured signals answer: how many people, whether the camera moves, whether it is
black and white ("how many people are in the vtest video?", "does the camera pan in the bikes video?",
"is the Shepard film in colour?").

Indexing measures these for every clip (`vidagent/signals`): the people detector's count (the median
over the clip's keyframes), the camera's motion from the codec's motion vectors, and whether the
keyframes are grayscale. Search only ranks by them; here they are read back for the whole video and
said with what measured them, citing the clips (as seen, unverified: a detector's reading, not words
read or heard). Where a signal was not measured for a clip (an older index, a describer without it),
that clip is left out, and a video with no measured clip answers nothing here. "No" is said only for
what was measured on every clip (the camera, the colour); nobody seen by the people detector is not
"no people" (it misses small, turned or partly hidden people), so that stays Not found.
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

_SCOPE = r"(?P<rest>(?:\s+.*?)?)\s*[?.!]*$"
_PEOPLE = r"(?:people|persons|pedestrians|humans|men|women|faces)"
_HOW_MANY = re.compile(
    rf"^how\s+many\s+{_PEOPLE}\s+(?:are|is|were|was|do|does|can|appear|show)\b(?P<rest>.*?)\s*[?.!]*$", re.I
)
_ANYONE = re.compile(
    rf"^(?:is|are|was|were)\s+there\s+(?:any(?:one|body)\b|some(?:one|body)|a\s+(?:person|man|woman)|(?:any\s+)?{_PEOPLE})"
    rf"(?:\s+(?:at\s+all|visible|seen|shown|on\s+screen))?{_SCOPE}",
    re.I,
)
_CAMERA = re.compile(
    r"^(?:(?:is|was)\s+the\s+camera\s+(?P<state>moving|static|still|fixed|stationary|steady|panning|zooming|tilting)|"
    r"(?:does|did)\s+the\s+camera\s+(?P<verb>move|pan|zoom|tilt)(?:\s+(?:in|out|left|right|up|down|around)\b(?!\s+(?:the|a|an|this|that|my)\b))?|"
    r"how\s+does\s+the\s+camera\s+move|what\s+does\s+the\s+camera\s+do)" + _SCOPE,
    re.I,
)
_GREY = re.compile(
    r"^(?:is|was)\s+(?P<np>.+?)\s+(?:(?:shot|filmed|made)\s+)?(?:in\s+)?(?P<what>black\s+and\s+white|black-and-white|"
    r"monochrome|gr[ae]yscale|colou?r|full\s+colou?r)\s*[?.!]*$",
    re.I,
)
#: the camera words a "does the camera ..." question may ask about, as the motion signal names them
_MOVES: dict[str, tuple[str, ...]] = {
    "pan": ("pan left", "pan right"),
    "tilt": ("tilt up", "tilt down"),
    "zoom": ("zoom in", "zoom out"),
}
_STILL = ("static", "still", "fixed", "stationary", "steady")


def signals_of(row: Any) -> dict[str, Any]:
    """A clip row's measured signals ({} when none were stored)."""
    return dict(((row["extra"] or {}).get("signals") or {}) if row is not None else {})


def _cite(v: VideoRecord, row: Any, said: str) -> Citation:
    from .answer import Citation

    a, b = float(row["start"]), float(row["end"])
    return Citation(v.path, a, b, row["clip_id"], said, False, "seen", a, b)


def _at(row: Any) -> str:
    from .answer import fmt_time

    return f"{fmt_time(float(row['start']))}-{fmt_time(float(row['end']))}"


def _someone(people: dict[str, Any]) -> int:
    """People a clip shows: bodies the HOG detector found, or faces where it found none (a close-up)."""
    return max(int(people.get("persons") or 0), int(people.get("faces") or 0))


def people_in(row: Any) -> int:
    """People the detectors saw in a clip (0 where not measured)."""
    s = signals_of(row)
    return _someone(s["people"]) if "people" in s else 0


def _people(v: VideoRecord, rows: list[Any], yes_no: bool) -> tuple[str, list[Citation]] | None:
    counted = [(_someone(s["people"]), r) for r in rows if "people" in (s := signals_of(r))]
    seen = [(n, r) for n, r in counted if n > 0]
    if not seen:
        return None
    most = max(n for n, _ in seen)
    top = [r for n, r in seen if n == most]
    who = "a person" if most == 1 else f"{most} people"
    said = f"{who} (people detector)"
    cites = [_cite(v, r, said) for r in top[:3]]
    if yes_no:
        return f"Yes: someone is seen in {len(seen)} of {len(counted)} clips, first at {_at(seen[0][1])}", [
            _cite(v, r, "a person (people detector)") for _, r in seen[:3]
        ]
    where = ", ".join(_at(r) for r in top[:3]) + (f" (+{len(top) - 3})" if len(top) > 3 else "")
    # the detector is tuned not to see people who are not there, so it misses some: a lower bound
    return f"at least {most} at once (people detector, in the clip at {where}; someone in {len(seen)} of " + (
        f"{len(counted)} clips; people small, turned or hidden are missed)"
    ), cites


def _camera(v: VideoRecord, rows: list[Any], state: str, verb: str) -> tuple[str, list[Citation]] | None:
    from ..signals.motion import _verb

    measured = [(str(s["motion"].get("camera", "unknown")), r) for r in rows if "motion" in (s := signals_of(r))]
    measured = [(c, r) for c, r in measured if c != "unknown"]
    if not measured:
        return None
    moving = [(c, r) for c, r in measured if c != "static"]
    kinds = _MOVES.get(verb) or _MOVES.get(state.removesuffix("ning").removesuffix("ing"), ())
    if kinds:
        moving = [(c, r) for c, r in moving if c in kinds]
    every = len(measured) == len(rows)
    listed = "; ".join(f"camera {_verb(c)} at {_at(r)}" for c, r in moving[:5]) + (
        f" (+{len(moving) - 5})" if len(moving) > 5 else ""
    )
    cites = [_cite(v, r, f"camera {_verb(c)} (motion vectors)") for c, r in moving[:3]]
    static = [r for c, r in measured if c == "static"]
    if state.lower() in _STILL:
        if not moving:
            return f"Yes: the camera is static in all {len(measured)} measured clips (motion vectors)", [
                _cite(v, r, "static camera (motion vectors)") for r in static[:3]
            ]
        return f"No: {listed} (motion vectors; static in {len(static)} of {len(measured)} clips)", cites
    if moving:
        head = "" if not (state or verb) else "Yes: "
        return f"{head}{listed} (motion vectors; static in {len(static)} of {len(measured)} clips)", cites
    if not every:
        return None
    what = " or ".join(kinds) if kinds else "moving"
    return f"No: the camera is static in all {len(measured)} clips (motion vectors: no {what} measured)", [
        _cite(v, r, "static camera (motion vectors)") for r in static[:3]
    ]


def grey_share(rows: list[Any]) -> tuple[int, int]:
    """(clips whose keyframes are grayscale, clips where colour was measured)."""
    lights = [s["light"] for r in rows if "light" in (s := signals_of(r))]
    return sum(bool(li.get("grayscale")) for li in lights), len(lights)


def _grey(v: VideoRecord, rows: list[Any], asks_grey: bool) -> tuple[str, list[Citation]] | None:
    grey, measured = grey_share(rows)
    if not measured:
        return None
    is_grey = grey * 2 > measured
    said = f"{grey} of {measured} clips grayscale, by the colour signal"
    picked = [r for r in rows if "light" in (s := signals_of(r)) and bool(s["light"].get("grayscale")) == is_grey]
    head = "Yes" if is_grey == asks_grey else "No"
    what = "black and white" if is_grey else "in colour"
    return f"{head}: {what} ({said})", [_cite(v, r, f"{what} (colour signal)") for r in picked[:3]]


def asks_signal(question: str, names: Collection[str] = ()) -> tuple[str, str, dict[str, str]] | None:
    """(signal, the words naming the video, details) of a question the signals answer, else None.
    `names`: words of the indexed videos' file names (a video may be named by them: "is Shepard in colour?")."""
    q = " ".join(question.split())
    if m := _HOW_MANY.match(q):
        return "people", m.group("rest"), {}
    if m := _ANYONE.match(q):
        return "anyone", m.group("rest"), {}
    if m := _CAMERA.match(q):
        return "camera", m.group("rest"), {"state": m.group("state") or "", "verb": m.group("verb") or ""}
    if (m := _GREY.match(q)) and _is_video(m.group("np"), names):  # not "is the sky black and white?"
        grey = not m.group("what").lower().replace("full ", "").startswith("colo")
        return "grey", m.group("np"), {"grey": "1" if grey else ""}
    return None


def _is_video(np: str, names: Collection[str]) -> bool:
    from .filefacts import SURE_HEAD

    words = np.split()
    head = words[-1] if words else ""
    return bool(SURE_HEAD.match(head)) or head.lower() in names


def _names_only(box: Toolbox, question: str, rest: str) -> bool:
    """Is `rest` only where to look ("in the vtest video", "at all") and not more of what is asked
    ("how many people worked on the film?", "are there people in red?")?"""
    from .anchored import GENERIC, file_words, naming_words, words_of

    known = set(naming_words(question)) | {w for v in box.store.videos() for w in file_words(v)} | GENERIC
    plain = re.sub(r"(?<=\w)\.[A-Za-z0-9]{2,4}\b", " ", rest)
    extra = {"all", "visible", "seen", "shown", "appear", "screen", "any", "there", "at", "once", "same", "time"}
    return all(w in known or w in extra or len(w) <= 2 for w in words_of(plain))


def answer_signal(
    box: Toolbox, question: str, asked: tuple[str, str, dict[str, str]], video: str | None, k: int, query: Any
) -> Answer | None:
    """The measured signal read back for the video the question names; None when it names more than a
    video or nothing was measured (other answerers go on)."""
    from .anchored import video_named
    from .answer import NOT_FOUND, Answer

    signal, naming, detail = asked
    if signal in ("people", "anyone", "camera") and not _names_only(box, question, naming):
        return None
    v = video_named(box, question, naming, video, k)
    if isinstance(v, str):
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(v)
        return ans
    rows = sorted(box.store.active_rows(video_hash=v.hash), key=lambda r: float(r["start"]))
    if signal in ("people", "anyone"):
        got = _people(v, rows, signal == "anyone")
    elif signal == "camera":
        got = _camera(v, rows, detail["state"], detail["verb"])
    else:
        got = _grey(v, rows, bool(detail["grey"]))
    box.steps.append(
        {"tool": "signals", "args": {"signal": signal, "video": Path(v.path).name}, "result": got and got[0]}
    )
    if got is None:
        return None
    text, cites = got
    if not cites:
        return None
    name = Path(v.path).name
    return Answer(
        question,
        f"{text} ({name})",
        cites,
        box.steps,
        mode="offline",
        evidence=cites[0].evidence,
        query=query.to_json(),
    )
