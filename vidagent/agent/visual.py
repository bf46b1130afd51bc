"""Answers that were seen, not read or heard: "what animal is in the film?", "which bird is shown?".

Nothing printed or said answers such a question; the describer's labels may. They are ImageNet
classes, and WordNet says what each is a kind of ("Samoyed" -> dog, animal; "king penguin" -> bird;
`labelmatch`). A question that asks for a kind of thing (`asked_kind`) is answered with the label of
that kind that the retrieved clips show with the most probability in all, cited on the clips where
the tagger was surest of it, and said for what it is: a label the image tagger gave, with its kind and
its probability ("Samoyed (a dog; image tagger, 0.87)" for "what animal..."). Honest by construction:

- no label of the asked kind reaching `KIND_FLOOR` in some retrieved clip gives no answer here, and
  the composer then lets no other label answer (a gorilla is not an answer to "which bird?");
- a question naming no kind the labels can be ("which car brand", "what software") is not visual.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from .words import file_name_words

if TYPE_CHECKING:
    from .answer import Answer


class ClipLabels(Protocol):
    """What a kind answer reads of a retrieved clip (`compose.ClipEvidence` has it)."""

    clip_id: str
    video: str
    start: float
    end: float
    tag_scores: list[tuple[str, float]]


KIND_FLOOR = 0.3  # a label must reach this probability in one retrieved clip to answer
MAX_CLIPS = 3  # citations: the clips where the tagger was surest
_KIND_WORDS = frozenset("kind kinds type types sort sorts species breed breeds variety varieties".split())
# Words after the noun asked for that end its phrase ("what animal | is ...", "which bird | appears ...");
# a following word ending like a verb ("sleeps", "raised", "flying") ends it too
_PHRASE_END = frozenset(
    "is are was were be do does did can could will would has have had appear appeared show shown seen "
    "visible in on at of from near with during there that this".split()
)
# Adjectives that may stand between "which" and the noun asked for: size, age, colour
_MODIFIERS = frozenset(
    "big small little large tiny huge giant young old baby fat thin tall short white black grey gray brown "
    "red orange yellow green blue purple pink dark light".split()
)


@dataclass
class SeenKind:
    """The label answering a kind question, and the clips showing it (best first)."""

    kind: str
    label: str
    mass: float  # summed probability over the retrieved clips
    clips: list[tuple[str, float]] = field(default_factory=list)  # (clip id, probability), surest first

    @property
    def top(self) -> float:
        return self.clips[0][1] if self.clips else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "mass": round(self.mass, 3),
            "clips": [{"clip_id": c, "probability": round(p, 3)} for c, p in self.clips],
        }

    def text(self) -> str:
        """The answer as shown: the label, the kind just under the asked one, where it came from:
        "Samoyed (a dog; image tagger, 0.87)" for "what animal...", "hare (a lagomorph; ...)"."""
        return f"{self.label} ({_article(self.nearer())}; image tagger, {self.top:.2f})"

    def nearer(self) -> str:
        """The label's kind just under the asked kind (or the asked kind itself)."""
        from ..labelmatch import labels
        from ..signals.hierarchy import kinds

        try:
            chain = kinds(labels().index(self.label))
        except ValueError:
            return self.kind
        if self.kind not in chain:
            return chain[0] if chain else self.kind
        at = chain.index(self.kind)
        return chain[at - 1] if at > 0 else self.kind


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@lru_cache(maxsize=1)
def kinds_of() -> dict[str, frozenset[str]]:
    """Each concept labels are a kind of -> those labels ("bird" -> 52 ImageNet classes, "horse" -> sorrel).
    A label's own names are not kinds of it: "what website..." asks which website, which no label says;
    concepts covering most classes ("object", "whole") are left out, as in `labelmatch`."""
    from ..labelmatch import TOO_GENERAL, labels
    from ..signals.hierarchy import table

    classes = table()
    members: dict[str, set[str]] = defaultdict(set)
    for label, c in zip(labels(), classes, strict=True):
        for n in {*c["kinds"], *c["hypernyms"]}:
            members[n.lower()].add(label)
    limit = TOO_GENERAL * len(classes)
    return {n: frozenset(ls) for n, ls in members.items() if len(ls) < limit}


