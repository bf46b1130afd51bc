"""The answer both answerers return (text, citations with store timestamps, steps) and the citation check.

Checked citations: a cited clip is re-queried with the question and kept only if its evidence supports
the answer. Both answerers use `check`, so a chat model's citations get the same test as the offline
pipeline's. Why word overlap and not a model: the check must work offline and be explainable. The
describer's re-query already filters by relevance to the question (the offline describer returns ""
when nothing in the clip is relevant; VLMs say "not in this clip"); overlap with the claim then ties
that evidence to what is being claimed.

Kept free of LangChain so the CLI, the history table and tests can use it without loading the agent.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..evidence import EvidenceText, from_json

if TYPE_CHECKING:
    from .tools import Toolbox

NOT_FOUND = "Not found: nothing in the indexed videos shows or says what answers this question."


@dataclass
class Citation:
    """One clip backing the answer. `start`/`end` are read from the store, never from model text.

    `verified` is True when the clip was re-queried with the question and its evidence supports the
    answer; False when it could not be re-queried (a describer that cannot answer questions, or the
    video file is gone). Citations whose re-queried evidence does not support the answer are dropped.
    """

    video: str
    start: float
    end: float
    clip_id: str
    evidence: str
    verified: bool
    kind: str = ""  # on screen / said / seen
    clip_start: float | None = None
    clip_end: float | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["start"], d["end"] = round(self.start, 3), round(self.end, 3)
        for k in ("clip_start", "clip_end"):
            d[k] = None if d[k] is None else round(d[k], 3)
        return d


@dataclass
class Answer:
    """What `ask` returns and `vidagent history` shows."""

    question: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    mode: str = ""
    elapsed_s: float = 0.0
    error: str = ""
    evidence: str = ""  # the line or sentence the answer was read from, quoted
    query: dict[str, Any] = field(default_factory=dict)  # the question analysis (offline answerer)
    notes: list[str] = field(default_factory=list)  # said to the user, not part of the answer

    @property
    def found(self) -> bool:
        return bool(self.citations) and not self.answer.startswith("Not found")

    @property
    def verified(self) -> bool:
        return self.found and any(c.verified for c in self.citations)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "found": self.found,
            "verified": self.verified,
            "answer": self.answer,
            "evidence": self.evidence,
            "citations": [c.to_json() for c in self.citations],
            "query": self.query,
            "steps": self.steps,
            "mode": self.mode,
            "elapsed_s": round(self.elapsed_s, 3),
            "error": self.error,
            "notes": list(self.notes),
        }


def fmt_time(t: float) -> str:
    """H:MM:SS.mmm, the one time format of every output (`vidagent.timefmt`)."""
    from ..timefmt import fmt_time as _fmt

    return _fmt(t)


# -- checked citations ----------------------------------------------------------------------------
_STOP = set(
    "a an the is are was were be been being of in on at to for from by with and or not no this that these "
    "those what which who whom whose when where why how does do did it its there their they he she his her "
    "you your we our i me my any some clip clips video videos scene film movie show shows shown say says "
    "said seen screen answer question".split()
)
_NEGATIVE = re.compile(
    r"^\s*(not in this clip|no\b|none\b|nothing\b|i (do not|don't|cannot|can't) (see|tell|find)|"
    r"there is no|the clip does not|unknown|n/a)",
    re.IGNORECASE,
)


def words(text: str) -> set[str]:
    """Content words (lower case, 3+ characters, no stop words)."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}


def evidence_text(result: dict[str, Any]) -> str:
    """The describer's re-query answer from an inspect_clip result ("" for none or an error)."""
    if "error" in result:
        return ""
    content = result.get("content") or {}
    structured = from_json(content.get("evidence"))
    if structured is not None:
        return EvidenceText(structured)  # kinds from the fields they were read from, never re-parsed
    return str(content.get("answer") or "")


def supports(evidence: str, claim: str) -> bool:
    """Does re-queried evidence back a claim? Non-empty, not a refusal, shares a content word."""
    if not evidence.strip() or _NEGATIVE.match(evidence):
        return False
    want = words(claim)
    return not want or bool(want & words(evidence))


