"""Who is speaking: the name a speaker gives ("Hi, I'm John Pierce"), and what they say they are.

People in lectures, talks, interviews and meetings introduce themselves, and speech recognition writes
the name with capitals. So "who is speaking in the intro video?", "who is the narrator?", "what is the
speaker's name?" are answered with the name said after "I'm" / "my name is" in the video's transcript,
quoted and cited on its sentence. A one-word name needs a sure introduction ("my name is", "call me",
or a greeting just before "I'm": "Hi, I'm Brian"), so "I'm English" names nobody.

What a speaker says they are ("I'm the principal author of PsychoPy") answers "who is the principal
author of PsychoPy?" with the name that speaker gave: a first-person sentence covering every focus word
of the question is said by the person who last introduced themselves in the same recording (or in that
sentence). A word misheard by speech recognition ("Psychopi") still counts when it is spelt nearly the
same (8 letters or more, one edit). Nothing else is guessed: a recording where nobody gives a name
answers nothing here, and the question goes on to the other answerers.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store.records import VideoRecord
    from .answer import Answer, Citation
    from .tools import Toolbox

_ROLE_NOUN = (
    r"(?:speaker|narrator|presenter|lecturer|host|teacher|interviewer|interviewee|person\s+(?:speaking|talking))"
)
_SPEAKER = re.compile(
    r"^(?:who(?:'s|\s+is|\s+was)\s+(?:(?:the\s+one\s+)?(?:speaking|talking|narrating|presenting)|the\s+"
    + _ROLE_NOUN
    + r"|the\s+(?:man|woman|person|guy)\s+(?:speaking|talking))|who\s+(?:speaks|talks|narrates|presents)|"
    r"what(?:'s|\s+is)\s+(?:the\s+name\s+of\s+the\s+" + _ROLE_NOUN + r"|the\s+" + _ROLE_NOUN + r"'s\s+name))"
    r"(?P<rest>\b.*)$",
    re.IGNORECASE,
)
#: roles, not whoever talks: a speaker is named for one only by saying so ("I'm a lecturer at ...")
_ROLE = re.compile(r"\b(?:narrator|presenter|lecturer|host|teacher|interviewer|interviewee)\b", re.IGNORECASE)
_WHO = re.compile(r"^who(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?P<role>.+?)\s*[?.!]*$", re.IGNORECASE)
_TITLE = r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms|Miss)\.?\s+)?"
_CAP = r"[A-Z][\w'\u2019-]*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|le|la)"
_NAME = rf"(?P<name>{_TITLE}{_CAP}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_CAP}){{0,3}})"
#: the introduction's words in any case; the name itself must be capitalised
_SURE = re.compile(
    r"(?i:\bmy\s+name(?:\s+is|'s)|\bcall\s+me|\b(?:hi|hello|hey|welcome)\b[,!.]?\s+(?:everyone[,!.]?\s+|"
    rf"everybody[,!.]?\s+)?(?:I'm|I\s+am|this\s+is))\s+{_NAME}"
)
_PLAIN = re.compile(rf"\b(?:I'm|I\s+am)\s+{_NAME}")
_FIRST_PERSON = re.compile(
    r"\b(?:I'm|I\s+am|I\s+was|I've\s+been|I\s+work|I\s+teach|I\s+run|I\s+lead|I\s+wrote|I\s+made|I\s+created|"
    r"I\s+founded|I\s+started|I\s+develop(?:ed)?|I\s+direct(?:ed)?|I\s+produced)\b",
    re.IGNORECASE,
)


def asks_speaker(question: str) -> str | None:
    """The rest of a who-is-speaking question ("in the intro video?"), or None for any other question."""
    m = _SPEAKER.match(" ".join(question.split()))
    return m.group("rest") if m else None


def introduced(text: str) -> str | None:
    """The name a sentence's speaker gives for themselves, or None ("Hi, I'm John Pierce." -> John Pierce)."""
    m = _SURE.search(text)
    if m is None:
        m = _PLAIN.search(text)
        # "I'm English": a lone capitalised word after a plain "I'm" is not surely a name
        if m is None or len(m.group("name").split()) < 2:
            return None
    name = m.group("name").strip()
    parts = name.split()
    while parts and re.fullmatch(_PARTICLE, parts[-1]):
        parts.pop()
    return " ".join(parts) or None


def _close(word: str, said: set[str]) -> bool:
    """A long word speech recognition may have misheard by one letter ("psychopy" / "psychopi")."""
    return len(word) >= 8 and any(
        abs(len(w) - len(word)) <= 1 and difflib.SequenceMatcher(None, w, word).ratio() >= 0.85 for w in said
    )


