"""`ask -v` shows the tool calls; `history --json` is parseable and holds every run completely (#17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import vidagent

from .clirun import vcli
from .conftest import make_video


def test_ask_verbose_and_history_json(tmp_path: Path, colour_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    v = make_video(tmp_path / "v.mp4", [("red", 2), ("blue", 2)])
    st = tmp_path / "st"
    vidagent.index(v, store=st, config=colour_config)
    code, out, _ = vcli(capsys, "ask", "what colour is the screen?", "-s", st, "-c", colour_config, "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["steps"]
    code, out, _ = vcli(capsys, "ask", "what colour is the screen?", "-s", st, "-c", colour_config, "-v")
    assert code == 0
    steps = [ln for ln in out.splitlines() if re.match(r"\s+step \d+: \w+\(", ln)]
    assert len(steps) == len(answer["steps"])
    assert steps[0].split(": ", 1)[1].startswith(answer["steps"][0]["tool"] + "(")
    code, plain, _ = vcli(capsys, "ask", "what colour is the screen?", "-s", st, "-c", colour_config)
    assert code == 0 and "step 1:" not in plain

    code, out, _ = vcli(capsys, "history", "-s", st, "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3
    first = rows[-1]  # newest first
    for k in ("question", "answer", "citations", "steps", "created", "mode", "elapsed_s", "error", "id"):
        assert k in first, k
    assert first["answer"] == answer["answer"] and first["citations"] == answer["citations"]
    assert [s["tool"] for s in first["steps"]] == [s["tool"] for s in answer["steps"]]
    code, out, _ = vcli(capsys, "history", "-s", tmp_path / "empty", "--json")
    assert code in (0, 1) and (code == 1 or json.loads(out) == [])
