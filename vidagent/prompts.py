"""Prompts are versioned YAML files (name, version, variables, template), rendered strictly.

A prompt's name and version enter the description key, so editing a prompt file without bumping its
version is the one way to get stale captions: `vidagent prompts` shows the version next to each name.
Rendering is pure: a missing or unknown variable is an error that names it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def prompt_dirs() -> list[Path]:
    """Where shipped prompts live: inside the wheel (`vidagent/_prompts`) or the checkout's `prompts/`."""
    return [d for d in (_PACKAGE / "_prompts", _PACKAGE.parent / "prompts") if d.is_dir()]


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: str
    variables: tuple[str, ...]
    description: str = ""
    path: str = ""

    @property
    def ref(self) -> str:
        """`name@version`, as recorded with every description made from it."""
        return f"{self.name}@{self.version}"


def _fields(template: str) -> list[str]:
    names = []
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            if not field.isidentifier():
                raise ConfigError(f"prompt template field '{{{field}}}' must be a plain name")
            names.append(field)
    return names


def parse_prompt(path: Path) -> Prompt:
    from .safe_yaml import load_file

    data = load_file(path, "prompt file")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a prompt file is a mapping with name, version, template")
    unknown = set(data) - {"name", "version", "template", "variables", "description"}
    if unknown:
        raise ConfigError(f"{path}: unknown prompt key '{sorted(unknown)[0]}'")
    for key in ("name", "version", "template"):
        if key not in data:
            raise ConfigError(f"{path}: prompt is missing '{key}'")
    declared = tuple(str(v) for v in (data.get("variables") or ()))
    used = _fields(str(data["template"]))
    undeclared = [f for f in used if f not in declared]
    if undeclared:
        raise ConfigError(f"{path}: template uses undeclared variable '{undeclared[0]}'")
    return Prompt(
        name=str(data["name"]),
        version=str(data["version"]),
        template=str(data["template"]).strip(),
        variables=declared,
        description=str(data.get("description", "")),
        path=str(path),
    )


def list_prompts() -> list[Prompt]:
    """Shipped prompts, first directory wins for a name."""
    seen: dict[str, Prompt] = {}
    for d in prompt_dirs():
        for p in sorted(d.glob("*.yaml")):
            prompt = parse_prompt(p)
            seen.setdefault(prompt.name, prompt)
    return sorted(seen.values(), key=lambda p: p.name)


def load_prompt(name_or_path: str) -> Prompt:
    """A shipped prompt by name, or a user's prompt file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise ConfigError(f"{candidate}: prompt file not found")
        return parse_prompt(candidate)
    for prompt in list_prompts():
        if prompt.name == name_or_path:
            return prompt
    names = ", ".join(p.name for p in list_prompts()) or "none"
    raise ConfigError(f"unknown prompt '{name_or_path}' (shipped: {names}; or give a path to a .yaml file)")


def render(prompt: Prompt, **variables: Any) -> str:
    """Fill the template; every declared variable must be given and nothing else."""
    missing = [v for v in prompt.variables if v not in variables]
    if missing:
        raise ConfigError(f"prompt '{prompt.ref}': missing variable '{missing[0]}'")
    unknown = [v for v in variables if v not in prompt.variables]
    if unknown:
        raise ConfigError(f"prompt '{prompt.ref}': unknown variable '{unknown[0]}'")
    return prompt.template.format(**variables)
