"""Which-video questions answered by how much of the question a video's checkable evidence covers.

`which.which_video` names a video only when one thing asked for is surely there (a label of it at
`KIND_FLOOR`, or a sentence or line holding every focus word). Most descriptions of a scene have
several parts ("a bearded man talking in front of a bookshelf"), and the index can check some of them
but rarely all: the people detector saw a person speaking to the camera, nothing says "bearded".
Search ranks such a video first by resemblance, which `ask` does not take as an answer.

Here each content word of the asked-about part is checked against what each retrieved clip's
description holds, by the channel that can show it:

- **seen**: an image label named by the word, or a kind of it ("dog" -> Samoyed), or a two-word label
  ("bow tie"), at least `SUPPORT` probability (weak under `KIND_FLOOR`); any other word of a label's
  name is weak: its head ("tie" -> bow tie) or a modifier ("crest" -> sulphur-crested cockatoo);
- **people**: a word for a person ("man", "lecturer", "pedestrians": WordNet, `querynouns`) where the
  people detector saw someone, or a word of its phrases ("talking" in "a talking head");
- **look**: a word of the colour and motion phrases ("grey" in "mostly grey and black"), weak;
- **said / on screen**: the word in a sentence heard or a line read in the clip.

Words weigh by their idf in the library's indexed text (a person is common, a bow tie rare), and a
word nothing indexed could back ("bearded": no clip's text holds it, no label is one) weighs 0: it
cannot tell videos apart; a question most of whose words are such is not answered. A video's cover is
the weighted share of the words backed in any of its retrieved clips (sure backing 1, weak 0.5). The
best video is named when it covers at least `MIN_COVER` with a sure backing (a label at `KIND_FLOOR`, a
detection, or two words said or shown in one clip); the answer says which words matched, how, and
which nothing backs, so a partial match reads as one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..textmatch import STOPWORDS
from .answer import Answer, Citation
from .visual import KIND_FLOOR, _concept, _own_names, members
from .words import family, stem

if TYPE_CHECKING:
    from .compose import ClipEvidence
    from .tools import Toolbox

SUPPORT = 0.1  # a label under this probability backs nothing
MIN_COVER = 0.5  # share of the asked words a video must back
MAX_VIDEOS = 3  # videos named when several cover the question equally
WEAK = 0.5  # weight of a weak backing (an unsure label, a signal phrase)
# Words that place or frame what is asked for rather than name it ("in FRONT of", "FULL of") and
# words for the recording itself ("old FILM", "FOOTAGE"): no channel shows them.
_FRAME = frozenset(
    "front behind beside near next across along top bottom inside outside around between full lots lot "
    "kind type film films filmed filming movie movies footage recording recordings recorded video videos clip clips "
    "picture".split()
)

# Words of the signal phrases that describe the recording, not what is in it ("static CAMERA")
_PHRASE_FRAME = frozenset("camera scene things mostly picture".split())


@dataclass
class Backing:
    """One asked word, backed by one clip's evidence."""

    word: str
    how: str  # seen / people / look / said / on screen
    what: str  # the label, phrase, sentence or line
    clip: ClipEvidence
    sure: bool
    strength: float = 1.0

    def text(self, word: str = "") -> str:
        """'"man": a person (people detector)', '"bow tie": bow tie (image tagger, 0.46)'."""
        said = f'"{word or self.word}": '
        if self.how == "seen":
            return f"{said}{self.what} (image tagger, {self.strength:.2f})"
        if self.how == "people":
            return f"{said}{self.what} (people detector)"
        if self.how == "look":
            return f"{said}{self.what}"
        if self.how == "file name":
            return f"{said}its file name ({self.what})"
        return f'{said}{self.how} "{_short(self.what)}"'


def _matched(words: list[str], backed: dict[str, Backing]) -> str:
    """The backed words in question order, neighbours backed by the same thing said once ("bow tie")."""
    parts: list[tuple[list[str], Backing]] = []
    for w in words:
        b = backed.get(w)
        if b is None:
            continue
        if (
            parts
            and (parts[-1][1].how, parts[-1][1].what) == (b.how, b.what)
            and words.index(parts[-1][0][-1]) == words.index(w) - 1
        ):
            parts[-1][0].append(w)
        else:
            parts.append(([w], b))
    return "; ".join(b.text(" ".join(ws)) for ws, b in parts)


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def asked_words(rest: str) -> list[str]:
    """The content words of the asked-about part, in order, each once ("shows a bearded man talking in
    front of a bookshelf" -> bearded, man, talking, bookshelf)."""
    out: list[str] = []
    for w in re.findall(r"[a-z][a-z'-]*", rest.lower()):
        w = w.removesuffix("'s")
        if w in STOPWORDS or w in _FRAME or len(w) < 3 or w in out:
            continue
        out.append(w)
    return out


