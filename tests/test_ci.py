"""`.ci/run` itself: every step's failure fails CI, including pytest collecting no tests (exit 5).

Runs the real script in a scratch copy with stand-ins for python3/pip/ruff/mypy/pytest that record their
calls and exit with the code the test chooses (installing nothing)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

FAKE_PYTHON3 = """#!/usr/bin/env bash
# stands in for `python3 -m venv .venv`: makes a .venv whose tools log their calls and exit as told
mkdir -p .venv/bin
for tool in pip ruff mypy python; do
  cat > .venv/bin/$tool <<'EOT'
#!/usr/bin/env bash
name=$(basename "$0"); echo "$name $*" >> "$CI_LOG"
var="RC_$(echo "$name" | tr a-z A-Z)"; exit "${!var:-0}"
EOT
  chmod +x .venv/bin/$tool
done
"""


def _ci(tmp_path: Path, **codes: int) -> tuple[int, list[str]]:
    root = tmp_path / "repo"
    (root / ".ci").mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "run", root / ".ci" / "run")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").write_text(FAKE_PYTHON3)
    (bindir / "python3").chmod(stat.S_IRWXU)
    log = tmp_path / "calls.log"
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "CI_LOG": str(log),
        **{f"RC_{k.upper()}": str(v) for k, v in codes.items()},
    }
    rc = subprocess.run(["bash", str(root / ".ci" / "run")], env=env, capture_output=True, timeout=60).returncode
    return rc, log.read_text().splitlines() if log.exists() else []


def test_all_steps_run_in_order_and_pass(tmp_path: Path) -> None:
    rc, calls = _ci(tmp_path)
    assert rc == 0
    assert [c.split()[0] for c in calls] == ["pip", "ruff", "ruff", "mypy", "python"]
    assert calls[1] == "ruff check ." and calls[2] == "ruff format --check ." and calls[3] == "mypy vidagent"
    assert calls[4] == "python -m pytest"  # the README's command, verbatim


@pytest.mark.parametrize("tool", ["pip", "ruff", "mypy"])
def test_a_failing_step_fails_ci_before_the_tests(tmp_path: Path, tool: str) -> None:
    rc, calls = _ci(tmp_path, **{tool: 1})
    assert rc == 1 and not any(c.startswith("python -m pytest") for c in calls)


@pytest.mark.parametrize("code", [1, 5])
def test_pytest_failure_or_no_tests_collected_fails_ci(tmp_path: Path, code: int) -> None:
    rc, _ = _ci(tmp_path, python=code)
    assert rc == code
