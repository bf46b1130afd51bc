"""The answer both answerers return: text, citations whose timestamps come from the store, and steps.

Kept free of LangChain so the CLI, the history table and tests can use it without loading the agent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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

    @property
    def found(self) -> bool:
        return bool(self.citations) and not self.answer.startswith("Not found")

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "citations": [c.to_json() for c in self.citations], "steps": self.steps,
                "question": self.question, "mode": self.mode, "elapsed_s": round(self.elapsed_s, 3),
                "error": self.error}


def fmt_time(t: float) -> str:
    """m:ss.s (h:mm:ss.s past an hour), as printed next to citations."""
    m, s = divmod(max(t, 0.0), 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}" if h else f"{m:d}:{s:04.1f}"
