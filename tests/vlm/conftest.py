"""Shared fixtures: the tiny checkpoints (built once per session) and synthetic clips."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from vidagent.config import DescribeConfig  # noqa: E402
from vidagent.types import Clip, ClipInput, Frame, VideoInfo  # noqa: E402

BACKENDS = ["video-llava", "llava-onevision", "qwen-vl", "smolvlm2"]


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("transformers")
    pytest.importorskip("num2words")  # SmolVLMProcessor needs it
    import tiny_models

    return tiny_models.build_all(tmp_path_factory.mktemp("tiny-vlm"))


def make_items(n: int, frames: int = 8, seed: int = 0, size: tuple[int, int] = (64, 64)) -> list[ClipInput]:
    """`n` 2-second clips with `frames` random RGB frames each, spaced 0.25 s apart."""
    rng = np.random.default_rng(seed)
    video = VideoInfo("v.mp4", "vh", 1, 60.0, 25.0, size[1], size[0], "h264", 1500)
    items = []
    for i in range(n):
        clip = Clip(f"clip{i}", "vh", i, 2.0 * i, 2.0 * i + 2.0, ())
        imgs = [Frame(2.0 * i + 0.25 * k, rng.integers(0, 256, (*size, 3), dtype=np.uint8)) for k in range(frames)]
        items.append(ClipInput(clip=clip, video=video, frames=imgs))
    return items


@pytest.fixture(scope="session")
def make_describer(tiny_dirs: dict[str, Path]) -> Callable[..., Any]:
    """Build a describer exactly as the registry would: factory(DescribeConfig)."""
    from vidagent.describe import registered_describers, resolve

    def build(name: str, batch_size: int = 4, **options: Any) -> Any:
        opts = {"model": str(tiny_dirs[name]), "max_new_tokens": 5, **options}
        config = DescribeConfig(describer=name, batch_size=batch_size, options=opts)
        return resolve(registered_describers()[name].target)(config)

    return build
