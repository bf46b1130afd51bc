"""The QA evaluation set (benchmarks/data/qa.yaml) and how an answer is scored against it.

Right answer: one of the expected texts is contained in the answer (case, spacing, punctuation
ignored). Citation in window: a citation of the expected video overlaps one of the expected windows.
Absent questions are right only as "Not found" with no citations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..perception.layout import normalise


@dataclass
class QAItem:
    question: str
    answers: list[str] = field(default_factory=list)  # empty: the thing asked about is absent
    windows: list[tuple[str, float, float]] = field(default_factory=list)
    fast: bool = False

    @property
    def absent(self) -> bool:
        return not self.answers


def load(path: str | Path) -> tuple[list[str], list[QAItem]]:
    """(video paths relative to the corpus, items)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text())
    items = [
        QAItem(
            d["q"], list(d["answers"]), [(str(v), float(a), float(b)) for v, a, b in d["windows"]], bool(d.get("fast"))
        )
        for d in data.get("answerable") or []
    ]
    items += [QAItem(d["q"], fast=bool(d.get("fast"))) for d in data.get("absent") or []]
    return list(data.get("videos") or []), items


def score(item: QAItem, result: dict[str, Any]) -> dict[str, Any]:
    """right / cited_in_window / false_answer for one `ask --json` result."""
    found = bool(result.get("found"))
    cits = result.get("citations") or []
    if item.absent:
        return {"right": not found and not cits, "false_answer": found or bool(cits), "cited_in_window": False}
    answer = normalise(str(result.get("answer", "")))
    right = found and any(normalise(a) in answer for a in item.answers)
    in_window = any(
        Path(str(c["video"])).name == v and float(c["start"]) < b and float(c["end"]) > a
        for c in cits
        for v, a, b in item.windows
    )
    return {"right": right, "cited_in_window": in_window, "false_answer": False, "right_and_cited": right and in_window}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ans = [r for r in rows if not r["absent"]]
    absent = [r for r in rows if r["absent"]]
    pct = lambda n, d: round(100.0 * n / d, 1) if d else 0.0
    return {
        "answerable": len(ans),
        "absent": len(absent),
        "exact_answer_pct": pct(sum(r["right"] for r in ans), len(ans)),
        "right_and_cited_pct": pct(sum(r.get("right_and_cited", False) for r in ans), len(ans)),
        "citation_in_window_pct": pct(sum(r["cited_in_window"] for r in ans), len(ans)),
        "false_answers_on_absent": sum(r["false_answer"] for r in absent),
    }