def _describes(query: Any, sentence: str) -> bool:
    """Does a first-person sentence cover every focus word of the question (allowing one-letter mishearing)?"""
    from .question import matches
    from .words import content_stems, stem, tokens

    if not _FIRST_PERSON.search(sentence) or not query.families:
        return False
    st = content_stems(sentence)
    said = {t.lower() for t in tokens(sentence)}
    for fam in query.families:
        if not (matches(fam, st) or any(_close(w, said) for w in query.focus if stem(w) in fam)):
            return False
    return True


def _found(box: Toolbox, v: VideoRecord, role: Any) -> tuple[str, list[tuple[float, float, str]]] | None:
    """(the name, the sentences it rests on) for one video: its first introduction, or with `role` (an
    analysed question) the introduction the first sentence describing that role is said under."""
    from .mentions import spoken

    last: tuple[str, tuple[float, float, str]] | None = None
    for a, b, text in spoken(box, v):
        name = introduced(text)
        if name is not None:
            last = (name, (a, b, text))
            if role is None:
                return name, [(a, b, text)]
        if role is not None and last is not None and _describes(role, text):
            return last[0], [last[1]] if last[1][2] == text else [last[1], (a, b, text)]
    return None


def _restricted(box: Toolbox, question: str, rest: str) -> bool:
    """Does a who-is-speaking question say more of the speaker than which video ("...from Nottingham")?"""
    from .anchored import file_words, naming_words, words_of
    from .words import STOP

    known = set(naming_words(question)) | {w for v in box.store.videos() for w in file_words(v)}
    plain = re.sub(r"(?<=\w)\.[A-Za-z0-9]{2,4}\b", " ", rest)  # "psychopy_jwpIntro.mp4": no ".mp4"
    return any(w not in STOP and w not in known and not w.isdigit() and len(w) > 2 for w in words_of(plain))


def _unnamed(box: Toolbox, text: str) -> str:
    """The role without the words naming the video ("the lecturer in the testMovie video" -> "the
    lecturer"): the sentence describing the role need not name the file."""
    from .anchored import _NAMING, file_words

    text = re.sub(r"\b(?:in|of|from)\s+[\w.-]+\.[A-Za-z0-9]{2,4}\b", " ", _NAMING.sub(" ", text))  # "in bikes.mp4"
    for w in {w for v in box.store.videos() for w in file_words(v)}:
        text = re.sub(rf"(?i)\b{re.escape(w)}\b", " ", text)
    return " ".join(text.split())


def answer_speaker(
    box: Toolbox, question: str, rest: str | None, video: str | None, k: int, query: Any
) -> Answer | None:
    """The name the speaker gives (for `rest`, a who-is-speaking question) or the name of the speaker who
    says they are what a "who is ...?" question asks; None when no transcript answers it."""
    from .answer import Answer
    from .mentions import cite_at, scope_of
    from .question import analyse

    role = None
    if rest is None or _restricted(box, question, rest) or _ROLE.search(question):
        # "who is the lecturer FROM NOTTINGHAM?"; "who is the narrator?": a role credits may name
        # ("NARRATOR / Sara Kraft"), answered here only by a speaker who says so
        m = _WHO.match(" ".join(question.split()))
        if m is None:
            return None
        role = analyse(f"who is {_unnamed(box, m.group('role'))}")
        if not role.focus:
            return None
    scope = scope_of(box, question, video, k)
    if isinstance(scope, str):
        return None
    named: dict[str, list[str]] = {}
    cites: list[Citation] = []
    quoted = ""
    for v in scope:
        got = _found(box, v, role)
        if got is None:
            continue
        name, said = got
        named.setdefault(name, []).append(Path(v.path).name)
        rows = {r["clip_id"]: r for r in box.store.active_rows(video_hash=v.hash)}
        cites += [c for a, b, text in said if (c := cite_at(box, v, rows, (a, b, text, ""), "said")) is not None]
        quoted = quoted or " / ".join(text for _, _, text in said)
    box.steps.append({"tool": "speaker", "args": {"videos": len(scope)}, "result": named})
    if not named or not cites:
        return None
    how = "introduces themselves" if role is None else "says so after introducing themselves"
    text = "; ".join(f"{name} ({', '.join(vids)})" for name, vids in named.items())
    ans = Answer(question, text, cites, box.steps, mode="offline", evidence=quoted, query=query.to_json())
    ans.notes.append(f"the name the speaker gives: {how} in what speech recognition transcribed")
    return ans
