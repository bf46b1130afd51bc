"""The word tables and the crude stemmer the offline answerer reads questions and evidence with:
stopwords, related words (funded <-> financial support, wrote <-> writer / script), number words and
colour names. Pure, no models; kept apart from question analysis so each stays small.
"""

from __future__ import annotations

import re
from pathlib import Path

STOP = set(
    # prepositions that relate the words asked about ("licensed UNDER Creative Commons") are not asked
    # about themselves; those of time and place that change what is asked (after, behind) stay
    "under over through across among along upon via within toward towards".split()
    + [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "not",
        "no",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "does",
        "do",
        "did",
        "done",
        "it",
        "its",
        "there",
        "their",
        "they",
        "he",
        "she",
        "his",
        "her",
        "you",
        "your",
        "we",
        "our",
        "i",
        "me",
        "my",
        "any",
        "some",
        "clip",
        "clips",
        "video",
        "videos",
        "scene",
        "film",
        "movie",
        "show",
        "shows",
        "shown",
        "say",
        "says",
        "said",
        "saying",
        "seen",
        "see",
        "screen",
        "answer",
        "question",
        "tell",
        "name",
        "named",
        "called",
        # verbs naming the act of communicating ("what does the form ASK about...", "what does it TELL"):
        # the medium, not the content asked about
        "ask",
        "asks",
        "asked",
        "tells",
        "told",
        "talk",
        "talks",
        "talking",
        "speak",
        "speaks",
        "speaking",
        "discuss",
        "discusses",
        "someone",
        "somebody",
        "anyone",
        "mentions",
        "contain",
        "contains",
        "include",
        "includes",
        "feature",
        "features",
        "call",
        "calls",
        "many",
        "much",
        "please",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "has",
        "have",
        "had",
        "about",
        "into",
        "onto",
        "out",
        "up",
        "as",
        "gave",
        "give",
        "given",
        "gives",
        "get",
        "got",
        "trailer",
        "describe",
        "described",
        "describes",
        "according",
        "mentioned",
        "mention",
        "displayed",
        "appear",
        "appears",
        "appeared",
        "visible",
        "written",
        "i'm",
        "i've",
        "i'd",
        "it's",
        "that's",
        "hi",
        "hello",
        # hearing is the medium, as seeing is ("whose voice do we HEAR?")
        "hear",
        "hears",
        "heard",
    ]
)
# Word families a stemmer cannot join (different roots, or a role and the thing done). General
# vocabulary of credits, captions and talk, not tied to any video.
_RELATED = [
    {"fund", "financ", "sponsor", "grant", "back"},  # not "support": web support is no funding
    {"writ", "wrote", "script", "story", "screenplay", "author"},
    {"animat", "anim"},
    {"rig"},
    {"direct", "director"},
    {"produc", "producer"},
    {"compos", "music", "score", "soundtrack"},
    {"sound", "audio", "foley", "mix"},
    {"col", "colour", "color", "grad"},
    {"edit"},
    {"design"},
    {"render"},
    {"softwar", "develop", "program", "code"},
    {"thank", "grate", "acknowledg", "support"},  # credits thank "with the support of"
    {"cost", "pric", "fre", "charg", "fee", "pay", "paid"},
    {"lead", "head", "chief", "main"},
    {"artist", "art"},
    {"film", "movie", "picture"},
    {"host", "present", "speak"},
    {"narrat", "voic", "voiceov"},  # the voice heard is the narrator's
    {"locat", "place", "where", "citi", "town"},
    {"compani", "studio", "organ", "firm", "institut", "foundat"},
    {"hardwar", "workstat", "machin", "comput"},
    {"work", "job", "employ", "occupat", "profess", "career", "lectur", "teach"},
]
_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ers",
    "ors",
    "ist",
    "ists",
    "ions",
    "ion",
    "ed",
    "er",
    "or",
    "es",
    "s",
    "ly",
    "ial",
    "y",
    "e",
)
_NUMBER_WORDS = set(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "dozen",
    ]
)
COLOURS = set(
    [
        "red",
        "orange",
        "yellow",
        "green",
        "blue",
        "purple",
        "violet",
        "pink",
        "brown",
        "black",
        "white",
        "grey",
        "gray",
        "silver",
        "gold",
    ]
)


