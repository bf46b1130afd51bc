"""The offline answer composer: candidate answer spans from a clip's evidence, ranked, or nothing.

Spans come from on-screen text read with its layout (table rows "NAME | Role", a label with the value
on the line under it, single lines, "Label: value"), from transcript sentences, and from tags only
when the question asks what is shown. Each span has a short answer, the evidence line it was read
from, and a narrow time (the frames showing it, or the words saying it).

Ranking: MiniLM cosine of the question with the span's evidence, plus how many of the question's
focus words (with their word families) the label side covers, plus answer-type fit (a name for
"who", a number for "how many", an organisation for "which fund"). Abstention is the default: a span
answers only when it covers the focus, fits the type, and the answer itself is not just the focus
repeated back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..perception.layout import STACK_GAP, Line, continues, frame_lines, normalise, pairs, same_text
from ..types import Segment, TextBox
from . import question as qn
from .fit import extract, name_scope, names_another, precision, type_fit
from .polarity import setting_words
from .question import Query, coverage, matched, matches
from .said import sentences, whole_sentences, word_window
from .words import content_stems, file_name_words, stem

MIN_COVER = 0.5  # share of focus words the span's label/context must cover
MIN_SIM = 0.15  # MiniLM cosine floor of question vs evidence
MIN_SCORE = 0.75
CONTEXT_DISCOUNT = 0.25  # coverage lost when the focus is met only with the sentence before
COVER_WEIGHT = 0.6  # score weight of focus coverage ...
RARE_SHARE = 0.5  # ... of which this share is rarity-weighted coverage
CONFIDENT = 1.0  # coverage of a stored span under which the top clips are still re-read ...
LABELLED = 0.5  # ... unless a typed value sits under a label made only of the question's words
#: share of an answer's words the question holds above which a value covering the question only echoes
#: it ("Director" for "who is the director?"); "Digital Pioneers fund" says more than "financial support"
ECHO = 0.5
TYPED = ("person", "maker", "org", "number", "price", "time", "duration", "colour", "name", "place")


@dataclass
class ClipEvidence:
    """Everything known about one retrieved clip, with positions: boxes, speech (words when re-read)."""

    clip_id: str
    video: str
    video_hash: str
    start: float
    end: float
    boxes: list[TextBox] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # stored lines, used when no boxes are stored
    speech: list[Segment] = field(default_factory=list)
    words: list[tuple[float, float, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = "stored"
    tag_scores: list[tuple[str, float]] = field(default_factory=list)  # the labels with their probabilities
    misread: set[str] = field(default_factory=set)  # its on-screen texts with a word mended (`mend`), as mended

    def text(self) -> str:
        """Every line read and sentence said in the clip, as one text (what a name may be met in)."""
        return " ".join([b.text for b in self.boxes] + list(self.lines) + [seg.text for seg in self.speech])


@dataclass
class Span:
    answer: str
    evidence: str
    label: str
    kind: str  # row, stack, line, said, seen
    clip: ClipEvidence
    start: float
    end: float
    score: float = 0.0
    detail: dict[str, float] = field(default_factory=dict)
    # the sentence said just before (who "we" is) or the section heading over a label: coverage only
    context: str = ""
    reverse: bool = False  # a stacked pair read upwards: the upper line is the value

    @property
    def medium(self) -> str:
        return {"said": "said", "seen": "seen"}.get(self.kind, "on screen")

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "evidence": self.evidence,
            "kind": self.kind,
            "clip_id": self.clip.clip_id,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 3),
            "source": self.clip.source,
            **{k: round(v, 3) for k, v in self.detail.items()},
        }


def seen_window(ev: ClipEvidence, text: str, pad: float = 0.5) -> tuple[float, float]:
    """First to last time a text is on screen in this clip (from the boxes), padded; else the clip."""
    times = [b.time for b in ev.boxes if same_text(b.text, text) or normalise(text) in normalise(b.text)]
    if not times:
        return ev.start, ev.end
    return max(ev.start, min(times) - pad), min(ev.end, max(times) + pad)


def candidates(query: Query, clips: list[ClipEvidence]) -> list[Span]:
    """Every span the evidence offers for this question type (unscored)."""
    out: list[Span] = []
    for ev in clips:
        # Layout per frame on every box read (frames are not mixed); spans are then de-duplicated by text.
        seen_lines: set[str] = set()
        seen_pairs: set[tuple[str, str, str]] = set()
        for fl in frame_lines(ev.boxes):
            found = pairs(fl)
            values = {p.second for p in found if p.kind == "stack"}
            for p in found:
                # A pair reads either way: NAME | Role, Role | NAME; a stacked label is the upper line
                # ("NARRATOR / Sara Kraft") or the lower ("THE PEACH OPEN MOVIE PROJECT / PRESENTS").
                for ans, label in ((p.second, p.first), (p.first, p.second)):
                    up = p.kind == "stack" and label != p.first
                    if up and p.first in values:
                        continue  # a value of the label above it ("Enrico Valenza" over the next heading)
                    ctx = _heading(fl, label) if p.kind == "stack" and not up else ""
                    pk = (normalise(ans), normalise(label), normalise(ctx))  # a heading read right on one frame
                    if pk in seen_pairs:
                        continue
                    seen_pairs.add(pk)
                    a, b = seen_window(ev, ans)
                    out.append(Span(ans, p.text, label, p.kind, ev, a, b, context=ctx, reverse=up))
            for ln in _unwrap(fl):
                key = normalise(ln.text)
                if key in seen_lines:
                    continue
                seen_lines.add(key)
                a, b = seen_window(ev, ln.cells[0])
                out.extend(_line_spans(query, ln.text, ev, a, b))
        if not ev.boxes:
            for line in ev.lines:
                out.extend(_line_spans(query, line, ev, ev.start, ev.end))
            for label, value in zip(ev.lines, ev.lines[1:], strict=False):
                out.append(Span(value, f"{label} / {value}", label, "stack", ev, ev.start, ev.end))
        before = ""
        for seg in whole_sentences(ev.speech):
            sents = sentences(seg)
            # The whole segment too: "Hi, I'm John Pearce. I'm a lecturer..." answers "who is the lecturer".
            whole = [seg] if len(sents) > 1 and query.answer_type in TYPED else []
            for sent in sents + whole:
                ans = extract(query, sent.text) if query.answer_type in TYPED else sent.text
                if ans:
                    a, b = word_window(ev.words, ev.start, ev.end, sent, ans) if ev.words else (seg.start, seg.end)
                    out.append(Span(ans, sent.text, sent.text, "said", ev, a, b, context=before))
                if sent is not seg:
                    before = sent.text
        if query.qtype == "shown":
            # A question asking for a kind of thing ("which bird?") is answered by a sure label of that
            # kind (`visual.seen_kind`, before composing) or not by a label at all.
            tags = [] if query.kind else ev.tags
            out.extend(Span(tag, tag, tag, "seen", ev, ev.start, ev.end) for tag in tags)
    return out


HEADING_LINES = 10  # how far up (lines) a sub-heading's section heading is looked for


def _heading(fl: list[Line], label: str) -> str:
    """The section heading a sub-heading sits under: the nearest single-cell line above it that starts
    further left ("BLENDER INSTITUTE STAFF" over an indented "FINANCES" / "Anja Vugts-Verstappen")."""
    at = next((i for i, ln in enumerate(fl) if ln.text == label), None)
    if at is None:
        return ""
    for ln in reversed(fl[max(0, at - HEADING_LINES) : at]):
        if len(ln.cells) == 1 and ln.x0 < fl[at].x0 - 0.015:
            return ln.text
    return ""


def _unwrap(fl: list[Line]) -> list[Line]:
    """A frame's lines with wrapped sentences joined: a single-cell line starting in lower case, right
    under a single-cell line, continues it ("And all Creative Commons" / "supporters, large and small.")."""
    out: list[Line] = []
    for ln in fl:
        prev = out[-1] if out else None
        if (
            prev is not None
            and continues(ln.text)
            and len(ln.cells) == len(prev.cells) == 1
            and ln.y0 - prev.y1 < STACK_GAP * max(prev.height, ln.height, 1e-3)
        ):
            out[-1] = replace(prev, cells=(f"{prev.text} {ln.text}",), x1=max(prev.x1, ln.x1), y1=ln.y1)
        else:
            out.append(ln)
    return out


def _line_spans(query: Query, line: str, ev: ClipEvidence, a: float, b: float) -> list[Span]:
    spans = []
    if ":" in line:
        label, _, value = line.partition(":")
        if value.strip() and label.strip():
            spans.append(Span(value.strip(), line, label.strip(), "row", ev, a, b))
    ans = extract(query, line) if query.answer_type in TYPED else line
    if ans:
        spans.append(Span(ans, line, line, "line", ev, a, b))
    return spans


def _in_clip(query: Query, ev: ClipEvidence) -> bool:
    """Does the clip's text (lines read, sentences said) name what the attribute belongs to?"""
    return matches(query.scope, content_stems(ev.text()))


