"""The command line: parse, call the library, print. Our errors become one line and exit code 1.

Command modules register on `app`; none of them imports a heavy library at import time, so
`vidagent --help` stays fast.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from ..errors import VidagentError, debug, one_line, ordinary

app = typer.Typer(
    name="vidagent",
    help="Find moments in long videos by describing them, caption them in bulk, and ask questions "
    "answered with timestamps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _Format(logging.Formatter):
    """`vidagent: message` for warnings (what a user reads); level and logger name when verbose."""

    def __init__(self, verbose: bool) -> None:
        super().__init__("vidagent: %(levelname)s %(name)s: %(message)s" if verbose else "vidagent: %(message)s")


class _Handler(logging.StreamHandler):
    """The CLI's stderr handler (its own class, so configuring twice replaces it instead of doubling)."""


def configure_logging(verbosity: int = 0) -> None:
    """Library logs to stderr: warnings by default, -v info, -vv (or VIDAGENT_DEBUG=1) debug."""
    level = logging.DEBUG if verbosity >= 2 or debug() else logging.INFO if verbosity == 1 else logging.WARNING
    handler = _Handler(sys.stderr)
    handler.setFormatter(_Format(level < logging.WARNING))
    root = logging.getLogger("vidagent")
    root.handlers = [h for h in root.handlers if not isinstance(h, _Handler)]
    root.addHandler(handler)
    root.setLevel(level)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"vidagent {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="more log output on stderr (-v info, -vv debug)")
    ] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """Find moments in long videos by describing them, caption them in bulk, and ask questions answered with
    timestamps."""
    configure_logging(verbose)


# Registration by import: each module adds its commands to `app`.
from . import core as _core  # noqa: E402,F401
from . import ask as _ask  # noqa: E402,F401
from . import caption as _caption  # noqa: E402,F401
from . import maintenance as _maintenance  # noqa: E402,F401
from . import evaluate as _evaluate  # noqa: E402,F401
from . import serve as _serve  # noqa: E402,F401
from . import similar as _similar  # noqa: E402,F401
from . import workflow as _workflow  # noqa: E402,F401


def main() -> None:
    """Entry point: run the app, turning expected errors into one line on stderr."""
    try:
        from typer.main import get_command

        from .helptext import tidy

        tidy(get_command(app))(prog_name="vidagent")
    except VidagentError as exc:
        if debug():
            raise
        print(f"vidagent: error: {one_line(exc)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("vidagent: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # disk full, read-only, damaged store: their own line; else a bug
        if debug():
            raise
        known = ordinary(exc)
        if known is not None:
            print(f"vidagent: error: {one_line(known)}", file=sys.stderr)
            sys.exit(1)
        print(f"vidagent: internal error: {one_line(exc)} (set VIDAGENT_DEBUG=1 for a traceback)", file=sys.stderr)
        sys.exit(1)
