"""The offline answerer with the real offline describer on the full Big Buck Bunny film (596 s).

The end credits read "...financial support of the Netherlands Film Fund, Digital Pioneers..."; the
question about the fund must be answered from that on-screen text with a verified citation inside the
credits, and a question about something absent must get an explicit "Not found".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vidagent.agent import ask

pytestmark = pytest.mark.slow


def test_fund_question_is_answered_from_the_credits(bbb_store: Path) -> None:
    result = ask("Which fund gave financial support to the film?", store=bbb_store)
    assert "Digital Pioneers" in result.answer, result.answer
    verified = [c for c in result.citations if c.verified]
    assert verified, result.steps
    assert any(c.start < 585 and c.end > 565 for c in verified), [c.to_json() for c in result.citations]


@pytest.mark.parametrize(
    "question", ["Which car brand is advertised on the billboard?", "What is the name of the spaceship's captain?"]
)
def test_absent_things_are_not_found(bbb_store: Path, question: str) -> None:
    result = ask(question, store=bbb_store)
    assert result.answer.startswith("Not found"), (result.answer, result.steps)
    assert result.citations == []
