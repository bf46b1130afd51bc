"""Question analysis for the offline answerer: what kind of answer is wanted, and about what.

`analyse` gives the question type (who / what / which / when / where / how many / how much / yes-no /
what-is-shown), the answer type a span must fit (person, organisation, number, time, place, colour,
name, text), and the focus terms with their word families (a crude suffix stemmer plus a small table
of related words: funded <-> financial support, wrote <-> writer / script). Pure, no models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .namewords import WHO_IS, name_groups, name_runs, named_only
from .words import STOP, content_stems, family, same_word, stem, tokens


@dataclass
class Query:
    """What a question asks for."""

    text: str
    qtype: str  # who, what, which, when, where, how_many, how_much, yes_no, shown, other
    # person, maker, org, number, price, time, duration, place, colour, name, thing, text, yes_no; role:
    # what a named person is or does ("who is John Pierce?")
    answer_type: str
    focus: list[str] = field(default_factory=list)  # content words, in order
    families: list[set[str]] = field(default_factory=list)  # per concept: stems + related stems
    head: set[str] = field(default_factory=set)  # family of the asked-for noun ("which FUND"): answers may hold it
    words: set[str] = field(default_factory=set)  # every word of 4+ letters (to match video file names)
    kind: str = ""  # the kind of thing asked for, when labels can be one ("what ANIMAL...": `visual.asked_kind`)
    #: asked of clips chosen by something other than its words (a time: `anchored`), so a question with
    #: no content words ("who is speaking at 0:03?") still has spans to rank
    scoped: bool = False
    #: family of the attribute asked for in "what is the LICENSE of X", "who is the DIRECTOR of X": a span
    #: that holds it is preferred to one that only names X (`compose.rank`)
    attr: set[str] = field(default_factory=set)
    #: family of what it belongs to ("of BIG BUCK BUNNY"): also met by the rest of the span's clip
    scope: set[str] = field(default_factory=set)
    #: indices into `families` of one name's words ("Big Buck Bunny", "John Pierce"): one concept for
    #: coverage, met in the share of its words met (`coverage`); other families are a concept each
    names: list[list[int]] = field(default_factory=list)
    #: stems of what the answer is other than ("besides the Hewlett Foundation"): no answer holding them
    excluded: set[str] = field(default_factory=set)

    def concepts(self) -> list[list[int]]:
        """The question's concepts as groups of family indices: a name's words together, else one each."""
        grouped = {i for g in self.names for i in g}
        return [*self.names, *([i] for i in range(len(self.families)) if i not in grouped)]

    def to_json(self) -> dict[str, object]:
        return {"type": self.qtype, "answer_type": self.answer_type, "focus": self.focus, "kind": self.kind}


_ORG_NOUNS = (
    "fund",
    "company",
    "organisation",
    "organization",
    "studio",
    "foundation",
    "firm",
    "brand",
    "institute",
    "university",
    "sponsor",
    "agency",
    "network",
    "channel",
    "team",
    "group",
    "label",
)
PERSON_NOUNS = (
    "person",
    "man",
    "woman",
    "artist",
    "director",
    "actor",
    "speaker",
    "narrator",
    "author",
    "host",
    "presenter",
    "composer",
    "animator",
    "producer",
    "writer",
    "designer",
    "developer",
)
_SHOWN = re.compile(
    r"^(what|which)\b.*\b(shown|seen|visible|appear|appears|in the (scene|picture|frame|shot)|"
    r"kind of|type of|animal|object)\b",
    re.IGNORECASE,
)


# Other ways to ask when something happens, each put as the "when ..." question it is: "at what time is
# X mentioned?", "at which point does...", "where in the video is X shown?", "what second does...",
# "find the moment where...", "show me where / when...", "take me to the part where...".
_MOMENT_FORMS = (
    re.compile(r"^at\s+(?:what|which)\s+(?:time|point|moment|second|minute|stage)s?\s+(?P<rest>.+)$", re.I),
    re.compile(r"^(?:where|when)\s+in\s+the\s+(?:video|film|clip|movie|recording|trailer)s?\s+(?P<rest>.+)$", re.I),
    re.compile(r"^what\s+(?:time|second|minute|point|moment)\s+(?P<rest>(?:does|do|is|are|can)\b.+)$", re.I),
    re.compile(
        r"^(?:please\s+)?(?:find|show\s+me|give\s+me|take\s+me\s+to|jump\s+to|go\s+to|skip\s+to)\s+"
        r"(?:the\s+|a\s+)?(?:moment|part|point|time|bit|scene|place|spot|section)s?\s+"
        r"(?:where|when|that|in\s+which|at\s+which)\s+(?P<plain>.+)$",
        re.I,
    ),
    re.compile(r"^(?:please\s+)?show\s+me\s+(?:where|when)\s+(?P<plain>.+)$", re.I),
)
_WHEN_Q = re.compile(r"^(?:when|at\s+what\s+(?:time|point))\b", re.I)
#: "when is THE WORD creativity said?": the word itself is asked about, not the noun "word"
_WORD_OF = re.compile(r"\bthe\s+(?:word|words|term|phrase|expression)\s+(?!of\b|for\b)", re.I)
_AUX = re.compile(r"^(?:does|do|did|is|are|was|were|can|will|has|have)\b", re.I)


def as_when(question: str) -> str:
    """The question put as "when ...?" if it asks when something happens in other words ("at what time
    is Nottingham mentioned?" -> "when is Nottingham mentioned?"; "find the moment where the narrator
    talks about licenses" -> "when does the narrator talks about licenses"); else the question as is."""
    q = _WORD_OF.sub("", " ".join(question.strip().split())) if _WHEN_Q.match(question.strip()) else question
    q = " ".join(q.strip().split())
    for form in _MOMENT_FORMS:
        m = form.match(q)
        if m is None:
            continue
        rest = m.groupdict().get("rest") or m.group("plain")
        return f"when {rest}" if _AUX.match(rest) else f"when does {rest}"
    return q


_AGENT = {
    "made": "producer",  # who made a film: its producer (a line "Made with X" names a tool)
    "produced": "producer",
    "directed": "director",
    "wrote": "writer",
    "composed": "composer",
    "funded": "funder",
    "financed": "financer",
    "sponsored": "sponsor",
    "animated": "animator",
    "designed": "designer",
    "created": "creator",
    "edited": "editor",
    "developed": "developer",
    "narrated": "narrator",
    "scored": "composer",
    "rendered": "renderer",
}


def as_role(question: str) -> str:
    """ "who directed X?" put as "who is the director of X?": credits name roles, not deeds, and the
    question is compared in meaning with lines like "SACHA GOEDEGEBURE | Director"."""
    m = _MADE_BY.match(" ".join(question.strip().split()))
    # a name: capitalised, or a bare noun phrase ("who directed big buck bunny"); not "the original story"
    named = m is not None and (not m.group("det") or any(w[0].isupper() for w in re.findall(r"[\w'-]+", m.group(3))))
    if m is None or not named or not set(re.findall(r"[\w'-]+", m.group(3).lower())) - STOP - _VIDEO_NOUNS:
        # "who made the trailer?": the video itself; "who wrote the original story?": a role, not a work
        return question
    return f"who is the {_AGENT[m.group(1).strip().lower()]} of {m.group(3)}?"


_PRICE = re.compile(
    r"^(?:how\s+much\s+(?:(?:does|do|did|will|would|is|are|was)\b.*\b(?:cost|costs|charge|pay|price)|money)\b|"
    r"(?:what|which)(?:'s|\s+is|\s+was|\s+are)?\s+(?:the\s+)?(?:price|cost|fee|charge)s?\b)"
)


#: "who ELSE is thanked BESIDES the Hewlett Foundation?": what the answer must not be
_OTHER_THAN = re.compile(
    r"\s*,?\s*\b(?:besides|apart\s+from|aside\s+from|other\s+than|except(?:\s+for)?)\s+(?P<x>[^?.!,;]+)", re.I
)


def analyse(question: str) -> Query:
    q = as_role(as_when(question))
    excluded: set[str] = set()
    if (other := _OTHER_THAN.search(q)) is not None:  # "who else ... besides X?", "apart from X, who ...?"
        excluded = content_stems(other.group("x"))
        q = re.sub(r"\s+else\b", "", q[: other.start()] + q[other.end() :], flags=re.I).strip(" ,")
    low = q.lower()
    words = tokens(low)
    first = words[0] if words else ""
    qtype, atype = "other", "text"
    if re.match(r"^how (long|much time)\b", low):
        qtype, atype = "how_long", "duration"
    elif _PRICE.search(low):
        qtype, atype = "how_much", "price"  # "how much does it cost?", "what is the price of ...?"
    elif re.match(r"^how (many|much)\b", low):
        qtype, atype = ("how_many" if "many" in low.split()[1] else "how_much"), "number"
    elif first in ("who", "whom", "whose") or re.match(r"^(name|tell me) the (person|people|artist)", low):
        qtype, atype = "who", "person"
    elif first == "when" or re.match(r"^(what|which) (year|date|time|day|month)\b", low):
        qtype, atype = "when", "time"
    elif first == "where" or re.match(r"^(what|which) (place|city|country|town|location|street)\b", low):
        qtype, atype = "where", "place"
    elif re.match(r"^(what|which) (colou?r)\b", low) or "what colour" in low or "what color" in low:
        qtype, atype = "what", "colour"
    elif first in ("what", "which"):
        qtype = first
        m = re.match(r"^(what|which) (\w+)", low)
        noun = m.group(2) if m else ""
        if re.search(r"\bname of\b|\bnamed\b|\bcalled\b", low):
            atype = "name"
        elif stem(noun) in {stem(n) for n in _ORG_NOUNS}:
            atype = "org"
        elif stem(noun) in {stem(n) for n in PERSON_NOUNS}:
            qtype, atype = "who", "person"
        elif re.search(r"\b(number|how old|age)\b", low):
            atype = "number"
        elif _SHOWN.match(low):
            qtype, atype = "shown", "thing"
        else:
            atype = "text"
    elif first in ("is", "are", "was", "were", "does", "do", "did", "can", "has", "have"):
        qtype, atype = "yes_no", "yes_no"
    if qtype == "who" and WHO_IS.match(q) and named_only(q):
        qtype, atype = "what", "role"  # "who is John Pierce?" asks what he is: "a lecturer in psychology"
    if atype == "person" and re.search(
        r"\b(made|makes|make|created|creates|built|builds|developed|develops|"
        r"produced|produces|published|sponsored|funded|presents|presented|"
        r"provided|provides|thanked|supported|financed|backed|credited)\b",
        low,
    ):
        atype = "maker"  # "who made it?": a person, a company or a tool
    focus: list[str] = []
    # "which licence does the film USE?": what a thing asked for by its noun is used for says nothing more
    light = (
        _LIGHT if re.match(r"^(?:what|which)\s+(?!(?:is|are|was|were|did|does|do|has|have|can|will)\b)\w+", low) else ()
    )
    for w in tokens(q):
        lw = w.lower().removesuffix("'s").removesuffix("’s")
        if lw in STOP or len(lw) < 2 or lw in focus or lw in light:
            continue
        if qtype in ("how_many", "how_much", "how_long") and lw in ("many", "much", "long", "time"):
            continue
        focus.append(lw)
    doing = _DOING.match(low)
    if doing and [w for w in focus if w not in doing.group(1).split()]:
        # "who MADE the sound effects?", "who WORKED ON production?": credits name the doer by the work only
        focus = [w for w in focus if w not in doing.group(1).split()]
    attr_words, scope_words = _attribute_of(low)
    families: list[set[str]] = []
    scope: set[str] = set()
    proper = {w.lower() for run in name_runs(q) for w in run}
    for w in focus:  # words of one family ("financial support") are one concept, counted once
        # a word of a name is that word: "Blender INSTITUTE" is not met by "Blender Foundation"
        fam = {stem(w)} if w in proper else family(w)
        if w in scope_words:  # "of Big Buck Bunny": what the attribute belongs to is one concept
            scope |= fam
            continue
        for f in families:
            if f & fam:
                f |= fam
                break
        else:
            families.append(fam)
    if scope:
        families.append(scope)
    attr: set[str] = set()
    for w in attr_words:
        attr |= family(w)
    # The asked-for noun phrase: "which LAW SCHOOL is thanked" (up to the verb); an answer may repeat it.
    m = re.match(
        r"^(?:what|which)\s+((?:[\w'-]+\s+){0,3}?)(?:is|are|was|were|did|does|do|has|have|gave|"
        r"provided|made|can|will|\w{3,}ed)\b",  # or a past tense: "which fund SUPPORTED the film"
        low,
    )
    if not (m and m.group(1).strip()):  # "which WEBSITE belongs to ...": one noun, then a verb in -s
        m = re.match(r"^(?:what|which)\s+([a-z][\w'-]*\s+)[a-z]{3,}s\b", low)
    head: set[str] = set()
    for w in m.group(1).split() if m else []:
        if w not in STOP:
            head |= family(w)
    for w in focus:  # "what was X's JOB", "X's ROLE": a role asked for, as "what role did X have" asks it
        if w in _ROLE_NOUNS:
            head |= family(w)
    allw = {w for w in re.findall(r"[a-z0-9]+", low) if len(w) >= 4}
    from .visual import asked_kind, present_kind

    kind = (present_kind(q) if qtype == "yes_no" else asked_kind(q)) or ""
    names = name_groups(q, families)
    return Query(
        q, qtype, atype, focus, families, head, allw, kind, attr=attr, scope=scope, names=names, excluded=excluded
    )


#: nouns asking for what someone does ("what was her job?"): the asked noun, which an answer need not say
_ROLE_NOUNS = frozenset("job jobs role roles occupation profession position".split())
_LIGHT = frozenset("use uses used using have has had belong belongs belonged".split())
#: verbs of doing in general: "who MADE / HANDLED the X?" asks who did X, which credits name by X alone
_DOING = re.compile(
    r"^who\s+((?:made|makes|make|handled|handles|handle|ran|runs|run|did|does|do)"
    r"|(?:worked|works|work)\s+on|(?:looked|looks|look)\s+after|(?:took|takes|take)\s+care\s+of"
    r"|(?:was|is|were|are)\s+(?:in\s+charge\s+of|responsible\s+for))\s+\w+"
)
_ATTRIBUTE = re.compile(
    r"^(?:what|who|which)(?:'s|\s+(?:is|are|was|were))\s+(?:the|a|an)\s+((?:[\w'-]+\s+){1,3}?)"
    r"(?:of|for|behind|on)\s+(.+?)[?.!]*$"
)

_VIDEO_NOUNS = frozenset("video film movie clip trailer lecture recording footage talk it this that".split())
_MADE_BY = re.compile(
    r"^who\s+((?:made|produced|directed|wrote|composed|funded|financed|sponsored|animated|designed|created|edited|"
    r"developed|narrated|scored|rendered)\s+)(?P<det>(?:the|a|an|this|that|its|his|her|their|my|our)\s+)?(.+?)[?.!]*$",
    re.IGNORECASE,
)


def _attribute_of(low: str) -> tuple[list[str], set[str]]:
    """("license" words, "big buck bunny" words) of "what is the license of Big Buck Bunny?": the
    attribute asked for and what it belongs to. A multi-word name of the owner ("Big Buck Bunny") is one
    concept, as "the film" is none, so a line holding the attribute is not outweighed by one that only
    names the owner ("BIG BUCK BUNNY HAS BEEN REALISED")."""
    m = _ATTRIBUTE.match(low)
    if not m:
        return [], set()
    attr = [w for w in m.group(1).split() if w not in STOP]
    scope = {w.removesuffix("'s") for w in re.findall(r"[\w'-]+", m.group(2)) if w not in STOP}
    return (attr, scope) if attr and scope else ([], set())


#: words naming a video by what it is about: "who directed THE SUBMARINE film?"
_VIDEO_NAMED = re.compile(
    r"\bthe\s+((?:[a-z][\w'-]*\s+){1,3}?)(?:film|video|movie|clip|trailer|footage|recording)s?\b", re.IGNORECASE
)


def head_words(query: Query) -> list[str]:
    """Stems of the asked noun's own words ("which LAW SCHOOL": law, school), not its related words."""
    return [stem(w) for w in query.focus if stem(w) in query.head]


def names_in(query: Query) -> list[set[str]]:
    """Families of the names a question holds ("who is the lecturer from OXFORD?"): capitalised words past
    the first, but "I" and the owner of an attribute (met by the clip); and the words naming a video by
    what it is about ("the SUBMARINE film": the director of another film is no answer)."""
    words = [w for w in tokens(query.text)[1:] if w[:1].isupper() and w != "I"]
    about = [w for m in _VIDEO_NAMED.finditer(query.text) for w in m.group(1).split() if w.lower() not in STOP]
    return [
        f
        for f in query.families
        if (not f & query.scope and any(f & content_stems(w) for w in words))
        or any(f & content_stems(w) for w in about)  # met by the clip, its file or the span, as a name is
    ]


def named_in(fam: set[str], stems: set[str]) -> bool:
    """Is a name (its stems) in a text (its stems), as it is or spelt nearly ("pearc" / "pierc": a name
    asked as heard or misheard)? Near: 5+ letters, at most a letter longer or shorter, 80% alike."""
    import difflib

    return matches(fam, stems) or any(
        len(n) >= 5 and abs(len(w) - len(n)) <= 1 and difflib.SequenceMatcher(None, n, w).ratio() >= 0.8
        for n in fam
        for w in stems
    )


def matches(fam: set[str], text_stems: set[str]) -> bool:
    """Does a focus word's family meet any stem of the text? (prefix match, 3+ letters)."""
    # the same stem, or one plus what the stemmer left of a suffix (animat/anim); not another word
    # (animal/anim, compositing/composed) nor a compound (story/storyboard)
    return any(same_word(s, f) for s in text_stems for f in fam)


def matched(query: Query, text: str) -> list[bool]:
    """Per focus concept: does `text` hold it (by stem or related word)?"""
    st = content_stems(text)
    return [matches(fam, st) for fam in query.families]


def coverage(query: Query, text: str, skip_head: bool = False) -> float:
    """Share of the question's focus concepts found in `text` (by stem or related word); a name of several
    words counts by the share of its words found. `skip_head`: the asked-for noun does not count (an
    answer to "which fund" may say "fund")."""
    groups = [g for g in query.concepts() if not (skip_head and any(query.families[i] & query.head for i in g))]
    if not groups:
        return 0.0
    st = content_stems(text)
    return sum(sum(matches(query.families[i], st) for i in g) / len(g) for g in groups) / len(groups)


def cover(query: Query, text: str, own: str, names: list[set[str]]) -> tuple[float, bool]:
    """(coverage of the question's concepts, whether the asked noun was left out): the asked noun counts
    only when met ("what SUBJECT does he lecture in?" is answered by "I'm a lecturer in psychology",
    which does not say "subject"), provided what the span itself says (`own`, not the speaker words a
    sentence said is credited with) holds everything else asked but names, which may be met in its clip:
    "Rlender" under "RENDERED ... IN:" is no answer to "which company provided the rendering?".
    `names`: the question's names (`names_in`), read once by the caller."""
    full = coverage(query, text)
    if not query.head:
        return full, False
    said = content_stems(own)
    if not all(matches(f, said) for f in query.families if not f & query.head and f not in names):
        return full, False
    bare = coverage(query, own, skip_head=True)
    return (bare, True) if bare > full else (full, False)


def names_head(query: Query, said: set[str]) -> bool:
    """Does the text hold the asked noun's own words ("Stanford Law School" for "which law school")?"""
    own = head_words(query)
    return bool(own) and all(any(same_word(st, h) for st in said) for h in own)
