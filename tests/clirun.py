"""Run `vidagent` in this process through its real entry point (`vidagent.cli.main`), so error
handling is what a user sees: one line on stderr, an exit code, no traceback."""

from __future__ import annotations

import os
import sys
from typing import Any

from .conftest import count


def vcli(capsys: Any, *args: object) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `vidagent ARGS`; counts any internal error for the figures."""
    from vidagent.cli import main

    old_argv, old_debug = sys.argv, os.environ.pop("VIDAGENT_DEBUG", None)
    sys.argv = ["vidagent", *map(str, args)]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old_argv
        if old_debug is not None:
            os.environ["VIDAGENT_DEBUG"] = old_debug
    out, err = capsys.readouterr()
    if "internal error" in err or "Traceback" in err:
        count("internal errors")
    return code, out, err


def one_error_line(err: str) -> str:
    """The single `vidagent: error:` line of stderr (asserts there is exactly one, and no traceback)."""
    lines = [ln for ln in err.splitlines() if ln.startswith("vidagent: error:")]
    assert len(lines) == 1, err
    assert "internal error" not in err and "Traceback" not in err, err
    return lines[0]
