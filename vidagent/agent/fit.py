"""Does a candidate answer fit what the question asks for (a person, an organisation, a time...)?

Kept apart from `question` (which reads the question) because every answerer scores its candidates with
these, and a wrong type is the commonest way a near answer is wrong: "WITH THE FINANCIAL SUPPORT FROM"
for "which fund supported the film?".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .question import Query, head_words, matches
from .words import _NUMBER_WORDS, _URL, COLOURS, content_stems, same_word, stem, tokens

#: words that end an organisation's name (also what `mend` reads a misread word of 6+ letters as)
ORG_VOCAB = (
    "fund foundation inc ltd llc gmbh studio studios systems company corp corporation production productions "
    "media university institute lab labs org group pictures film films workstations microsystems amsterdam "
    "commons society association agency"
).split()
_ORG_WORDS = re.compile(r"\b(" + "|".join(ORG_VOCAB) + r")\b", re.IGNORECASE)
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
#: an amount of money, or none to pay: "$5", "20 euros", "it's totally free", "at no cost"
PRICE = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:dollars?|euros?|pounds?|cents?|pence|usd|eur|gbp)\b|"
    r"\b(?:totally\s+|completely\s+|entirely\s+)?free(?:\s+of\s+charge)?\b|\bno\s+(?:charge|cost)\b|\bat\s+no\s+cost\b)",
    re.IGNORECASE,
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


#: words no answer ends with: the line leads into the next one ("PRODUCED BY", "SUPPORT FROM")
_LEADS = frozenset(["from", "by", "of", "with", "and", "the", "a", "an"])
#: words a name neither starts nor ends with ("Bank of England" holds "of", but not at an edge)
_EDGE = frozenset(["of", "by", "with", "from", "for", "to", "in", "on", "at", "and", "or", "a", "an", "has", "been"])


#: "the teacher who shapes young minds": a person named by what they are, then what they do
_RELATIVE = re.compile(r"\b((?:the|a|an)\s+(?:[a-z][\w-]*\s+){0,2}?([a-z][\w-]*))\s+(?:who|that)\s+([a-z][\w'-]*)")


def _asks_site(query: Query) -> bool:
    """Is a website asked for ("what website is shown?", "the film's website?"), not what one does
    ("what does the Creative Commons website ask you?": the website is who asks)?"""
    if "websit" in query.head | query.attr:
        return True
    doing = re.match(r"^(?:what|which)\s+(?:does|did|do)\b", query.text.strip().lower())
    return not doing and any("websit" in f for f in query.families)


def _kind_of_person(text: str) -> bool:
    """ "the teacher", "a young artist": a determiner and 1-3 words whose last is a kind of person in
    WordNet (the shipped query table), not a name but an answer to "who shapes young minds?"."""
    ws = tokens(text)
    if not 2 <= len(ws) <= 4 or ws[0].lower() not in ("the", "a", "an"):
        return False
    return _is_kind_of_person(ws[-1])


def _is_kind_of_person(word: str) -> bool:
    """Is a noun, in most of its uses, a kind of person in WordNet (teacher, animator, rigger)?"""
    from ..querynouns import ancestors

    return any(concept == "person" and share >= 0.5 for concept, _, share in ancestors(word))


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
    if _URL.search(a.replace(" ", "")) and not _asks_site(query):
        return 0.0  # a web address answers "which website?", not "what does the website ask?"
    wants_site = "websit" in query.head | query.attr or (query.qtype in ("what", "which") and _asks_site(query))
    if wants_site and not (_URL.search(a) or any(_URL.search(w) for w in tokens(a))):
        return 0.0  # "what website...?" is answered by an address ("Just come to our website" names none)
    last = tokens(a)[-1:]
    if last and last[0].lower() in _LEADS:
        return 0.0  # "WITH THE FINANCIAL SUPPORT FROM": a line that leads into the answer, not the answer
    if t != "yes_no" and _YES_NO.match(a):
        return 0.0  # a ticked "Yes" under a form's question answers a yes/no question, not "what does it ask"
    if t == "person":
        return 1.0 if looks_like_name(a) else 0.5 if _kind_of_person(a) else 0.0
    if t == "role":
        return 0.0 if looks_like_name(a) else 0.5  # what someone is, not someone else's name
    if t == "maker":
        return max(
            1.0 if looks_like_name(a) else 0.0,
            type_fit(Query(query.text, query.qtype, "org", query.focus, query.families, query.head), a),
        )
    if t == "org":
        ws = tokens(a)
        if ws and (ws[0].lower() in _EDGE or ws[-1].lower() in _EDGE):
            return 0.0  # "WITH THE FINANCIAL SUPPORT FROM": a line leading into a name is not one
        if not [w for w in ws if w.lower() not in _FUNCTION and not _ORG_WORDS.fullmatch(w)]:
            return 0.3  # "PRODUCTION", "the University": the kind of organisation, not which one
        if _ORG_WORDS.search(a) or (query.head and matches(query.head, content_stems(a))):
            return 1.0
        if looks_like_name(a):
            return 0.3  # a person's name is not an organisation
        ws = tokens(a)
        return 0.5 if ws and all(w[0].isupper() or w.lower() in _FUNCTION for w in ws) and len(ws) <= 6 else 0.0
    if t == "price":
        return 1.0 if PRICE.search(a) else 0.0
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


def extract(query: Query, text: str) -> str:
    """The short answer inside a line or sentence for a typed question; "" when none fits."""
    focus = {f.lower() for f in query.focus}
    t = query.answer_type
    m: re.Match[str] | None
    if t == "maker":
        return extract(
            Query(query.text, query.qtype, "person", query.focus, query.families, query.head), text
        ) or extract(Query(query.text, query.qtype, "org", query.focus, query.families, query.head), text)
    if t == "person":
        for m in re.finditer(r"(?:[A-Z][\w'-]+(?:\s+(?:van|de|der|von)?\s*[A-Z][\w'-]+){1,3})", text):
            cand = re.sub(r"^(?:(?:I'm|I|Hi|Hello|Dr|Mr|Mrs|Ms)\b[\s,.]*)+", "", m.group(0).strip())
            if looks_like_name(cand) and not ({w.lower() for w in tokens(cand)} & focus):
                return cand
        for m in _RELATIVE.finditer(text):  # "the teacher who shapes young minds": who shapes them
            if _kind_of_person(m.group(1)) and any(same_word(stem(m.group(3)), stem(f)) for f in focus):
                return m.group(1)
        return ""
    if t == "org":
        m = re.search(
            r"((?:[A-Z][\w&.'-]*\s+){0,4}(?:[Ff]und|Foundation|Studios?|Systems|Microsystems|Company|Inc|Ltd|"
            r"Institute|University|College|School|Museum|Academy|Commons|Productions?|Media|Labs?)\b"
            r"(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w-]*)*)",  # "University of Nottingham"
            text,
        )
        if m:
            return m.group(1).strip()
        return text if type_fit(query, text) >= 0.5 and len(tokens(text)) <= 6 else ""
    if t == "price":
        m = PRICE.search(text)
        return m.group(0) if m else ""
    if t == "number":
        for m in re.finditer(
            r"\b(\d[\d,.]*|(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
            r"twenty|thirty|forty|fifty|hundred|thousand|million)s?)\b(\s+\w+)?",
            text,
            re.IGNORECASE,
        ):
            if query.qtype == "how_many" and re.fullmatch(r"\d+\.\d+", m.group(1)):
                continue  # "ATTRIBUTE 3.0": a version, not a count
            return m.group(0).strip()
        return ""
    if t == "time":
        m = re.search(r"\b(1[89]\d\d|20\d\d|\d{1,2}:\d\d(?:\s*[ap]m)?)\b", text, re.IGNORECASE)
        return m.group(0) if m else ""
    if t == "duration":
        m = DURATION.search(text)
        return m.group(0) if m else ""
    if t == "colour":
        m = re.search(
            r"\b(red|orange|yellow|green|blue|purple|violet|pink|brown|black|white|grey|gray|silver|gold)"
            r"\b",
            text,
            re.IGNORECASE,
        )
        return m.group(0) if m else ""
    if t == "place":
        m = re.search(r"\b(?:in|at|from|of)\s+((?:the\s+)?[A-Z][\w'-]*(?:\s+(?:of\s+)?[A-Z][\w'-]*)*)", text)
        return m.group(1) if m else ""
    if t == "name":
        m = re.search(r"(?:named|called|name is|I'm|I am)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)", text)
        return m.group(1) if m else ""
    return text


def names_another(query: Query, label: str, answer: str) -> bool:
    """Is this a person's name under a role that is not the noun asked for? "BRECHT VAN LOMMEL |
    Software Developer" answers "who is the software developer?", not "what software is the lecturer
    talking about?": the label's head (its last word) must be the asked noun for a name to answer."""
    if query.qtype == "who" or query.answer_type not in ("text", "thing") or not query.head:
        return False  # an organisation's name under "HARDWARE PROVIDED BY" answers "which company"
    words = [w for w in tokens(label) if w.lower() not in _FUNCTION]
    if not words or not looks_like_name(answer) or _is_kind_of_person(tokens(answer)[-1]):
        return False  # "Character Animator" is a role, read as a name only by its capitals
    asked = head_words(query)
    return not any(same_word(stem(words[-1].lower()), h) for h in asked)