def _holds_attr(query: Query, s: Span) -> bool:
    """Does the span (its label, context or answer) hold the attribute asked for?"""
    return matches(query.attr, content_stems(f"{s.context} {s.label} {s.answer}"))


def rank(query: Query, spans: list[Span], embed: Any) -> list[Span]:
    """Scored spans that pass every gate, best first."""
    if not spans or not (query.focus or query.scoped):
        return []
    # Coverage first (cheap, no model): only spans that address the question are embedded.
    scoped: dict[str, bool] = {}  # per clip: does its text name the attribute's owner (read once per clip)

    def in_clip(ev: ClipEvidence) -> bool:
        if ev.clip_id not in scoped:
            scoped[ev.clip_id] = _in_clip(query, ev)
        return scoped[ev.clip_id]

    names = qn.names_in(query)
    words_of: dict[str, set[str]] = {}  # per clip: its words, for a name spelt near ("Pearce" / "Pierce")

    def clip_words(ev: ClipEvidence) -> set[str]:
        if ev.clip_id not in words_of:
            words_of[ev.clip_id] = content_stems(ev.text())
        return words_of[ev.clip_id]

    concepts = query.concepts()
    names_met = name_scope(query, names, [sp.clip for sp in spans], clip_words)

    def share(fams: list[set[str]]) -> float:  # the share of the question's concepts these families are
        return sum(sum(query.families[i] in fams for i in g) / len(g) for g in concepts) / len(concepts)

    setting = _setting(query)
    covered = []
    # per span: concepts met, the context discount, and whether the asked noun was left out
    hits: dict[int, tuple[list[bool], float, bool]] = {}
    for s in spans:
        # A sentence said is said by the speaker: "the speaker" / "the narrator" in a question is covered.
        text = s.label + (" speaker narrator" if s.kind == "said" else "")
        cov, headless = qn.cover(query, text, s.label, names) if query.focus else (1.0, False)
        hits[id(s)] = (matched(query, text) if query.focus else [], 0.0, headless)
        if s.context:
            # "Creative Commons. We provide free licenses": the sentence before says who "we" is; what
            # only the context covers counts for less than what the span says itself.
            wide, bare = qn.cover(query, f"{s.context} {text}", f"{s.context} {s.label}", names)
            if wide - CONTEXT_DISCOUNT > cov:
                cov = wide - CONTEXT_DISCOUNT
                hits[id(s)] = (matched(query, f"{s.context} {text}"), CONTEXT_DISCOUNT, bare)
        if query.scope and query.focus and not matches(query.scope, content_stems(text)) and in_clip(s.clip):
            # "the license of Big Buck Bunny": a line of the clip that names the film puts the span in scope
            cov += 1 / len(concepts)
        # What the span says beyond the asked noun: "STUDIO SOFTWARE" only repeats "which company".
        beyond, away = coverage(query, f"{s.context} {text}", skip_head=True), 0.0
        said = content_stems(f"{s.context} {text}")
        rest = [f for f in query.families if f not in names]
        needed = [f for f in rest if not f & query.head]  # the asked noun need not be said ("subject")
        if names and rest and all(matches(f, said) for f in needed or rest):
            # "which fund supported Big Buck Bunny?": a credit line under the film's title names the fund;
            # when the span says all the rest, the name met elsewhere in the clip counts, less than in the
            # span (as the context does); not for a span that says only part of the rest ("Blender
            # Foundation" is no answer to "which studio rendered Big Buck Bunny?")
            away = share([f for f in names if not matches(f, said) and qn.named_in(f, clip_words(s.clip))])
            cov = max(cov, cov + away - CONTEXT_DISCOUNT)
        if setting and not all(matches(f, said) for f in setting):
            # "do you give up your copyright with a Creative Commons license?": the closing setting may be
            # shown or said elsewhere in the clip ("creative commons" on screen), counted as context is
            around = share([f for f in setting if not matches(f, said) and matches(f, clip_words(s.clip))])
            cov = max(cov, cov + around - CONTEXT_DISCOUNT)
        if (
            query.head
            and not (beyond or away or qn.names_head(query, said))
            and any(not f & query.head for f in query.families)
        ):
            continue  # the asked kind met only through a related word ("STUDIO ..." for "which company")
        if names and needed and not any(matches(f, said) for f in needed):
            continue  # only the name asked about ("BIG BUCK BUNNY HAS BEEN REALISED"): nothing of what is asked
        if names and rest and s.kind not in ("row", "stack") and not any(matches(f, said) for f in rest):
            continue  # a line saying only the names is no answer to "which licence does Big Buck Bunny use?"
        if query.qtype == "shown" and s.kind == "seen":
            cov = max(cov, 0.5)
        # a span missing a name the question holds is about someone else (Pierce lectures at Nottingham);
        # a name is met by the span, its clip, the video's file name or another clip read of that video
        said |= set(file_name_words(s.clip.video))
        beside = len(query.excluded & clip_words(s.clip)) >= math.ceil(len(query.excluded) * 2 / 3)
        if cov >= MIN_COVER and names_met(s, said) and beside:  # "besides X": where X is, not X
            covered.append((s, cov))
    if query.attr and (query.scope or any(_holds_attr(query, s) for s, _ in covered)):
        # "what is the license of Big Buck Bunny?": spans holding "license" answer; one that only names
        # the film ("BIG BUCK BUNNY HAS BEEN REALISED / WITH THE FINANCIAL SUPPORT FROM") does not, also
        # when no span holds it ("what is the budget of Big Buck Bunny?")
        covered = [(s, c) for s, c in covered if _holds_attr(query, s)]
    rare = _rarity(query, [hits[id(s)][0] for s, _ in covered])
    texts = sorted({s.evidence for s, _ in covered})
    if not texts:
        return []
    qv = embed.embed_batch([query.text])[0]
    # Batches of <= 64 keep the embedder on its light ONNX path (no torch import in `ask`).
    vecs = [v for i in range(0, len(texts), 64) for v in embed.embed_batch(texts[i : i + 64])]
    sim = {t: float(v @ qv) for t, v in zip(texts, vecs, strict=True)}
    kept = []
    asked = {re.sub(r"\W", "", w.lower()) for w in query.focus}
    asked |= {w[:-1] for w in asked if w.endswith("s")}  # "websites": a "web site" label is still the echo
    for s, cov in covered:
        cov_ans = coverage(query, s.answer, skip_head=True)
        fit = type_fit(query, s.answer)
        sm = sim[s.evidence]
        prec = precision(query, s.label) if s.kind in ("row", "stack") else 0.0
        s.detail = {"similarity": sm, "coverage": cov, "type_fit": fit, "label_precision": prec}
        if s.kind in ("row", "stack") and (
            (cov_ans >= cov and precision(query, s.answer) >= ECHO) or normalise(s.answer) == normalise(s.label)
        ):
            continue  # the answer side repeats the question: this is the label, not the value
        if s.kind in ("row", "stack") and names_another(query, s.label, s.answer):
            continue
        if query.excluded and len(query.excluded & content_stems(s.answer)) * 2 >= len(query.excluded):
            continue  # "who else ... besides the Hewlett Foundation?": not the Hewlett Foundation
        if s.reverse and (cov_ans > 0 or (query.head and matches(query.head, content_stems(s.label)))):
            # an upper line holding the question's words is its heading ("BLENDER INSTITUTE STAFF"); a lower
            # one holding the asked noun names it ("Peach Project presents" for "which project ...?")
            continue
        if (
            s.kind in ("line", "said")
            and query.answer_type in TYPED
            and cov_ans > 0
            and normalise(s.answer) == normalise(s.evidence)
        ):
            continue
        if s.kind in ("line", "said") and query.qtype != "yes_no" and precision(query, s.answer) >= 0.999:
            continue  # every word of it is in the question: it repeats the question (a yes/no one it confirms)
        if s.kind == "seen" and re.sub(r"\W", "", s.answer.lower()) in asked:
            continue  # the label is the thing asked about ("what website is shown?" -> "web site")
        if (sm < MIN_SIM and cov < 1.0) or (query.answer_type in TYPED and fit < 0.5) or fit == 0.0:
            continue
        named = bool(query.words & set(file_name_words(s.clip.video)))
        s.detail["video_named"] = float(named)
        # "...according to the trailer": a question naming the video's file prefers that video.
        met, discount, headless = hits[id(s)]
        # the asked noun, when left out of the coverage (`question.cover`), is out of the sum too
        counted = [m or not (headless and f & query.head) for f, m in zip(query.families, met, strict=True)]
        whole = sum(w for w, c in zip(rare, counted, strict=True) if c) or 1.0
        wcov = max(0.0, sum(w for w, m in zip(rare, met, strict=True) if m) / whole - discount)
        s.detail["rare_coverage"] = wcov
        s.score = (
            sm + COVER_WEIGHT * ((1 - RARE_SHARE) * cov + RARE_SHARE * wcov) + 0.4 * fit + 0.3 * prec + 0.3 * named
        )
        if s.score >= MIN_SCORE:
            kept.append(s)
    kept.sort(key=lambda s: (-s.score, s.start))
    return kept


