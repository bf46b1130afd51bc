"""Which-video questions about the files and their channels: "which video is the longest?", "which
videos have no sound?", "which video has speech?", "which videos show text on screen?".

Asked of the library, these are answered from each video's record (its probed duration and size,
whether it has an audio stream), its transcript and its keyframe text, like the one-video questions of
`filefacts` and `channels`: every video that fits is named, each cited on its whole span. A channel
never read for a video (speech recognition off, a describer without OCR) leaves that video out of both
"have" and "have no": it is not known.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .channels import SPEECH_WORDS, TEXT_WORDS, channel_of, has_channel
from .filefacts import fps_text, whole_video

if TYPE_CHECKING:
    from ..store.records import VideoRecord
    from .answer import Answer
    from .tools import Toolbox

_MOST = re.compile(
    r"^(?:is|was)\s+(?:the\s+)?(?P<which>longest|shortest|largest|biggest|smallest|sharpest)"
    r"(?:\s+(?:one|video|film|file|clip))?\s*[?.!]*$|"
    r"^(?:has|had)\s+(?:the\s+)?(?P<which2>highest|lowest|best|worst|largest|smallest)\s+(?P<what>resolution|frame\s*rate)"
    r"\s*[?.!]*$",
    re.IGNORECASE,
)
_CHANNEL = re.compile(
    rf"^(?:(?:has|have|with|contains?|includes?|shows?)\s+(?P<no>no\s+|any\s+)?|(?P<without>without)\s+(?:any\s+)?)"
    rf"(?P<what>{SPEECH_WORDS}|{TEXT_WORDS}|audio|sound)"
    r"(?:\s+(?:track|on\s+screen))?\s*[?.!]*$",
    re.IGNORECASE,
)
_LOOK = re.compile(
    r"^(?:are|is|were|was)\s+(?:shot\s+|filmed\s+)?(?:in\s+)?(?P<what>black\s+and\s+white|black-and-white|monochrome|"
    r"gr[ae]yscale|colou?r|full\s+colou?r)\s*[?.!]*$",
    re.IGNORECASE,
)
_PEOPLE = re.compile(
    r"^(?:(?:show|shows|have|has|with|contain|contains|feature|features)\s+(?:any\s+)?(?P<any>people|a\s+person|persons|"
    r"someone|anyone|humans)|(?:has|have|shows?)\s+the\s+most\s+(?P<most>people|persons))\s*[?.!]*$",
    re.IGNORECASE,
)
_HOW_MANY = re.compile(
    r"^how\s+many\s+(?:videos|films|movies|files|recordings|video\s+files)\s+(?P<rest>.*?)\s*[?.!]*$", re.IGNORECASE
)
#: "list the videos", "what videos are in the library?", "which videos do I have?": every video, counted
_LIST = re.compile(
    r"^(?:(?:please\s+)?(?:list|show(?:\s+me)?|name)\s+(?:all\s+)?(?:the\s+|my\s+)?|(?:what|which)\s+)"
    r"(?:videos|films|movies|files|recordings|video\s+files)\b(?P<rest>.*?)\s*[?.!]*$",
    re.IGNORECASE,
)
#: words of a how-many question that only say "in the library" ("are there", "have I indexed")
_ALL = frozenset(
    "are is there do does did have has i we you in the my our this library store collection folder index indexed "
    "total all altogether so far got".split()
)
MAX_NAMED = 8


def _fits(box: Toolbox, rest: str, vids: list[VideoRecord]) -> tuple[list[VideoRecord], str, bool] | None:
    """(videos that fit, what they are named with, whether the files' metadata alone says so), else None."""
    from .answer import fmt_time

    if m := _MOST.match(rest):
        which = (m.group("which") or m.group("which2")).lower()
        if m.group("what") and "frame" in m.group("what").lower():
            key, say = (lambda v: v.fps or 0.0), (lambda v: fps_text(v.fps) + " fps")
        elif m.group("what") or which in ("sharpest",):
            key, say = (lambda v: float(v.width * v.height)), (lambda v: f"{v.width} x {v.height}")
        elif which in ("largest", "biggest", "smallest") and not m.group("what"):
            key, say = (lambda v: float(v.size)), (lambda v: f"{v.size / 1e6:.1f} MB")
        else:
            key, say = (lambda v: v.duration or 0.0), (lambda v: fmt_time(v.duration or 0.0))
        low = which in ("shortest", "smallest", "lowest", "worst")
        best = (min if low else max)(key(v) for v in vids)
        top = [v for v in vids if key(v) == best]
        return top, say(top[0]), True
    if m := _LOOK.match(rest):  # the colour signal: most of the video's clips grayscale, or not
        grey = not m.group("what").lower().replace("full ", "").startswith("colo")
        found = [v for v in vids if (share := _grey(box, v))[1] and (share[0] * 2 > share[1]) is grey]
        return found, ("black and white" if grey else "in colour") + " by the colour signal", False
    if m := _PEOPLE.match(rest):  # the people detector: someone in a clip; the most at once
        counts = {v.hash: _most_people(box, v) for v in vids}
        if m.group("most"):
            most = max(counts.values(), default=0)
            return (
                [v for v in vids if most and counts[v.hash] == most],
                f"{most} people at once by the people detector",
                False,
            )
        return [v for v in vids if counts[v.hash] > 0], "someone seen by the people detector", False
    if m := _CHANNEL.match(rest):
        what = channel_of(m.group("what"))
        want = (m.group("no") or "").strip().lower() != "no" and not m.group("without")
        found = [v for v in vids if has_channel(box, v, what) is want]
        said = {"audio": "audio track", "text": "text read on screen", "speech": "speech heard"}[what]
        return found, said if want else "no " + said, what == "audio"  # the file itself says so
    return None


def _grey(box: Toolbox, v: VideoRecord) -> tuple[int, int]:
    from .signalfacts import grey_share

    return grey_share(box.store.active_rows(video_hash=v.hash))


def _most_people(box: Toolbox, v: VideoRecord) -> int:
    from .signalfacts import people_in

    return max((people_in(r) for r in box.store.active_rows(video_hash=v.hash)), default=0)


_WHICH_IS_MOST = re.compile(
    r"^(?:which|what)\s+(?:one\s+)?(?:is|was)\s+the\s+(?P<which>longest|shortest|largest|biggest|smallest|sharpest)"
    r"(?:\s+(?:video|film|file|clip|movie|recording|one))?(?:\s+(?:in\s+the\s+library|i\s+have))?\s*[?.!]*$",
    re.IGNORECASE,
)


def asks_most(question: str) -> str | None:
    """ "which is the shortest video?" as the which-video question it is ("is the shortest"), or None."""
    m = _WHICH_IS_MOST.match(" ".join(question.split()))
    return f"is the {m.group('which').lower()}" if m else None


def library_answer(box: Toolbox, question: str, rest: str, query: Any) -> Answer | None:
    """The videos a which-video question about files or channels names, cited whole; None otherwise."""
    from .answer import NOT_FOUND, Answer

    vids = [v for v in box.store.videos() if v.plan_key is not None]
    got = _fits(box, " ".join(rest.split()), vids) if vids else None
    if got is None:
        return None
    found, said, sure = got
    box.steps.append({"tool": "library", "args": {"asked": rest}, "result": [Path(v.path).name for v in found]})
    if not found:
        return Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
    cites = [whole_video(box, v, said, sure) for v in found[:MAX_NAMED]]
    names = ", ".join(Path(v.path).name for v in found[:MAX_NAMED]) + (
        f" (+{len(found) - MAX_NAMED} more)" if len(found) > MAX_NAMED else ""
    )
    return Answer(question, f"{names} ({said})", cites, box.steps, mode="offline", evidence=said, query=query.to_json())


def count_videos(box: Toolbox, question: str, query: Any) -> Answer | None:
    """How many videos are indexed ("how many videos are in the library?", "list the videos"), or have a
    channel ("how many videos have speech?"), named and cited whole; None for other questions ("how many
    videos show a dog?", "which videos show a dog?")."""
    from .answer import Answer, fmt_time

    q = " ".join(question.split())
    m = _HOW_MANY.match(q)
    if m is None:
        listing = _LIST.match(q)  # a listing asks nothing more of the videos than to be there
        if listing is None or not set(re.findall(r"[a-z']+", listing.group("rest").lower())) <= _ALL:
            return None
        m = listing
    vids = [v for v in box.store.videos() if v.plan_key is not None]
    rest = m.group("rest")
    if not set(re.findall(r"[a-z']+", rest.lower())) <= _ALL:
        got = _fits(box, re.sub(r"^(?:do|does|did)\s+", "", rest), vids) if vids else None
        if got is None or _MOST.match(rest):
            return None
        vids, said, sure = got
    else:
        said, sure = "indexed", True
    box.steps.append({"tool": "library", "args": {"count": rest}, "result": len(vids)})
    total = sum(v.duration or 0.0 for v in vids)
    names = ", ".join(Path(v.path).name for v in vids[:MAX_NAMED]) + (
        f" (+{len(vids) - MAX_NAMED} more)" if len(vids) > MAX_NAMED else ""
    )
    text = f"{len(vids)} video{'' if len(vids) == 1 else 's'} ({said}, {fmt_time(total)} in all)" + (
        f": {names}" if vids else ""
    )
    cites = [whole_video(box, v, said, sure) for v in vids[:MAX_NAMED]]
    ans = Answer(question, text, cites, box.steps, mode="offline", evidence=said, query=query.to_json())
    if len(vids) > MAX_NAMED:
        ans.notes.append("every video, with its length and clips: vidagent videos")
    return ans


_SUPERLATIVE = re.compile(r"\b(?P<which>longest|shortest|largest|biggest|smallest)\b", re.IGNORECASE)


def superlative_video(box: Toolbox, naming: str) -> str | None:
    """The hash of the video a superlative names ("how long is the LONGEST video?"), else None."""
    m = _SUPERLATIVE.search(naming)
    vids = [v for v in box.store.videos() if v.plan_key is not None]
    got = _fits(box, f"is the {m.group('which').lower()}", vids) if m and vids else None
    return got[0][0].hash if got and got[0] else None