@lru_cache(maxsize=1)
def _own_names() -> dict[str, frozenset[str]]:
    """Each name of a label (its lemmas, lower case) -> the labels so named ("jellyfish", "web site")."""
    from ..labelmatch import labels
    from ..signals.hierarchy import table

    named: dict[str, set[str]] = defaultdict(set)
    for label, c in zip(labels(), table(), strict=True):
        for n in [label, *c["lemmas"]]:
            named[n.lower()].add(label)
    return {n: frozenset(ls) for n, ls in named.items()}


def members(kind: str, own: bool = False) -> frozenset[str]:
    """The labels that are a kind of `kind` (and, with `own`, those named so: "is there a jellyfish?")."""
    found = kinds_of().get(kind, frozenset())
    return found | _own_names().get(kind, frozenset()) if own else found


def _concept(word: str, own: bool = False) -> str | None:
    """The concept a question word names, singular ("animals" -> "animal"), when labels can be one."""
    from ..querynouns import NOUN_SUFFIXES  # WordNet's plural rules (morphy)

    forms = [word[: -len(s)] + r for s, r in NOUN_SUFFIXES if word.endswith(s) and len(word) > len(s) + 1]
    for w in [word, *forms]:
        if members(w, own):
            return w
    return None


def _wearer(words: str) -> bool:
    """Is the one wearing something a person ("the man", "he", "the presenter")? Clothing labels say what
    people wear; "what is the dog wearing?" is not answered by a tie seen anywhere."""
    from ..querynouns import PERSON, ancestors

    for w in re.findall(r"[a-z]+", words):
        if w in ("he", "she", "they", "person", "people", "someone", "everyone", "anyone"):
            return True
        if any(c == PERSON and share >= 0.5 for c, _, share in ancestors(w)):
            return True
    return False


def asked_kind(question: str) -> str | None:
    """The kind of thing a question asks for: the noun right after "what" / "which" ("what ANIMAL
    sleeps...", "which DOG breed...", "which kind of BIRD...", "what is the VEHICLE in...", "which big
    grey ANIMAL..."), when labels can be that kind; None when the question asks for something else (a
    name, a brand, a company, a number, a person...)."""
    low = " ".join(question.lower().split())
    if re.match(r"^what\s+(?:is|are|was|were|does|do|did)\s+.*\b(?:doing|do|happening)\s*[?.!]*$", low):
        return None  # "what is the dog doing?": an action, which no label is
    worn = re.match(
        r"^what\s+(?:is|are|was|were|does|do|did)\s+((?:[\w'-]+\s+){1,4}?)(?:wearing|wear|dressed\s+in)\b", low
    )
    if worn:  # "what is the man wearing?": a garment, a tie, a hat (WordNet's clothing); not "a dog"
        return "clothing" if _wearer(worn.group(1)) else None
    # "what breed is the dog?", "which kind of bird is it?": the kind asked about is the thing named after
    of = re.match(
        r"^(?:what|which)\s+(?:kind|type|sort|species|breed|variety)\s+(?:of\s+[a-z'-]+\s+)?(?:is|are|was|were)\s+"
        r"(?:the|this|that|these|those)\s+([a-z'-]+)",
        low,
    )
    if of and (found := _concept(of.group(1))):
        return found
    m = re.match(r"^(?:what|which)\s+(?:(?:is|are|was|were)\s+the\s+)?(.*)$", low)
    if not m:
        return None
    rest = re.sub(r"^(?:(?:kind|type|sort|species|breed|variety)s?|varieties)\s+of\s+", "", m.group(1))
    words = [w for w in re.findall(r"[a-z][a-z'-]*", rest)]
    while words and words[0] in _MODIFIERS:  # "which big grey animal": the noun after the adjectives
        words.pop(0)
    if not words:
        return None
    head, after = words[0], words[1] if len(words) > 1 else ""
    if after and after not in _KIND_WORDS and after not in _PHRASE_END and not after.endswith(("s", "ed", "ing")):
        head = after  # a compound's head is its last noun: "which car BRAND" asks for a brand, not a car
    return _concept(head)


_DET = r"(?:a|an|any|some|one|two|several|many)"
_PRESENCE = (
    # "is there a dog...", "are there (any) birds...", "can you see a white dog..."
    re.compile(rf"^(?:(?:is|are|was|were)\s+there|(?:can|do|did)\s+(?:you|we|i)\s+see)\s+(?:{_DET}\s+)?(.*)$"),
    # "does a horse appear...", "do any birds show up..."
    re.compile(rf"^(?:does|do|did)\s+{_DET}\s+(.*?)\s+(?:appear|show|come|feature)"),
    # "is a snake shown...", "are any people visible..."
    re.compile(rf"^(?:is|are|was|were)\s+{_DET}\s+(.*?)\s+(?:shown|visible|seen|present|in|on)\b"),
)


