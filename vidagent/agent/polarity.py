"""Yes or no for a yes/no question answered by a sentence said or a line read.

"Do you give up your copyright?" used to be answered with the sentence "You don't give up your
copyright.", leaving the user to read the answer out of the evidence. When the top span states all the
question asks (each of its own words, light verbs and their particles too), its polarity is the
answer: "No" when a negation governs what is asked (a "not", "n't", "never" or "no" with an asked word
within the next few words: "don't give up your COPYRIGHT"), else "Yes". A negation elsewhere in the
sentence ("uses you don't consent to") does not count. A span that meets only part of the question
does not settle it: Not found, the closest evidence in a note.
"""

from __future__ import annotations

import re
from typing import Any

from .question import Query, matches
from .words import content_stems, family, stem

_NEGATORS = re.compile(r"^(?:not|no|never|none|nobody|nothing|cannot|\w+n't|\w+n’t)$", re.IGNORECASE)
REACH = 4  # words after a negation that it governs


#: the stem of "free": it says there is nothing to pay, so it answers "no" to a question about a price,
#: fee or charge ("does Creative Commons charge for its licenses?" -> "We provide free licenses"), and
#: "yes" to one about being free
_FREE = "fre"


def negated(query: Query, text: str) -> bool:
    """Does a negation govern an asked word of `text`, or does "free" deny a price asked about?"""
    words = re.findall(r"[\w'’]+", text)
    priced = [w for w in query.focus if _FREE in family(w) and stem(w) != _FREE]
    if priced and any(stem(w.lower()) == _FREE for w in words):
        return True
    for i, w in enumerate(words):
        if _NEGATORS.match(w) and any(
            any(matches(f, {stem(x.lower())}) for f in query.families) for x in words[i + 1 : i + 1 + REACH]
        ):
            return True
    return False


_PARTICLES = frozenset("up out off down away over back".split())
#: words a yes/no question holds that need not be in the evidence (auxiliaries, pronouns, articles...)
_SMALL = frozenset(
    "do does did is are was were be been am you your yours a an the of with to in on at for by from it its this "
    "that these those i me my we our us they them their he him his she her and or can could will would shall "
    "should may might has have had there here so too very really any some under over through across among "
    "along upon via within toward towards video film movie clip footage recording".split()  # the video itself
)


#: who says and the saying of it: met by any sentence said ("does the narrator say copyright is too
#: restrictive?" is settled by "But sometimes full copyright is too restrictive.")
_SAYING = frozenset(
    "say says said tell tells told mention mentions mentioned claim claims claimed state states stated "
    "narrator speaker presenter".split()
)


def asked(question: str) -> list[tuple[str, bool]]:
    """(word or "verb particle", capitalised) of everything a yes/no question asks, in order: the
    question's own words, light verbs included ("do you GIVE UP your copyright?": "give up" is what is
    asked, and "happy to give to the public" does not say it)."""
    return [(w, cap) for w, cap, _ in _asked(question)]


#: prepositions that open a closing phrase of context: "... your copyright WITH a Creative Commons license?"
_SETTING = frozenset("with under in using via during".split())


def setting_words(question: str) -> list[str]:
    """The words of a yes/no question's closing phrase of setting (see `_asked`)."""
    return [w for w, _, setting in _asked(question) if setting]


def _asked(question: str) -> list[tuple[str, bool, bool]]:
    """`asked`, each word marked when it belongs to the question's closing prepositional phrase (its
    setting: "with a Creative Commons license"), which the video may state anywhere around the sentence
    that says the rest ("You don't give up your copyright.")."""
    words = re.findall(r"[A-Za-z][\w'-]*", question)[1:]  # the auxiliary that opens it asks nothing
    out: list[tuple[str, bool, bool]] = []
    setting = False
    for w in words:
        low = w.lower()
        if low in _SETTING and out:
            setting = True  # the last such preposition after something asked opens the setting
            out = [(a, c, False) for a, c, _ in out]
        if low in _PARTICLES and out and not out[-1][1] and " " not in out[-1][0]:
            out[-1] = (f"{out[-1][0]} {low}", False, out[-1][2])
        elif low not in _SMALL:
            out.append((low, w[0].isupper(), setting))
    return out


def _said(word: str, name: bool, stems: set[str], text: str, clip: set[str], video: str) -> bool:
    from .question import named_in
    from .words import family, file_name_words

    if " " in word:  # a verb with its particle, as said ("gave up", "gives up")
        verb, particle = word.split()
        return re.search(rf"\b{re.escape(stem(verb)[:3])}\w*\s+{particle}\b", text, re.IGNORECASE) is not None
    fam = family(word)
    if matches(fam, stems) or stem(word) in {stem(w) for w in file_name_words(video)}:
        return True
    return name and named_in(fam, clip)  # a name met anywhere in the clip (the credits page naming the film)


def settle(query: Query, top: Any, text: str) -> str | None:
    """The answer to a yes/no question from its top span: "Yes: ..." / "No: ..." when the span states all
    the question asks; None when it does not (the caller says Not found, with the closest evidence in a
    note: a partial match is no answer, and may be about another video or person). The words of the
    question's closing phrase of setting may be met anywhere in the span's clip instead: "do you give
    up your copyright with a Creative Commons license?" is settled by "You don't give up your copyright."
    said while "creative commons" is on screen; a setting the clip does not state settles nothing."""
    pair = top.kind in ("row", "stack")
    said = f"{top.context} {top.evidence if pair else top.label}"
    shown = top.evidence if pair else text
    stems = content_stems(said)
    clip = content_stems(top.clip.text())
    voiced = top.kind == "said"  # a sentence said is the speaker saying it: "does the narrator SAY ...?"
    wide = stems | clip
    asks = _asked(query.text)
    if sum(not setting for _, _, setting in asks) < 2:  # the rest must state something itself: verb and object
        asks = [(w, name, False) for w, name, _ in asks]
    for w, name, setting in asks:
        if voiced and w in _SAYING:
            continue
        if not _said(w, name, wide if setting else stems, said, clip, top.clip.video):
            return None
    return f"{'No' if negated(query, said) else 'Yes'}: {shown}"


SETTLE_TRIES = 5  # ranked spans looked at (the top one and the next four) for one that states it all


def first_settled(query: Query, ranked: list[Any], text: str) -> tuple[Any, str] | None:
    """(span, "Yes: ..." / "No: ...") from the first of the top spans that states all the question asks;
    `text` is the first span's answer as composed. A lower span may state it where the top one does not:
    "We provide free copyright licenses" ranks under the film's "LICENSED AS CREATIVE COMMONS" line for
    "does Creative Commons charge for its licenses?", and only it says anything of a price."""
    for n, span in enumerate(ranked[:SETTLE_TRIES]):
        if span.kind == "seen":
            continue
        if (settled := settle(query, span, text if n == 0 else span.answer)) is not None:
            return span, settled
    return None
