"""Running `vidagent` commands in-process for the VLM end-to-end tests (a plain module, imported by name)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHOTS = [("red", 2.0), ("blue", 2.0), ("green", 2.0)]


def cli(*args: str, ok_codes: tuple[int, ...] = (0,)) -> Any:
    """Run one `vidagent` command; any exception that is not an exit is an internal error and fails."""
    from typer.testing import CliRunner

    import vidagent.describe as describe_mod
    from vidagent.cli import app

    for key in [k for k in describe_mod._INSTANCES if k[0] == "describer"]:
        del describe_mod._INSTANCES[key]
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"internal error in `vidagent {' '.join(args)}`") from result.exception
    assert result.exit_code in ok_codes, f"vidagent {' '.join(args)} -> {result.exit_code}: {result.output}"
    return result


def cli_json(*args: str) -> Any:
    return json.loads(cli(*args, "--json").stdout)


def write_config(path: Path, describer: str, options: dict[str, Any]) -> Path:
    cfg = {
        "describe": {"describer": describer, "batch_size": 2, "frame_width": 64, "options": options},
        "clips": {"min_duration": 1.0, "max_duration": 10.0},
    }
    path.write_text(json.dumps(cfg))  # JSON is YAML
    return path