# British and American spellings of one word are one word: a question about the film's "licence" finds
# "LICENSED AS CREATIVE COMMONS". Each rule needs enough letters before it that short words keep their
# own ("four", "hour", "rise", "fence", "rogue"); applied to both sides, it only has to be consistent.
_SPELLINGS = (
    (re.compile(r"(?<=\w{3})our(?=s$|ed$|ing$|ite$|ites$|able$|er$|ers$|ful$|$)"), "or"),  # colour, favourite
    (re.compile(r"(?<=\w{2})is(e|es|ed|ing|er|ers|ation|ations)$"), r"iz\1"),  # organise(d), realisation
    (re.compile(r"(?<=\w{2})ys(e|es|ed|ing)$"), r"yz\1"),  # analyse
    (re.compile(r"(?<=\w{2})enc(e|es|ed|ing)$"), r"ens\1"),  # licence(d), defence
    (re.compile(r"(?<=\w{2})([tb])re(s?)$"), r"\1er\2"),  # centre(s), theatre, fibre
    (re.compile(r"(?<=\w{4})ogue(s?)$"), r"og\1"),  # catalogue, dialogue
    (re.compile(r"^grey"), "gray"),
)


def us_spelling(word: str) -> str:
    """The American spelling of a lower-case word where a British one differs by rule ("licence" -> "license")."""
    for rx, repl in _SPELLINGS:
        word = rx.sub(repl, word)
    return word


_POSSESSIVE = re.compile(r"(?<=\w)['’]s?$")


def stem(word: str) -> str:
    """Crude English stem: lower case, American spelling, one common suffix stripped
    (animated/animation/animator -> animat)."""
    w = us_spelling(_POSSESSIVE.sub("", word.lower()))  # "Bunny's" is "bunny"
    for suf in _SUFFIXES:
        if len(w) - len(suf) >= 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "aeiou":  # rigged -> rigg -> rig
        w = w[:-1]
    return w


# What the one-suffix stemmer can leave of a suffix: "workstations" -> "workst" but "workstat" is a
# stem too. Two stems are one word when the longer is the shorter plus such a remnant; any other tail
# makes another word ("anim" + "al" is animal, not animation; "compos" + "it" is compositing, not composed).
_REMNANTS = frozenset(s[:i] for s in _SUFFIXES for i in range(1, len(s) + 1))


def same_word(a: str, b: str) -> bool:
    """Are two stems forms of one word: equal, or one the other plus a suffix remnant (3+ letters)?"""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and long_.startswith(short) and long_[len(short) :] in _REMNANTS


def family(word: str) -> set[str]:
    """The stem of a word plus the stems of related words."""
    s = stem(word)
    out = {s}
    for group in _RELATED:
        if any(same_word(s, g) for g in group):
            out |= group
    return out


_VIDEO_WORDS = frozenset("video film movie clip trailer lecture recording footage talk".split())


def file_name_words(path: str) -> list[str]:
    """The words of a video's file name, lower case ("psychopy_testMovie.mp4" -> psychopy, testmovie): a
    question naming them is about that video. The parts of a joined word of 4+ letters count too
    ("kivy_cityCC0" -> city: "the city video"), but not a video noun ("testMovie" is not "the movie")."""
    stem = Path(path).stem
    words = re.findall(r"[a-z0-9]+", stem.lower())
    for joined in re.findall(r"[A-Za-z0-9]+", stem):
        parts = [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", joined)]
        if len(parts) > 1:
            words += [p for p in parts if len(p) >= 4 and p.isalpha() and p not in _VIDEO_WORDS and p not in words]
    return words


def tokens(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'&.-]*[A-Za-z0-9]|[A-Za-z0-9]", text)


_URL = re.compile(r"^(https?:|www\.)|\.(org|com|net|edu|gov|io)(/|$)", re.IGNORECASE)


def content_stems(text: str) -> set[str]:
    """Stems of the content words; a web address also counts as the words that name one."""
    out = set()
    for w in tokens(text):
        if w.lower() in STOP or len(w) < 2:
            continue
        out.add(stem(w))
        if _URL.search(w):
            out |= {"websit", "site", "url", "web", "address", "link"}
    return out
