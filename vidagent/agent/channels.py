"""Is anything said, heard or written in a video: "is anyone speaking in the bikes video?", "does the
film have any dialogue?", "is there any text on screen in testMovie?".

These are the questions where absence *is* evidence, unlike a label the tagger did not give: a file
without an audio track has no speech, and a transcript that speech recognition ran on and left empty
means nothing was heard. So the answer may be "No", said with what it rests on; where the channel was
not read at all (a store indexed with speech recognition off, a describer without OCR) the answer is
Not found with a note. "Yes" answers quote the first sentence said or line shown, cited on it. The
video is chosen as for file questions (`filefacts`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .filefacts import SUBJECT, SURE_HEAD

if TYPE_CHECKING:
    from ..store.records import VideoRecord
    from .answer import Answer, Citation
    from .tools import Toolbox

SPEECH_WORDS = r"speech|talking|speaking|narration|narrator|dialogue|dialog|voice-?over|voices?|spoken\s+words"
TEXT_WORDS = (
    r"text\s+on\s+(?:the\s+)?screen|text|writing|on-screen\s+text|subtitles|captions|titles|words\s+on\s+screen"
)
_END = r"\s*[?.!]*$"
_ASK = [
    re.compile(
        r"^(?:is|are)\s+(?:there\s+)?(?:anyone|someone|somebody|anybody|a\s+person|people)\s+(?P<what>speaking|talking)"
        rf"\s+(?:in|on)\s+{SUBJECT}{_END}",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:does|do)\s+(?:anyone|someone|somebody|anybody)\s+(?P<what>speak|talk|say\s+anything)\s+in\s+"
        rf"{SUBJECT}{_END}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:is|are)\s+there\s+(?:any\s+)?(?P<what>{SPEECH_WORDS}|{TEXT_WORDS}|audio|sound)\s+(?:in|on)\s+{SUBJECT}{_END}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?:does|do)\s+{SUBJECT}\s+(?:have|contain|include|show)\s+(?:any\s+)?(?P<what>{SPEECH_WORDS}|{TEXT_WORDS}|audio|sound)"
        rf"(?:\s+(?:track|on\s+screen))?{_END}",
        re.IGNORECASE,
    ),
]


def channel_of(word: str) -> str:
    """The channel a word asks about: "audio" (audio, sound), "text" (text, subtitles...) or "speech"."""
    w = " ".join(word.lower().split())
    return "audio" if w in ("audio", "sound") else "text" if re.fullmatch(TEXT_WORDS, w) else "speech"


def asks_channel(question: str, names: Collection[str] = ()) -> tuple[str, str] | None:
    """("speech" | "audio" | "text", the words naming the video) for such a question, else None."""
    q = " ".join(question.split())
    for rx in _ASK:
        m = rx.match(q)
        if m is None or not (SURE_HEAD.match(m.group("head")) or m.group("head").lower() in names):
            continue
        return channel_of(m.group("what")), (m.group("np") + m.group("head")).strip()
    return None


def has_channel(box: Toolbox, v: VideoRecord, channel: str, rows: list[Any] | None = None) -> bool | None:
    """Does the video have an audio track / speech heard / text read on screen; None where that channel
    was never read (speech recognition off when indexed, a describer without OCR)."""
    if channel in ("audio", "speech") and not v.audio_codec:
        return False
    if channel == "audio":
        return True
    if channel == "speech":
        ts = box.store.transcripts_of(v.hash)
        return any(s.text.strip() for s in ts[0]) if ts else None
    rows = box.store.active_rows(video_hash=v.hash) if rows is None else rows
    if not any(r["describer"] in ("", "offline") for r in rows):
        return None
    return any(r["ocr"] for r in rows)


def _reply(box: Toolbox, channel: str, v: VideoRecord, rows: list[Any]) -> tuple[str, list[Citation]] | str:
    """(answer, citations), or the reason the channel cannot be answered for this video."""
    from .answer import Citation, fmt_time, verify_text
    from .filefacts import whole_video

    name = Path(v.path).name
    has = has_channel(box, v, channel, rows)
    if channel in ("audio", "speech") and not v.audio_codec:
        return f"No: {name} has no audio track", [whole_video(box, v, f"{name}: no audio stream in the file", True)]
    if channel == "audio":
        rate = f", {v.audio_rate} Hz" if v.audio_rate else ""
        track = f"{v.audio_codec}, {v.audio_channels or '?'} channel(s){rate}"
        return f"Yes: {name} has an audio track ({track})", [whole_video(box, v, f"{name}: audio {track}", True)]
    if has is None:
        return (
            f"{name}: its speech was not transcribed (speech recognition was off when it was indexed)"
            if channel == "speech"
            else f"{name}: its describer does not read text on screen"
        )
    if channel == "speech":
        if not has:
            why = f"{name}: speech recognition ran on its audio and transcribed nothing"
            return f"No speech was heard in {name} (speech recognition transcribed nothing)", [
                whole_video(box, v, why, False)
            ]
        said = [s for s in box.store.transcripts_of(v.hash)[0] if s.text.strip()]
        s = said[0]
        row = next((r for r in rows if float(r["start"]) <= s.start < float(r["end"])), rows[0])
        ok = verify_text(box.store, row["clip_id"], s.text, s.start, s.end)
        cite = Citation(v.path, s.start, s.end, row["clip_id"], s.text, ok, "said", row["start"], row["end"])
        return f'Yes: {len(said)} sentence(s) said, the first at {fmt_time(s.start)}: "{s.text.strip()}"', [cite]
    if not has:
        why = f"{name}: text recognition read nothing on its keyframes"
        return f"No text was read on screen in {name} (text recognition found none)", [whole_video(box, v, why, False)]
    shown = [r for r in rows if r["ocr"]]
    r = shown[0]
    line = str(r["ocr"][0])
    ok = verify_text(box.store, r["clip_id"], line, float(r["start"]), float(r["end"]))
    cite = Citation(
        v.path, float(r["start"]), float(r["end"]), r["clip_id"], line, ok, "on screen", r["start"], r["end"]
    )
    return f'Yes: text on screen in {len(shown)} clip(s), first at {fmt_time(float(r["start"]))}: "{line}"', [cite]


def answer_channel(
    box: Toolbox, question: str, channel: str, naming: str, video: str | None, k: int, query: Any
) -> Answer:
    """Whether the video has speech, audio or text on screen, with what the answer rests on."""
    from .anchored import video_named
    from .answer import NOT_FOUND, Answer

    v = video_named(box, question, naming, video, k)
    rows = (
        [] if isinstance(v, str) else sorted(box.store.active_rows(video_hash=v.hash), key=lambda r: float(r["start"]))
    )
    got = v if isinstance(v, str) else _reply(box, channel, v, rows) if rows else "no clip of it is indexed"
    box.steps.append({"tool": "channel", "args": {"channel": channel, "video": naming}, "result": str(got)[:200]})
    if isinstance(got, str):
        ans = Answer(question, NOT_FOUND, [], box.steps, mode="offline", query=query.to_json())
        ans.notes.append(got)
        return ans
    text, cites = got
    return Answer(question, text, cites, box.steps, mode="offline", evidence=cites[0].evidence, query=query.to_json())
