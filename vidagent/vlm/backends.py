"""The transformers backends: what differs per model family, and nothing else.

Each class names the model class its checkpoints load with, where its vision encoder lives, and its
frame conventions; `VLMDescriber` does the rest. The `make_*` factories are what `register_describer`
points at (called with the `DescribeConfig`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..errors import VidagentError, require
from ..types import Frame
from .base import VLMDescriber


class VideoLlava(VLMDescriber):
    """Video-LLaVA (LanguageBind/Video-LLaVA-7B-hf): CLIP-L/14 video tower, trained on 8 frames."""

    name: ClassVar[str] = "video-llava"
    licence: ClassVar[str] = "Apache-2.0 (code); model weights: see the checkpoint's card"
    frames_per_clip: ClassVar[int | None] = 8
    vision_attr: ClassVar[str] = "video_tower"

    def model_class(self, model_type: str) -> Any:
        return require("transformers", "vlm").VideoLlavaForConditionalGeneration


class LlavaOnevision(VLMDescriber):
    """LLaVA-OneVision and LLaVA-Video checkpoints (same class): SigLIP tower, 2x2-pooled video tokens."""

    name: ClassVar[str] = "llava-onevision"
    licence: ClassVar[str] = "Apache-2.0 (code); model weights: see the checkpoint's card"
    frames_per_clip: ClassVar[int | None] = 16
    vision_attr: ClassVar[str] = "vision_tower"

    def model_class(self, model_type: str) -> Any:
        return require("transformers", "vlm").LlavaOnevisionForConditionalGeneration


class QwenVL(VLMDescriber):
    """Qwen2.5-VL and Qwen3-VL (picked from the checkpoint's model_type); frame times go into the prompt."""

    name: ClassVar[str] = "qwen-vl"
    licence: ClassVar[str] = "Apache-2.0 (code); model weights: see the checkpoint's card"
    frames_per_clip: ClassVar[int | None] = 16
    min_frames: ClassVar[int] = 2  # temporal patch size: frames enter the tower in pairs
    vision_attr: ClassVar[str] = "visual"
    _CLASSES: ClassVar[dict[str, str]] = {
        "qwen2_5_vl": "Qwen2_5_VLForConditionalGeneration",
        "qwen3_vl": "Qwen3VLForConditionalGeneration",
        "qwen3_vl_moe": "Qwen3VLMoeForConditionalGeneration",
    }

    def model_class(self, model_type: str) -> Any:
        transformers = require("transformers", "vlm")
        name = self._CLASSES.get(model_type)
        if name is None or not hasattr(transformers, name):
            known = ", ".join(sorted(self._CLASSES))
            raise VidagentError(f"describer 'qwen-vl': checkpoint type '{model_type}' is not one of {known}")
        return getattr(transformers, name)

    def prepare_video(self, frames: list[Frame]) -> np.ndarray:
        video = np.stack([f.image for f in frames])
        if len(video) % 2:  # the processor pairs frames; repeat the last rather than drop it
            video = np.concatenate([video, video[-1:]])
        return video

    def processor_extra(self, clips: list[list[Frame]]) -> dict[str, Any]:
        return super().processor_extra([c + c[-1:] if len(c) % 2 else c for c in clips])

    def vision_weights(self, inputs: Any, clips: list[list[Frame]]) -> list[float]:
        return [float(g.prod()) for g in inputs["video_grid_thw"]]


class SmolVLM2(VLMDescriber):
    """SmolVLM2 (HuggingFaceTB/SmolVLM2-*-Video-Instruct): small SigLIP + SmolLM2, runs on CPU."""

    name: ClassVar[str] = "smolvlm2"
    licence: ClassVar[str] = "Apache-2.0"
    frames_per_clip: ClassVar[int | None] = 8
    vision_attr: ClassVar[str] = "vision_model"


def make_video_llava(config: Any = None) -> VideoLlava:
    return VideoLlava(config)


def make_llava_onevision(config: Any = None) -> LlavaOnevision:
    return LlavaOnevision(config)


def make_qwen_vl(config: Any = None) -> QwenVL:
    return QwenVL(config)


def make_smolvlm2(config: Any = None) -> SmolVLM2:
    return SmolVLM2(config)
