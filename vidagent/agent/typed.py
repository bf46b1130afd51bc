"""The question as typed, put as the question it is (`plain`): what users type is not always a question.

Spaces collapsed; a polite preamble dropped ("can you tell me who directed it?"); an indirect
question's order undone ("tell me who the lead artist was"); "tell me about V" asked as "what is V
about?"; an imperative asked ("name the person who directed it" -> "who directed it?"); a bare noun
phrase asked ("the director of Big Buck Bunny?"). The answerers' patterns are
written for questions. Pure, no models.
"""

from __future__ import annotations

import re

from .question import PERSON_NOUNS
from .words import stem

#: words before the question itself: "can you tell me who...", "I want to know what..."
_PREAMBLE = re.compile(
    r"^(?:(?:please|so|ok|okay|hey|hi|hello)\b[\s,]*)*(?:(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|show)\s+me|"
    r"i\s+(?:want|would\s+like|'d\s+like|wish|need)\s+to\s+know|do\s+you\s+know|(?:please\s+)?tell\s+me|"
    r"i\s+wonder|i\s+was\s+wondering)[\s,]+)?(?=(?:who|whom|what|which|when|where|why|how)\b)",
    re.IGNORECASE,
)
#: an indirect question's order, once its preamble is gone: "what the trailer is about" -> "what is ..."
_INDIRECT = re.compile(
    r"^(?P<wh>who|what|which|where|when|why|how(?:\s+(?:long|many|much|old|big))?)\s+(?!(?:is|are|was|were|do|does|did|can|has|have)\b)"
    r"(?P<np>(?:the|this|that|his|her|its|their|a|an)\s+[^?]+?)\s+(?P<aux>is|are|was|were)\b(?P<rest>[^?]*)\??$",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"^(?:tell\s+me|talk)\s+about\s+(?P<what>.+?)\s*[?.!]*$", re.IGNORECASE)
#: a question put as a noun phrase: "the director of Big Buck Bunny?", "licence of the film"
_PHRASE = re.compile(
    r"^(?:the\s+)?(?P<what>[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,2})\s+of\s+(?P<owner>.+?)\s*[?.!]*$", re.I
)
#: an imperative asking for a name or a value: "name the person who directed it", "tell me the producer of X"
_IMPERATIVE = re.compile(
    r"^(?:please\s+)?(?:name|identify|tell\s+me|give\s+me)\s+(?=(?:the|a|an)\s)"
    r"(?!(?:the|a|an)\s+(?:\w+\s+)?(?:summary|overview|outline|description|gist|recap|list|transcript)\b)",
    re.I,
)
#: "name the person who directed it" -> "who directed it?"; "name the company that rendered it" -> "which
#: company rendered it?"
_RELATIVE = re.compile(
    r"^(?:the|a|an)\s+(?P<noun>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+(?:who|that|which)\s+(?P<rest>.+?)\s*[?.!]*$", re.I
)
_NAME_OF = re.compile(r"^(?:what(?:'s|\s+is|\s+was)\s+)?the\s+name\s+of\s+(?P<np>(?:the|a|an)\s+.+)$", re.I)
_OPENS = re.compile(
    r"^(?:what|which)\s+(?P<noun>[a-z]+)\s+(?P<verb>opens|begins|starts|ends|closes|finishes)\s+(?P<rest>.+?)\s*[?.!]*$",
    re.I,
)
_ONLINE = re.compile(
    r"^where\s+(?:can|could|do|does|should|would)\s+(?:people|you|i|one|we|they|viewers|users|fans)\s+"
    r"(?:watch|see|find|get|download|buy|stream|visit)\s+(?P<x>.+?)\s+(?:online|on\s+the\s+(?:web|internet))\s*[?.!]*$",
    re.I,
)
_HOW_QUICK = re.compile(
    r"^how\s+(?:quick(?:ly)?|fast|soon)\s+(?:is\s+it\s+to|can\s+(?:you|i|one|we)|does\s+it\s+take\s+to)\s+(?P<act>.+)$",
    re.I,
)
_SOMEONE = frozenset("person people one man woman someone somebody individual".split())
_ASKING = frozenset(
    "who whom whose what which when where why how is are was were do does did can could will would has have "
    "list show give tell name find summarise summarize describe count".split()
)


def plain(question: str) -> str:
    """The question itself: spaces collapsed, a polite preamble dropped ("can you tell me who directed
    it?" -> "who directed it?"), a bare noun phrase asked ("the director of X?" -> "who is the director
    of X?"). The answerers' patterns are written for questions; users also type these."""
    q = " ".join(question.split())
    if (about := _ABOUT.match(q)) is not None:  # "tell me about the trailer"
        return f"what is {about.group('what')} about?"
    bare = _PREAMBLE.sub("", q)
    if bare != q and (ind := _INDIRECT.match(bare)) is not None:  # "... who the lead artist was"
        return f"{ind.group('wh')} {ind.group('aux')} {ind.group('np')}{ind.group('rest').rstrip(' .!')}?"
    q = bare
    if (opens := _OPENS.match(q)) is not None:  # "what title opens the video?": its opening title
        at = "opening" if opens.group("verb").lower() in ("opens", "begins", "starts") else "closing"
        return f"what is the {at} {opens.group('noun')} of {opens.group('rest')}?"
    if (online := _ONLINE.match(q)) is not None:  # "where can I watch the film online?": its website
        return f"what is the website of {online.group('x')}?"
    if (quick := _HOW_QUICK.match(q)) is not None:  # "how quick is it to get a license?": a duration
        return f"how long does it take to {quick.group('act').rstrip(' ?.!')}?"
    if (named := _NAME_OF.match(q)) is not None and _RELATIVE.match(named.group("np")) is not None:
        return _relative(named.group("np"))  # "what is the name of the project that presents it?"
    if (imp := _IMPERATIVE.match(q)) is not None:  # "name the person who ...", "tell me the name of ..."
        q = q[imp.end() :]
        if _RELATIVE.match(q) is not None:
            return _relative(q)
        if _PHRASE.match(q) is None:
            return f"{'who' if _personal(q.rstrip(' .!?').split()[-1]) else 'what'} is {q.rstrip(' .!?')}?"
    m = _PHRASE.match(q)
    if m and q.split()[0].lower() not in _ASKING:
        who = _personal(m.group("what").split()[-1])
        return f"{'who' if who else 'what'} is the {m.group('what')} of {m.group('owner')}?"
    return q


def _relative(q: str) -> str:
    """ "the person who directed it" -> "who directed it?"; "the company that rendered it" -> "which
    company rendered it?" (`q` matches `_RELATIVE`)."""
    rel = _RELATIVE.match(q)
    assert rel is not None
    noun = rel.group("noun")
    return f"{'who' if noun.lower() in _SOMEONE else 'which ' + noun} {rel.group('rest')}?"


def _personal(noun: str) -> bool:
    """Does the noun name a person by what they do ("director", "narrator", "artist")?"""
    head = noun.lower()
    return stem(head) in {stem(n) for n in PERSON_NOUNS} or head.endswith(("er", "or", "ist"))
