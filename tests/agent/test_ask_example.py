"""examples/ask.py end to end on the sign store: a readable answer with its citations, never a repr."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from ..conftest import REPO

# Run the example as __main__ with the test describer registered (test-sign lives in tests/agent/conftest).
RUNNER = (
    "import sys, runpy, tests.agent.conftest; path = sys.argv[1]; sys.argv = sys.argv[1:]; "
    "runpy.run_path(path, run_name='__main__')"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(REPO / "examples" / "ask.py"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ask_example_prints_answer_and_citations(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store
    res = _run("Which fund supported the film?", "--store", str(store), "--config", str(cfg))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "Blue Pioneers Fund" in lines[0] and "Answer(" not in res.stdout and "Citation(" not in res.stdout
    cited = [ln for ln in lines if ln.startswith("  [verified]")]
    assert len(cited) == 1
    assert re.search(r"signs\.mp4  0:02\.00-0:05\.00  \[\w+\]$", cited[0]), cited[0]

    as_json = _run("Which fund supported the film?", "--store", str(store), "--config", str(cfg), "--json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["answer"] == "\n".join(lines[: len(lines) - len(cited)])
    assert [(c["start"], c["end"], c["verified"]) for c in data["citations"]] == [(2.0, 5.0, True)]
    assert data["citations"][0]["clip_id"] in cited[0]


def test_ask_example_on_a_missing_store_fails_with_one_line(tmp_path: Path) -> None:
    res = _run("anything?", "--store", str(tmp_path / "nowhere"))
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0 and "no vidagent store here" in res.stderr
    assert not (tmp_path / "nowhere").exists()
