"""Names in a question, read from its capitals: "Big Buck Bunny" is one name of three words, and "who
is John Pierce?" names a person where "who is the narrator?" names a role. Pure, no models; kept apart
from `question` (which reads the rest of the question) for size.
"""

from __future__ import annotations

import re

from .words import STOP, content_stems, tokens

WHO_IS = re.compile(r"^who(?:'s|\s+is|\s+was|\s+are|\s+were)\s+", re.IGNORECASE)


def named_only(q: str) -> bool:
    """Does "who is ...?" name its person ("who is John Pierce?"), not a role ("who is the narrator?")?"""
    rest = [w for w in tokens(WHO_IS.sub("", q)) if w.lower() not in _LINKS]
    return bool(rest) and all(w[:1].isupper() or w.lower() in _NAME_JOIN for w in rest)


#: words between the names of "who is Ann Lee of the Blender Institute?" ("who is SPEAKING in ..." is no name)
_LINKS = frozenset("the a an of in on at from for and 's".split())


_NAME_JOIN = frozenset("van von de der den la le da di du".split())


def name_groups(q: str, families: list[set[str]]) -> list[list[int]]:
    """Family indices of each name of 2+ words in the question (`name_runs`). A name is one concept:
    "what did Campbell Barton do on Big Buck Bunny?" asks of two names, not five words."""
    groups: list[list[int]] = []
    for r in name_runs(q):
        idx = sorted({i for w in r if w.lower() not in STOP for i, f in enumerate(families) if f & content_stems(w)})
        taken = {i for g in groups for i in g}
        if len(idx) >= 2 and not taken & set(idx):
            groups.append(idx)
    return groups


def name_runs(q: str) -> list[list[str]]:
    """The names of 2+ words in a question: capitalised words in a row past the first word ("Big Buck
    Bunny", "Brecht van Lommel")."""
    runs: list[list[str]] = []
    run: list[str] = []
    for w in [*tokens(q)[1:], ""]:
        if w[:1].isupper() and w != "I" or (run and w.lower() in _NAME_JOIN):
            run.append(w)
            continue
        while run and run[-1].lower() in _NAME_JOIN:
            run.pop()
        if len(run) >= 2:
            runs.append(run)
        run = []
    return runs