def span_text(store: Any, clip_id: str, start: float, end: float) -> str:
    """All text the store holds for a clip between two times: text boxes read on frames in the span
    (stored and re-queried), and speech (stored transcript and re-queried words) overlapping it."""
    from ..types import TextBox

    rows = store.active_rows(clip_ids=[clip_id])
    if not rows:
        return ""
    row = rows[0]
    boxes = store.evidence.boxes(int(row["description_id"]))
    for payload in store.evidence.cached_for(clip_id, "ocr-dense"):
        boxes += [TextBox(*b) for b in payload]
    for payload in store.evidence.cached_for(clip_id, "ocr-vote"):
        boxes += [TextBox(*b) for b in payload.get("boxes", [])]  # answer lines re-read cropped and enlarged
    parts = [b.text for b in boxes if start - 1e-3 <= b.time <= end + 1e-3]
    if not boxes:
        parts += list(row["ocr"])  # a store from before text boxes: the clip's lines, no positions
    segs = [tuple(x) for t in store.transcripts_of(row["video_hash"]) for x in ((s.start, s.end, s.text) for s in t)]
    for payload in store.evidence.cached_for(clip_id, "speech-words"):
        segs += [tuple(x) for x in payload.get("segments", [])]
    parts += [str(t) for a, b, t in segs if float(b) > start and float(a) < end]
    return "\n".join(parts)


def verify_text(store: Any, clip_id: str, answer: str, start: float, end: float) -> bool:
    """True when the answer text (all its parts, for a list of names) is in the cited span re-read from the store."""
    from ..perception.layout import normalise

    have = normalise(span_text(store, clip_id, start, end))
    parts = [normalise(p) for p in answer.split(", ")]
    return bool(have) and all(p and p in have for p in parts)


def cite_span(box: Toolbox, span: Any) -> Citation:
    """A composed span as a citation (a `compose.Span`: its clip, window, evidence and medium),
    verified when the span re-read from the store holds its answer text; the decision is a step."""
    import os

    args: dict[str, Any] = {"clip_id": span.clip.clip_id, "answer": span.answer}
    if not os.path.exists(span.clip.video):
        # Answered from what the store holds, but the frames can no longer be looked at again.
        ok, said = False, "kept unverified: the video file is gone (answered from stored evidence)"
    else:
        ok = verify_text(box.store, span.clip.clip_id, span.answer, span.start, span.end)
        said = "verified" if ok else "not verified: the span re-read does not contain it"
        args.update(start=round(span.start, 3), end=round(span.end, 3))
    box.steps.append({"tool": "verify", "args": args, "result": said})
    c = span.clip
    return Citation(c.video, span.start, span.end, c.clip_id, span.evidence, ok, span.medium, c.start, c.end)


def check(box: Toolbox, question: str, claims: list[tuple[str, str]]) -> list[Citation]:
    """Verify (clip_id, claim) pairs; returns citations with store timestamps, dropping unsupported ones.

    A clip that cannot be re-queried (describer without `ask`, file moved) is kept as unverified with
    its stored description as evidence; an unknown clip id is dropped. Each decision is a step.
    """
    out: list[Citation] = []
    seen: set[str] = set()
    for clip_id, claim in claims:
        if clip_id in seen:
            continue
        seen.add(clip_id)
        row = box.row(clip_id)
        if row is None:
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id}, "result": "dropped: unknown clip id"})
            continue
        result = box.call("inspect_clip", clip_id=clip_id, question=question)
        if "error" in result or not result.get("requeried"):
            stored = " ".join(x for x in [row["caption"], *row["ocr"], row["transcript"]] if x)
            cit = Citation(row["video"], float(row["start"]), float(row["end"]), clip_id, stored[:500], False)
            out.append(cit)
            box.steps.append(
                {
                    "tool": "verify",
                    "args": {"clip_id": clip_id},
                    "result": "kept unverified: "
                    + (result.get("error") or result.get("note") or "describer cannot be re-queried"),
                }
            )
            continue
        evidence = evidence_text(result)
        start, end = float(row["start"]), float(row["end"])
        if claim.strip() and verify_text(box.store, clip_id, claim.strip(), start, end):
            # The claimed text itself is in what the store holds for this clip (re-read, not trusted).
            out.append(Citation(row["video"], start, end, clip_id, claim.strip(), True))
            box.steps.append(
                {
                    "tool": "verify",
                    "args": {"clip_id": clip_id},
                    "result": "verified: the claim's text is in the clip's stored evidence",
                }
            )
        elif supports(evidence, claim):
            out.append(Citation(row["video"], float(row["start"]), float(row["end"]), clip_id, str(evidence), True))
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id}, "result": "verified"})
        else:
            box.steps.append(
                {
                    "tool": "verify",
                    "args": {"clip_id": clip_id},
                    "result": f"dropped: evidence does not support the claim ({evidence[:120]!r})",
                }
            )
    return out