def _is_person(word: str) -> bool:
    from ..querynouns import PERSON, ancestors, lemma

    if word in ("person", "persons", "people"):
        return True
    return lemma(word) is not None and any(c == PERSON and share >= 0.5 for c, _, share in ancestors(word))


def _label_names(word: str, nxt: str) -> tuple[frozenset[str], bool]:
    """(labels the word names or is a kind of, whether it names them as a two-word label with `nxt`)."""
    pair = _own_names().get(f"{word} {nxt}") if nxt else None
    if pair:
        return pair, True
    concept = _concept(word, own=True)
    return (members(concept, own=True) if concept else frozenset()), False


def _label_words(label: str) -> set[str]:
    return {stem(x) for x in re.findall(r"[a-z]+", label.lower())}


def _backings(words: list[str], ev: ClipEvidence, phrases: list[tuple[str, str]]) -> list[Backing]:
    found: list[Backing] = []
    said = [s.text for s in ev.speech]
    shown = [b.text for b in ev.boxes] or list(ev.lines)
    people = [p for group, p in phrases if group == "people"]
    paired: set[str] = set()
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        named, pair = _label_names(w, nxt)
        labels = [(lab, p) for lab, p in ev.tag_scores if lab in named and p >= SUPPORT]
        fam = family(w)
        # weak: a word of a label's name, its head ("tie": bow tie; a hot dog is no dog, though) or a
        # modifier that describes the thing ("crest": sulphur-crested cockatoo; "grey": African grey)
        within = [] if labels or w in paired else [(lab, p) for lab, p in ev.tag_scores if fam & _label_words(lab)]
        if within := [(lab, p) for lab, p in within if p >= SUPPORT]:
            lab, p = max(within, key=lambda x: x[1])
            found.append(Backing(w, "seen", lab, ev, False, p))
            continue
        if labels or w in paired:
            if labels:
                lab, p = max(labels, key=lambda x: x[1])
                found.append(Backing(w, "seen", lab, ev, p >= KIND_FLOOR, p))
                if pair:
                    paired.add(nxt)
                    found.append(Backing(nxt, "seen", lab, ev, p >= KIND_FLOOR, p))
            continue
        if people and _is_person(w):
            found.append(Backing(w, "people", people[0], ev, True))
            continue
        hit = next((gp for gp in phrases if fam & _phrase_stems(gp[1])), None)
        if hit is not None:  # the people detector's phrases ("a talking head") are as sure as its count
            found.append(Backing(w, "people" if hit[0] == "people" else "look", hit[1], ev, hit[0] == "people"))
            continue
        for how, texts in (("said", said), ("on screen", shown)):
            text = next((t for t in texts if fam & {stem(x) for x in re.findall(r"[A-Za-z]+", t)}), None)
            if text is not None:
                found.append(Backing(w, how, text, ev, True))
                break
        else:  # the video's file name says it ("lego" in hugdoc_lego_movie.mp4): weak, a name may mislead
            if fam & _file_stems(ev.video):
                found.append(Backing(w, "file name", Path(ev.video).name, ev, False))
    return found


def _file_stems(video: str) -> set[str]:
    from .words import file_name_words

    return {stem(x) for x in file_name_words(video) if len(x) >= 3 and not x.isdigit()}


def _weights(box: Toolbox, words: list[str], videos: Collection[str] = ()) -> dict[str, float]:
    """Each asked word's weight: BM25's idf of the word in the library's indexed text (for a word for a
    person, of "person"), so that a common match ("a person") counts less than a rare one ("bow tie").
    A word nothing indexed could back (no clip's text holds it, no label is named so or is a kind of it:
    "bearded") weighs 0: it cannot tell videos apart, and the answer says that nothing backs it."""
    from ..textmatch import idf

    probe = {w: "person" if _is_person(w) else w for w in words}
    n, dfs = box.store.keyword_stats(sorted(set(probe.values())))
    named = {x for v in videos for x in _file_stems(v)}  # the retrieved videos' file names back words too
    out = {}
    for w in words:
        df = int(dfs.get(probe[w], 0))
        knowable = df > 0 or probe[w] == "person" or bool(_label_names(w, "")[0]) or bool(family(w) & named)
        out[w] = idf(max(n, 1), df) if knowable else 0.0
    return out


def _phrase_stems(phrase: str) -> set[str]:
    """Stems of a signal phrase's words that say what was seen ("camera" in "a person speaking to the
    camera" or "static camera" is the recording's, not a camera seen)."""
    return {stem(x) for x in re.findall(r"[a-z]+", phrase.lower()) if x not in _PHRASE_FRAME}


