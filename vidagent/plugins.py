"""Extension loading shared by every registry (describers, embedders, shot detectors).

Two ways in, both read once per process: `VIDAGENT_PLUGINS=pkg.module,other.module` (modules imported
for their `register_*` calls: handy for a local script) and installed packages' entry points in the
`vidagent.<kind>` groups (a name -> "module:attr" of a factory, resolved only when used).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from .errors import ConfigError

_LOADED = False
# Held while plugins load: the scene stage of one file and the describer of another run in threads,
# and a thread that saw "loaded" before the import finished would miss the plugin's names.
LOCK = threading.RLock()


def load_plugin_modules() -> None:
    """Import the modules named in VIDAGENT_PLUGINS (once); a missing one is a ConfigError."""
    global _LOADED
    with LOCK:
        if _LOADED:
            return
        _LOADED = True
        for module in filter(None, (m.strip() for m in os.environ.get("VIDAGENT_PLUGINS", "").split(","))):
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise ConfigError(f"VIDAGENT_PLUGINS: cannot import '{module}': {exc}") from None


def entry_point_targets(group: str) -> dict[str, str]:
    """name -> "module:attr" for every installed entry point of `group`."""
    return {ep.name: ep.value for ep in entry_points(group=group)}


def resolve(target: str | Callable[..., Any]) -> Callable[..., Any]:
    """A factory from a callable or a "module:attr" string (imported only now)."""
    if callable(target):
        return target
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise ConfigError(f"plugin target '{target}' is not callable")
    return obj
