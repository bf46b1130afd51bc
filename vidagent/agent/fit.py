"""Does a candidate answer fit what the question asks for (a person, an organisation, a time...)?

Kept apart from `question` (which reads the question) because every answerer scores its candidates with
these, and a wrong type is the commonest way a near answer is wrong: "WITH THE FINANCIAL SUPPORT FROM"
for "which fund supported the film?".
"""

from __future__ import annotations

import re

from .question import Query, matches
from .words import _NUMBER_WORDS, _URL, COLOURS, content_stems, tokens

_ORG_WORDS = re.compile(
    r"\b(fund|foundation|inc|ltd|llc|gmbh|studios?|systems|company|corp(oration)?|"
    r"productions?|media|university|institute|labs?|org|group|pictures|films?|"
    r"workstations|microsystems|amsterdam|commons|society|association|agency)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(1[89]\d\d|20\d\d|\d{1,2}:\d\d|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|morning|evening|night|yesterday|today|tomorrow)\b",
    re.IGNORECASE,
)
DURATION = re.compile(
    r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|couple of|\d+(?:[.,]\d+)?)\s+"
    r"(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.I,
)
_YES_NO = re.compile(r"^\W*(yes|no|y|n|true|false|ok)\W*$", re.IGNORECASE)
_ROLE_SUFFIX = re.compile(r"(tion|ing|ment|ship|ness|ics|ware|ist|ctor|ager)$", re.IGNORECASE)
_PRONOUNS = set(
    [
        "i",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "hi",
        "hello",
        "hey",
        "we",
        "we're",
        "you",
        "you're",
        "he",
        "she",
        "it",
        "it's",
        "they",
    ]
)
_FUNCTION = set(
    ["the", "and", "of", "by", "with", "from", "for", "to", "in", "on", "at", "a", "an", "is", "are", "was"]
    # auxiliaries and determiners a credit line's words can be ("BIG BUCK BUNNY HAS BEEN REALISED") but
    # no name is (unlike "will" or "can", which are also first names)
    + ["been", "being", "has", "have", "had", "were", "does", "did", "not", "this", "that", "these", "those"]
    + ["its", "or", "but", "than", "into", "our", "your", "their"]
)


def looks_like_name(text: str) -> bool:
    """2-5 words, each capitalised, no function words or role-like suffixes (a person's name)."""
    ws = tokens(text)
    if not 2 <= len(ws) <= 5 or any(w.lower() in _FUNCTION or w.lower() in _PRONOUNS for w in ws):
        return False
    if any(any(c.isdigit() for c in w) for w in ws):
        return False
    caps = all(w[0].isupper() for w in ws if w.lower() not in ("van", "de", "der", "von", "la", "le", "den"))
    return caps and not any(_ROLE_SUFFIX.search(w) for w in ws)


def type_fit(query: Query, answer: str) -> float:
    """How well a candidate answer fits the wanted type: 1 fits, 0.5 could, 0 does not."""
    a = answer.strip()
    t = query.answer_type
    if not a:
        return 0.0
    if _URL.search(a.replace(" ", "")) and not any("websit" in f for f in query.families):
        return 0.0  # a web address answers only "which website"
    if t != "yes_no" and _YES_NO.match(a):
        return 0.0  # a ticked "Yes" under a form's question answers a yes/no question, not "what does it ask"
    if t == "person":
        return 1.0 if looks_like_name(a) else 0.0
    if t == "maker":
        return max(
            1.0 if looks_like_name(a) else 0.0,
            type_fit(Query(query.text, query.qtype, "org", query.focus, query.families, query.head), a),
        )
    if t == "org":
        if _ORG_WORDS.search(a) or (query.head and matches(query.head, content_stems(a))):
            return 1.0
        if looks_like_name(a):
            return 0.3  # a person's name is not an organisation
        ws = tokens(a)
        return 0.5 if ws and all(w[0].isupper() for w in ws) and len(ws) <= 6 else 0.0
    if t == "number":
        return 1.0 if re.search(r"\d", a) or any(w.lower() in _NUMBER_WORDS for w in tokens(a)) else 0.0
    if t == "time":
        return 1.0 if _TIME.search(a) else 0.0
    if t == "duration":
        return 1.0 if DURATION.search(a) else 0.0
    if t == "colour":
        return 1.0 if any(w.lower() in COLOURS for w in tokens(a)) else 0.0
    if t == "place":
        ws = [w for w in tokens(a) if w.lower() != "the"]
        return 0.5 if ws and ws[0][0].isupper() else 0.0
    if t == "name":
        ws = tokens(a)
        return 1.0 if ws and all(w[0].isupper() or w.lower() in _FUNCTION for w in ws) else 0.3
    return 0.5


def precision(query: Query, text: str) -> float:
    """Share of the text's content words that the question asks about: a label that is exactly the
    asked role ("Director") beats one that only contains it ("Art Director")."""
    st = content_stems(text)
    if not st:
        return 0.0
    return sum(1 for s in st if any(matches(f, {s}) for f in query.families)) / len(st)
