"""Shared fixtures: the tiny checkpoints, built once per session, and a registry-style describer factory."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from vidagent.config import DescribeConfig  # noqa: E402


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("transformers")
    import tiny_models

    return tiny_models.build_all(tmp_path_factory.mktemp("tiny-vlm"))


@pytest.fixture(scope="session")
def make_describer(tiny_dirs: dict[str, Path]) -> Callable[..., Any]:
    """Build a describer exactly as the registry would: factory(DescribeConfig)."""
    from vidagent.describe import registered_describers, resolve

    def build(name: str, batch_size: int = 4, **options: Any) -> Any:
        if name not in tiny_dirs:
            pytest.skip(f"{name}: its processor's dependencies are not installed")
        opts = {"model": str(tiny_dirs[name]), "max_new_tokens": 5, **options}
        config = DescribeConfig(describer=name, batch_size=batch_size, options=opts)
        return resolve(registered_describers()[name].target)(config)

    return build


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Derived caches (the offline describer's ConSE label vectors, in the mixed-store tests) stay out of
    the user's home during tests."""
    import os

    if "VIDAGENT_CACHE" not in os.environ:
        os.environ["VIDAGENT_CACHE"] = str(tmp_path_factory.mktemp("vidagent-cache"))
