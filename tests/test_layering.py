"""The package's shape: no module imports a later stage, and no import circle.

Stages in order (README "How it works"): a module may import its own layer and the layers before it,
never one after it. Lazy imports inside functions count too: they hide a dependency, not remove it.
Plugins and built-ins named by "module:attr" strings (describers, detectors) are not imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "vidagent.errors",
            "vidagent.types",
            "vidagent.config",
            "vidagent.prompts",
            "vidagent.plugins",
            "vidagent.safe_yaml",
            "vidagent.evidence",
            "vidagent.timefmt",
        ),
    ),
    ("video", ("vidagent.video",)),
    ("scenes", ("vidagent.scenes",)),
    ("clips", ("vidagent.clips",)),
    (
        "describe",
        (
            "vidagent.describe",
            "vidagent.inputs",
            "vidagent.binding",
            "vidagent.perception",
            "vidagent.vlm",
            "vidagent.embed",
            "vidagent.embed_onnx",
            "vidagent.signals",
        ),
    ),
    ("store", ("vidagent.store",)),
    (
        "execute",
        (
            "vidagent.stages",
            "vidagent.pipeline",
            "vidagent.lookahead",
            "vidagent.streaming",
            "vidagent.interrupts",
            "vidagent.report",
            "vidagent.caption",
            "vidagent.jobs",
            "vidagent.export",
            "vidagent.doctor",
            "vidagent.pruning",
            "vidagent.retrieve",
            "vidagent.textmatch",
            "vidagent.porter",
            "vidagent.labelmatch",
            "vidagent.querynouns",
            "vidagent.videolevel",
            "vidagent.evaluation",
            "vidagent.similarity",
            "vidagent.outputs",
            "vidagent.ray_executor",
            "vidagent.workers",
            "vidagent.chapters",
            "vidagent.timeline",
            "vidagent.player",
            "vidagent.watch",
        ),
    ),
    ("agent", ("vidagent.agent",)),
    ("api", ("vidagent.library", "vidagent.api")),
    ("serve", ("vidagent.serve",)),
    ("cli", ("vidagent.cli", "vidagent.__main__")),
]


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer): the longest matching prefix wins
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[0]):
                best = (len(p), i)
    return None if best is None else best[1]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((REPO / "vidagent").rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """vidagent modules imported anywhere in `module` (relative imports resolved, names mapped to modules)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found |= {n for n in names if n in known and n != module}
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: _imports(m, p, set(mods)) for m, p in mods.items()}


def test_every_module_has_a_layer() -> None:
    assert [m for m in _modules() if m != "vidagent" and _layer(m) is None] == []


def test_no_module_imports_a_later_stage() -> None:
    bad = []
    for mod, deps in _graph().items():
        if mod == "vidagent":  # the package root is the lazy facade over everything
            continue
        mine = _layer(mod)
        assert mine is not None
        for dep in sorted(deps):
            theirs = _layer(dep)
            if dep != "vidagent" and theirs is not None and theirs > mine:
                bad.append(f"{mod} ({LAYERS[mine][0]}) imports {dep} ({LAYERS[theirs][0]})")
    assert bad == []


def test_no_import_circle() -> None:
    graph = _graph()
    # Packages import their own submodules by design (__init__ re-exports); a circle is a submodule
    # importing back through another module to itself.
    edges = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert circles == []


def test_modules_stay_small() -> None:
    """~400 lines at most: a module past that is doing more than one job."""
    big = {m: n for m, p in _modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert big == {}


def test_agent_does_not_import_the_executor() -> None:
    graph = _graph()
    assert {
        m: sorted(d)
        for m, d in graph.items()
        if m.startswith("vidagent.agent") and d & {"vidagent.pipeline", "vidagent.stages"}
    } == {}