def name_scope(
    query: Query, names: list[set[str]], clips: list[Any], clip_words: Callable[[Any], set[str]]
) -> Callable[[Any, set[str]], bool]:
    """The test a span passes when every name the question holds (`names`, its families) is met: in the
    span (`said`) or its clip; or, once one is met there (the person a credit row names), the others in
    another clip read of the same video (the film's title on its closing card: the credits roll does not
    say it). A name of several words is met where all its words are ("Blender Institute" is not met by
    "Blender Foundation" on one card and "INSTITUTE STAFF" on another)."""
    from .question import named_in

    in_video: dict[str, list[set[str]]] = {}
    for ev in {id(c): c for c in clips}.values():
        in_video.setdefault(ev.video_hash, []).append(clip_words(ev))
    name_idx = [i for i, f in enumerate(query.families) if f in names]
    wholes = [g for g in query.names if set(g) <= set(name_idx)]
    wholes += [[i] for i in name_idx if not any(i in g for g in wholes)]

    def met_in(g: list[int], words: set[str]) -> bool:
        return all(named_in(query.families[i], words) for i in g)

    def check(span: Any, said: set[str]) -> bool:
        here = said | clip_words(span.clip)
        met = [met_in(g, here) for g in wholes]
        if all(met) or not any(met):
            return all(met)
        return all(
            m or any(met_in(g, p) for p in in_video[span.clip.video_hash]) for g, m in zip(wholes, met, strict=True)
        )

    return check
