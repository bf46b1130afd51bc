"""CLIP-family image-text embedders for users who bring weights: keyframes and queries in one space.

`embed.visual: clip` with `embed.visual_model` = a Hugging Face id or a local folder of a
transformers `CLIPModel` or `SiglipModel` checkpoint (openai/clip-vit-base-patch32,
google/siglip-base-patch16-224, LanguageBind's CLIP-architecture image tower...), or
`open_clip:<arch>/<pretrained>` when open_clip is installed. A clip's vector is the normalised mean of
its keyframes' image embeddings; a query is embedded by the text tower and searched in the same space.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import VidagentError, require

_LOCK = threading.Lock()
_SHARED: dict[str, ClipEmbedder] = {}


def space_name(model: str) -> str:
    """The store's vector-space name for a checkpoint (a local folder is named by its last part)."""
    return "clip:" + os.path.basename(os.path.normpath(model)) if os.path.isdir(model) else f"clip:{model}"


class ClipEmbedder:
    """Image and text towers of one CLIP-family checkpoint on CPU (or `device`)."""

    def __init__(self, model: str, device: str | None = None) -> None:
        self.model_name = model
        self.device = device or "cpu"
        self._model: Any = None
        self._processor: Any = None
        self._open_clip: Any = None

    @classmethod
    def shared(cls, model: str) -> ClipEmbedder:
        with _LOCK:
            if model not in _SHARED:
                _SHARED[model] = cls(model)
            return _SHARED[model]

    @property
    def space(self) -> str:
        return space_name(self.model_name)

    def load(self) -> None:
        if self._model is not None:
            return
        with _LOCK:
            if self._model is not None:
                return
            if self.model_name.startswith("open_clip:"):
                oc = require("open_clip", "clip")
                arch, _, pretrained = self.model_name.removeprefix("open_clip:").partition("/")
                model, _, preprocess = oc.create_model_and_transforms(arch, pretrained=pretrained or None)
                self._open_clip = (oc.get_tokenizer(arch), preprocess)
                self._model = model.eval().to(self.device)
                return
            tf = require("transformers", "clip")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            tf.utils.logging.disable_progress_bar()
            try:
                config = tf.AutoConfig.from_pretrained(self.model_name)
                kind = getattr(config, "model_type", "")
                cls = {
                    "clip": tf.CLIPModel,
                    "siglip": tf.SiglipModel,
                    "siglip2": getattr(tf, "Siglip2Model", None),
                }.get(kind)
                if cls is None:
                    raise VidagentError(
                        f"embed.visual_model '{self.model_name}': model type '{kind}' is not "
                        "a CLIP or SigLIP checkpoint"
                    )
                self._processor = tf.AutoProcessor.from_pretrained(self.model_name)
                self._model = cls.from_pretrained(self.model_name).eval().to(self.device)
            except VidagentError:
                raise
            except Exception as exc:  # noqa: BLE001 - any loader failure is one line naming the setting
                raise VidagentError(
                    f"embed.visual_model '{self.model_name}': cannot load ({' '.join(str(exc).split())[:200]})"
                ) from None

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(len(images), dim) unit vectors."""
        import torch
        from PIL import Image

        self.load()
        pil = [Image.fromarray(np.ascontiguousarray(im[:, :, :3])) for im in images]
        with torch.inference_mode():
            if self._open_clip is not None:
                x = torch.stack([self._open_clip[1](p) for p in pil]).to(self.device)
                feats = self._model.encode_image(x)
            else:
                batch = self._processor(images=pil, return_tensors="pt").to(self.device)
                feats = _as_tensor(self._model.get_image_features(**batch))
        return _unit(feats)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        self.load()
        with torch.inference_mode():
            if self._open_clip is not None:
                feats = self._model.encode_text(self._open_clip[0](list(texts)).to(self.device))
            else:
                # SigLIP was trained on max_length padding; CLIP pads to the longest text.
                padding = "max_length" if "Siglip" in type(self._model).__name__ else True
                batch = self._processor(text=list(texts), return_tensors="pt", padding=padding, truncation=True).to(
                    self.device
                )
                feats = _as_tensor(self._model.get_text_features(**batch))
        return _unit(feats)

    def clip_vectors(self, frames_per_clip: Sequence[Sequence[np.ndarray]]) -> list[np.ndarray | None]:
        """One vector per clip: the normalised mean of its keyframes' image vectors (None without frames)."""
        flat = [im for frames in frames_per_clip for im in frames]
        if not flat:
            return [None for _ in frames_per_clip]
        vecs = self.embed_images(flat)
        out: list[np.ndarray | None] = []
        pos = 0
        for frames in frames_per_clip:
            n = len(frames)
            if n == 0:
                out.append(None)
                continue
            mean = vecs[pos : pos + n].mean(0)
            pos += n
            out.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32))
        return out


def _as_tensor(out: Any) -> Any:
    """transformers 5 may return a model output where 4.x returned the pooled tensor."""
    if hasattr(out, "pooler_output") and out.pooler_output is not None:
        return out.pooler_output
    return out


def _unit(feats: Any) -> np.ndarray:
    arr = feats.float().cpu().numpy()
    return (arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)).astype(np.float32)
