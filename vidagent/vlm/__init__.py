"""Vision-language models as describers: transformers backends (Video-LLaVA, LLaVA-OneVision, Qwen-VL,
SmolVLM2) and any OpenAI-compatible server.

Importing this package is cheap: torch, transformers and httpx load only when a model is first used,
so `vidagent models` can list these without them installed.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "VLMDescriber": "vidagent.vlm.base",
    "select_frames": "vidagent.vlm.base",
    "clip_prompt": "vidagent.vlm.base",
    "VLMOptions": "vidagent.vlm.options",
    "frame_budget": "vidagent.vlm.options",
    "VideoLlava": "vidagent.vlm.backends",
    "LlavaOnevision": "vidagent.vlm.backends",
    "QwenVL": "vidagent.vlm.backends",
    "SmolVLM2": "vidagent.vlm.backends",
    "OpenAIDescriber": "vidagent.vlm.openai_http",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'vidagent.vlm' has no attribute '{name}'")
