"""Checked citations: a cited clip is re-queried with the question and kept only if its evidence
supports the answer. Shared by both answerers, so a chat model's citations get the same check as the
offline pipeline's.

Why word overlap and not a model: the check must work offline and be explainable. The describer's
re-query already filters by relevance to the question (the offline describer returns "" when nothing
in the clip is relevant; VLMs say "not in this clip"); overlap with the answer then ties that evidence
to the specific claim.
"""

from __future__ import annotations

import re
from typing import Any

from .answer import Citation
from .tools import Toolbox

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
    return str(content.get("answer") or "")


def supports(evidence: str, claim: str) -> bool:
    """Does re-queried evidence back a claim? Non-empty, not a refusal, shares a content word."""
    if not evidence.strip() or _NEGATIVE.match(evidence):
        return False
    want = words(claim)
    return not want or bool(want & words(evidence))


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
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id}, "result": "kept unverified: "
                              + (result.get("error") or "describer cannot be re-queried")})
            continue
        evidence = evidence_text(result)
        if supports(evidence, claim):
            out.append(Citation(row["video"], float(row["start"]), float(row["end"]), clip_id, evidence, True))
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id}, "result": "verified"})
        else:
            box.steps.append({"tool": "verify", "args": {"clip_id": clip_id},
                              "result": f"dropped: evidence does not support the claim ({evidence[:120]!r})"})
    return out