def present_kind(question: str) -> str | None:
    """The thing a yes/no question asks to see: "is there a DOG...", "are there any BIRDS...", "does a
    HORSE appear...", "is a SNAKE shown..."; a label's own name counts ("is there a jellyfish?").
    Not "does the speaker work...": a presence question names no particular thing ("the")."""
    low = " ".join(question.lower().split())
    for pattern in _PRESENCE:
        m = pattern.match(low)
        if m:
            words = [w for w in re.findall(r"[a-z][a-z'-]*", m.group(1)) if w not in _MODIFIERS]
            return _concept(words[0], own=True) if words else None
    return None


def _named(words: set[str], video: str) -> bool:
    """Does the question name this video's file ("...in the cockatoo video")? As the composer decides."""
    return bool(words & set(file_name_words(video)))


def seen_kind(kind: str, evs: Sequence[ClipLabels], words: Collection[str] = (), own: bool = False) -> SeenKind | None:
    """The label of `kind` with the most probability over these clips, if one clip shows it with at
    least `KIND_FLOOR`; None otherwise. A question naming a video's file (`words`) looks at that
    video's clips first."""
    named = [e for e in evs if _named(set(words), e.video)]
    for group in ([named] if named else []) + [list(evs)]:
        found = _best_label(kind, [(e.clip_id, e.tag_scores) for e in group], own)
        if found is not None:
            return found
    return None


def _best_label(
    kind: str, clips: Sequence[tuple[str, Sequence[tuple[str, float]]]], own: bool = False
) -> SeenKind | None:
    wanted = members(kind, own)
    mass: dict[str, float] = defaultdict(float)
    where: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for clip_id, scores in clips:
        for label, p in scores:
            if label in wanted:
                mass[label] += float(p)
                where[label].append((clip_id, float(p)))
    for label in sorted(mass, key=lambda lab: (-mass[lab], lab)):
        sure = [c for c in sorted(where[label], key=lambda c: -c[1]) if c[1] >= KIND_FLOOR]
        if sure:  # cited where the tagger was sure of it, not where it merely listed it
            return SeenKind(kind, label, mass[label], sure[:MAX_CLIPS])
    return None


def answer_seen(
    question: str,
    seen: SeenKind,
    evs: Sequence[ClipLabels],
    steps: list[dict[str, Any]],
    query: dict[str, Any],
    error: str,
) -> Answer:
    """The answer to a kind question, cited on the clips showing the label. Citations are `seen` and not
    verified: a label is the tagger's reading of the frames, which `ask` cannot check again."""
    from .answer import Answer, Citation

    by_id = {e.clip_id: e for e in evs}
    cites = []
    for clip_id, p in seen.clips:
        ev = by_id[clip_id]
        what = f"{seen.label} ({p:.2f})"
        cites.append(Citation(ev.video, ev.start, ev.end, clip_id, what, False, "seen", ev.start, ev.end))
        steps.append({"tool": "verify", "args": {"clip_id": clip_id, "answer": seen.label}, "result": "seen: a label"})
    evidence = f"labels of kind {seen.kind}: {seen.label} in {len(seen.clips)} clip(s), best {seen.top:.2f}"
    text = f"Yes: {seen.text()}" if query.get("type") == "yes_no" else seen.text()
    return Answer(question, text, cites, steps, mode="offline", error=error, evidence=evidence, query=query)


#: words of a which-video question around what it asks about ("does ANY video SHOW a...")
SKIP = frozenset(
    "a an the any some one does do did is are was were has have had show shows shown feature features contain "
    "contains include includes there about with of in on at someone somebody anyone showing featuring "
    "containing including that where which whose".split()
)


def subject_kinds(rest: str) -> list[str]:
    """The words of the asked-about part that labels can show, in order ("a fluffy white DOG lying on
    the floor" -> dog; "underwater footage full of BUBBLES" -> bubble)."""
    found = []
    for w in re.findall(r"[a-z][a-z'-]*", rest.lower()):
        kind = None if w in SKIP or w in _MODIFIERS else _concept(w, own=True)
        if kind and kind not in found:
            found.append(kind)
    return found
