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

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["start"], d["end"] = round(self.start, 3), round(self.end, 3)
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
    notes: list[str] = field(default_factory=list)  # said to the user, not part of the answer

    @property
    def found(self) -> bool:
        return bool(self.citations) and not self.answer.startswith("Not found")

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "citations": [c.to_json() for c in self.citations], "steps": self.steps,
                "question": self.question, "mode": self.mode, "elapsed_s": round(self.elapsed_s, 3),
                "error": self.error}


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
    r"there is no|the clip does not|unknown|n/a)", re.IGNORECASE)


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


def check(box: "Toolbox", question: str, claims: list[tuple[str, str]]) -> list[Citation]:
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
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id}, "result": "kept unverified: "
                              + (result.get("error") or result.get("note") or "describer cannot be re-queried")})
            continue
        evidence = evidence_text(result)
        if supports(evidence, claim):
            out.append(Citation(row["video"], float(row["start"]), float(row["end"]), clip_id, str(evidence), True))
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id}, "result": "verified"})
        else:
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id},
                              "result": f"dropped: evidence does not support the claim ({evidence[:120]!r})"})
    return out
