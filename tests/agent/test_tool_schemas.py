"""The LangChain argument schemas are written out by hand (with field descriptions for the model): they
must name exactly the parameters of the typed tool methods they stand for."""

from __future__ import annotations

import inspect
from pathlib import Path

from vidagent.agent.tools import TOOL_NAMES, Toolbox, langchain_tools
from vidagent.config import load_settings
from vidagent.store import Store


def test_schemas_match_the_methods(tmp_path: Path) -> None:
    with Store(tmp_path / "st") as st:
        box = Toolbox(st, load_settings(None))
        tools = {t.name: t for t in langchain_tools(box)}
    assert tuple(tools) == TOOL_NAMES
    for name, tool in tools.items():
        params = inspect.signature(getattr(Toolbox, name)).parameters
        method = {p: (v.default is inspect.Parameter.empty) for p, v in params.items() if p != "self"}
        fields = tool.args_schema.model_fields  # type: ignore[union-attr]
        schema = {f: info.is_required() for f, info in fields.items()}
        assert schema == method, name
