"""The one YAML loader for files users hand to vidagent: settings (--config), job files, prompt files.

Why not plain `yaml.safe_load`: it is safe from code execution but not from size. A 622-byte file of
nested aliases ("billion laughs") expands to billions of values when it is validated, printed or
hashed, so `vidagent batch` spent 24 s and 1.9 GB on one and aborted on the next level. Here:

- the file may be at most `MAX_BYTES`;
- aliases are allowed (anchors are handy in settings) but the document, with every alias expanded,
  may hold at most `MAX_NODES` values; a recursive alias is refused;
- nesting deeper than `MAX_DEPTH` is refused (the parser itself recurses).

Each refusal is one line naming the file and the reason.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, one_line, printable

MAX_BYTES = 1 << 20  # settings, jobs and prompts are a few KB; a megabyte is generous
MAX_NODES = 100_000  # values after expanding aliases
MAX_DEPTH = 64

#: every refusal in this process (the test run reports how many bombs were stopped)
REJECTED: list[str] = []


class YamlRefused(ConfigError):
    """A YAML file that is too big, too deep or expands too far."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts nesting while composing."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise YamlRefused(f"nesting deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _expanded_size(root: Any, limit: int) -> int:
    """Count values as if every alias were copied out, stopping past `limit`; refuses recursion."""
    count = 0
    # Iterative, with the current path's ids to spot a structure containing itself.
    stack: list[tuple[Any, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        count += 1
        if count > limit:
            return count
        if isinstance(node, (dict, list)):
            if id(node) in on_path:
                raise YamlRefused("a recursive alias (a value that contains itself)")
            on_path.add(id(node))
            stack.append((node, True))
            children = list(node.keys()) + list(node.values()) if isinstance(node, dict) else node
            stack.extend((c, False) for c in children)
    return count


def load_text(text: str, source: str) -> Any:
    """Parse YAML text with the limits above; `source` names the file in errors."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        REJECTED.append(source)
        raise YamlRefused(
            f"{printable(source)}: larger than {MAX_BYTES // 1024} KB; not a settings, job or prompt file"
        )
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        n = _expanded_size(data, MAX_NODES)
    except YamlRefused as exc:
        REJECTED.append(source)
        raise YamlRefused(f"{printable(source)}: refused: {exc}") from None
    except RecursionError:
        REJECTED.append(source)
        raise YamlRefused(f"{printable(source)}: refused: nesting too deep") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{printable(source)}: not valid YAML: {one_line(exc, with_type=False)}") from None
    if n > MAX_NODES:
        REJECTED.append(source)
        raise YamlRefused(
            f"{printable(source)}: refused: expands to more than {MAX_NODES:,} values (nested "
            "aliases, a 'billion laughs' file?)"
        )
    return data


def load_file(path: str | os.PathLike[str], what: str = "file") -> Any:
    """Read and parse a YAML file with the limits above; a missing file is a one-line error too."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise ConfigError(f"{printable(p)}: not a regular file")
        if size > MAX_BYTES:
            REJECTED.append(str(p))
            raise YamlRefused(f"{printable(p)}: larger than {MAX_BYTES // 1024} KB; not a {what}")
        with open(p, encoding="utf-8") as f:
            text = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{printable(p)}: {what} not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{printable(p)}: not a text file (not UTF-8)") from None
    except OSError as exc:
        raise ConfigError(f"{printable(p)}: cannot be read ({exc.strerror})") from None
    return load_text(text, str(p))
