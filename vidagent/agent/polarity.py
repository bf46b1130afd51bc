"""Yes or no for a yes/no question answered by a sentence said or a line read.

"Do you give up your copyright?" used to be answered with the sentence "You don't give up your
copyright.", leaving the user to read the answer out of the evidence. When the top span states the
question's whole content (every focus concept met by it or the sentence before it), its polarity is the
answer: "No" when a negation governs what is asked (a "not", "n't", "never" or "no" with an asked word
within the next few words: "don't give up your COPYRIGHT"), else "Yes". A negation elsewhere in the
sentence ("uses you don't consent to") does not count. A span that meets only part of the question
does not settle it: the answer says so and quotes the closest evidence.
"""

from __future__ import annotations

import re
from typing import Any

from .question import Query, matches
from .words import content_stems, stem

_NEGATORS = re.compile(r"^(?:not|no|never|none|nobody|nothing|cannot|\w+n't|\w+n’t)$", re.IGNORECASE)
REACH = 4  # words after a negation that it governs


def negated(query: Query, text: str) -> bool:
    """Does a negation govern an asked word of `text`?"""
    words = re.findall(r"[\w'’]+", text)
    for i, w in enumerate(words):
        if _NEGATORS.match(w) and any(
            any(matches(f, {stem(x.lower())}) for f in query.families) for x in words[i + 1 : i + 1 + REACH]
        ):
            return True
    return False


def settle(query: Query, top: Any, text: str) -> str:
    """The answer to a yes/no question from its top span: "Yes: ..." / "No: ..." when the span states the
    whole question (a name it holds may be met anywhere in the span's clip: the credits page naming the
    film), else said to be partial."""
    from .question import named_in, names_in

    pair = top.kind in ("row", "stack")
    said = f"{top.context} {top.evidence if pair else top.label}"
    shown = top.evidence if pair else text
    stems = content_stems(said)
    clip = content_stems(
        " ".join([b.text for b in top.clip.boxes] + list(top.clip.lines) + [s.text for s in top.clip.speech])
    )
    names = names_in(query)
    met = all(matches(f, stems) or (f in names and named_in(f, clip)) for f in query.families)
    if not met:
        return f"Not said in so many words; the closest: {shown}"
    return f"{'No' if negated(query, said) else 'Yes'}: {shown}"