def _sure(backed: dict[str, Backing]) -> bool:
    """Is one backing sure enough to name a video: a label at `KIND_FLOOR`, a detection, or two words
    said or shown in one clip (one word heard in a narration says what is talked about, not what is
    shown; two common words read minutes apart in a film say nothing together)?"""
    read = Counter(b.clip.clip_id for b in backed.values() if b.how in ("said", "on screen"))
    return max(read.values(), default=0) >= 2 or any(b.sure and b.how in ("seen", "people") for b in backed.values())


def _all_named(words: list[str], backed: dict[str, Backing]) -> bool:
    """Is every asked word backed, one by the video's file name ("which video is about Lego?": the file
    hugdoc_lego_movie.mp4)? A file name then says what the video is, as its owner named it; a file name
    backing only part of the question ("city" in kivy_cityCC0.mpg for "cyclists in a city street")
    names nothing on its own."""
    return bool(words) and all(w in backed for w in words) and any(b.how == "file name" for b in backed.values())


def _phrases(box: Toolbox, clip_id: str) -> list[tuple[str, str]]:
    """(signal, phrase) of a clip's stored signals: ("people", "a talking head"), ("colour", ...)."""
    row = box.row(clip_id)
    signals = (row["extra"] or {}).get("signals") if row is not None else None
    table = (signals or {}).get("phrases") or {}
    return [(str(group), str(p)) for group, ps in table.items() for p in ps]


def covered(box: Toolbox, rest: str, evs: Sequence[ClipEvidence]) -> list[tuple[str, float, dict[str, Backing]]]:
    """Each retrieved video with its cover of the asked words and each backed word's best backing,
    best first (ties in retrieval order)."""
    words = asked_words(rest)
    weight = _weights(box, words, {ev.video for ev in evs})
    total = sum(weight.values())
    if not words or total <= 0 or sum(1 for w in words if weight[w] > 0) < MIN_COVER * len(words):
        return []  # most of the question is nothing the index can check
    by_video: dict[str, dict[str, Backing]] = defaultdict(dict)
    for ev in evs:
        best = by_video[ev.video]
        for b in _backings(words, ev, _phrases(box, ev.clip_id)):
            old = best.get(b.word)
            if old is None or (b.sure, b.strength) > (old.sure, old.strength):
                best[b.word] = b
    scored = [
        (video, sum(weight[w] * (1.0 if b.sure else WEAK) for w, b in backed.items()) / total, backed)
        for video, backed in by_video.items()
    ]
    order = {v: i for i, v in enumerate(by_video)}
    return sorted(scored, key=lambda x: (-x[1], order[x[0]]))


def answer_covered(
    box: Toolbox, question: str, rest: str, evs: Sequence[ClipEvidence], query: dict[str, Any], error: str
) -> Answer | None:
    """The video(s) whose evidence covers most of what a which-video question asks, said as a partial
    match where it is one; None when none covers `MIN_COVER` with a sure backing."""
    ranked = covered(box, rest, evs)
    box.steps.append(
        {
            "tool": "cover",
            "args": {"words": asked_words(rest)},
            "result": [{"video": v, "cover": round(c, 3), "backed": sorted(b)} for v, c, b in ranked[:5]],
        }
    )
    if not ranked:
        return None
    top = ranked[0][1]
    words = asked_words(rest)
    chosen = [r for r in ranked if abs(r[1] - top) < 1e-9 and (_sure(r[2]) or _all_named(words, r[2]))][:MAX_VIDEOS]
    if top < MIN_COVER or not chosen:
        return None
    names = ", ".join(Path(v).name for v, _, _ in chosen)
    backed = chosen[0][2]
    matched = _matched(words, backed)
    missing = [w for w in words if w not in backed]
    lack = f"; nothing indexed says {', '.join(repr(w) for w in missing)}" if missing else ""
    text = f"{names} ({'partly: ' if missing else ''}{matched}{lack})"
    cites = []
    for _, _, got in chosen:
        seen: set[str] = set()
        for b in got.values():
            if b.clip.clip_id in seen:
                continue
            seen.add(b.clip.clip_id)
            ev = b.clip
            kind = "seen" if b.how in ("seen", "people", "look") else b.how
            cites.append(Citation(ev.video, ev.start, ev.end, ev.clip_id, b.text(), False, kind, ev.start, ev.end))
    ans = Answer(question, text, cites, box.steps, mode="offline", error=error, evidence=matched, query=query)
    if missing:
        ans.notes.append(f"a partial match: {len(backed)} of {len(words)} asked words are backed by what was indexed")
    return ans
