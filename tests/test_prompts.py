"""Prompt files: shipped and example prompts parse; rendering is strict and errors name the variable."""

from __future__ import annotations

import pytest

from vidagent.caption import check_prompt
from vidagent.errors import VidagentError
from vidagent.prompts import list_prompts, load_prompt

from .conftest import REPO


def test_shipped_and_example_prompts_load() -> None:
    names = {p.name for p in list_prompts()}
    assert {"caption", "dense"} <= names
    short = load_prompt(str(REPO / "examples" / "prompts" / "short.yaml"))
    assert short.ref == "short@1" and short.variables == ("style",)
    assert "one plain sentence" in check_prompt(
        str(REPO / "examples" / "prompts" / "short.yaml"), {"style": "plain"}
    ).template.replace("{style}", "plain")


def test_missing_and_unknown_variables_are_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    short = str(REPO / "examples" / "prompts" / "short.yaml")
    with pytest.raises(VidagentError, match="missing variable 'style'"):
        check_prompt(short, {})
    with pytest.raises(VidagentError, match="unknown variable 'mood'"):
        check_prompt(short, {"style": "plain", "mood": "x"})
    with pytest.raises(VidagentError, match="unknown variable 'duration'"):
        check_prompt("dense", {"duration": "4"})
    with pytest.raises(VidagentError, match="prompt file not found"):
        check_prompt(str(tmp_path / "nope.yaml"), {})