def confident(query: Query, top: Span) -> bool:
    """Does the top span answer without re-reading the clips? When it covers the whole question, or
    when it is a typed value that fits the type under a label made only of the question's words
    ("Software Developer" for "who was the software developer on the team?", "HARDWARE PROVIDED BY")."""
    d = top.detail
    if any(m in top.label or m in top.context for m in top.clip.misread):
        return False  # read from a line with a misread word read as the question's ("RENDER WRANGUER"): re-read
    if d.get("coverage", 0.0) >= CONFIDENT:
        return True
    return (
        query.answer_type in TYPED
        and top.kind in ("row", "stack")
        and d.get("type_fit", 0.0) >= 1.0
        and d.get("coverage", 0.0) >= LABELLED
        and d.get("label_precision", 0.0) >= 0.99
    )


def _rarity(query: Query, met: list[list[bool]]) -> list[float]:
    """Weight of each focus concept: rare among the candidate spans counts more (IDF). Why: in "what
    does Creative Commons provide?" every line of the promo says "Creative Commons"; only the spans
    that also say "provide" tell the answers apart."""
    n = len(met)
    return [math.log((n + 1) / (sum(m[i] for m in met) + 0.5)) + 0.1 for i in range(len(query.families))]


def best(query: Query, ranked: list[Span], margin: float = 0.05, most: int = 6) -> tuple[str, list[Span]]:
    """(answer text, supporting spans): the top span, joined with other values under the same label in
    the same clip (several names under one credit heading)."""
    if not ranked:
        return "", []
    top = ranked[0]
    group = [top]
    if top.kind in ("stack", "row"):
        for s in ranked[1:]:
            if (
                s.clip.clip_id == top.clip.clip_id
                and s.kind == top.kind
                and same_text(s.label, top.label)
                and s.score >= top.score - margin
                and not any(same_text(s.answer, g.answer) for g in group)
            ):
                group.append(s)
            if len(group) >= most:
                break
    return ", ".join(s.answer for s in group), group


def _setting(query: Query) -> list[set[str]]:
    """The focus families of a yes/no question's closing phrase of setting (`polarity.setting_words`)."""
    if query.qtype != "yes_no":
        return []
    words = {stem(w) for w in setting_words(query.text)}
    return [f for f in query.families if matches(f, words)]
