"""Help text a person reads: `--out OUT`, `PATHS...`, never Python types (`<list[str]>`, `{paths}`).

Typer derives metavars and argument labels from type hints; this walks the built command tree once
and gives every parameter that takes a value a plain upper-case name instead (click's own style).
Duck-typed on purpose: typer ships its own copy of click.
"""

from __future__ import annotations

from typing import Any


def _argument_names(p: Any, name: str) -> None:
    many = "..." if p.nargs != 1 else ""
    usage = f"{name}{many}" if p.required else f"[{name}]{many}"
    p._usage_display_name = lambda: usage
    p._rich_display_name = lambda: f"{name}{many}"
    p.display_type_rich = lambda ctx=None: ""
    p.make_metavar = lambda ctx=None: usage


def tidy(cmd: Any) -> Any:
    """Set friendly names on `cmd`'s parameters and all its subcommands' (in place); returns `cmd`."""
    for p in getattr(cmd, "params", []):
        if getattr(p, "is_flag", False) or getattr(p, "count", False):
            continue
        name = (p.name or "value").upper()
        if not hasattr(p, "is_flag"):  # an argument
            _argument_names(p, name)
        elif not p.metavar:
            p.metavar = name
    for sub in (getattr(cmd, "commands", None) or {}).values():
        tidy(sub)
    return cmd
