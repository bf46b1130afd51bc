"""ConSE: put an image into the text-embedding space through its classifier's label probabilities.

Norouzi et al. (2014): the image vector is the probability-weighted mean of the embeddings of its
top-T class names. With MiniLM as the text space, a clip's "visual" vector can be compared with a
text query ("a cup of coffee") and with other clips, without an image-text model. The 1000 label
phrases are embedded once per (tagger, embedder, template) and cached in memory and on disk.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

TEMPLATE = "a photo of a {label}"
TOP_T = 10

_LOCK = threading.Lock()
_MEMORY: dict[str, np.ndarray] = {}


def cache_dir() -> Path:
    """Where derived model data is kept: $VIDAGENT_CACHE, else ~/.cache/vidagent."""
    return Path(os.environ.get("VIDAGENT_CACHE") or Path.home() / ".cache" / "vidagent")


def _key(labels: list[str], tagger_id: str, embedder_id: str, template: str) -> str:
    blob = "\n".join([tagger_id, embedder_id, template, *labels]).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def label_embeddings(labels: list[str], embedder: Any, tagger_id: str, template: str = TEMPLATE) -> np.ndarray:
    """(len(labels), dim) float32 unit vectors of the label phrases, computed once and cached."""
    key = _key(labels, tagger_id, embedder.model_id, template)
    with _LOCK:
        if key in _MEMORY:
            return _MEMORY[key]
        safe_id = "".join(c if c.isalnum() else "-" for c in f"{tagger_id}_{embedder.model_id}")
        path = cache_dir() / "conse" / f"{safe_id}_{key}.npy"
        vecs: np.ndarray | None = None
        if path.is_file():
            try:
                loaded = np.load(path)
                if loaded.shape == (len(labels), embedder.dim):
                    vecs = loaded.astype(np.float32)
            except (OSError, ValueError):
                vecs = None  # a torn or stale file: recompute
        if vecs is None:
            vecs = embedder.embed_batch([template.format(label=lab) for lab in labels]).astype(np.float32)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npy")
                np.save(tmp, vecs)
                os.replace(tmp, path)
            except OSError:
                pass  # read-only home: memory cache only
        _MEMORY[key] = vecs
        return vecs


def conse_vectors(probs: np.ndarray, label_vecs: np.ndarray, top_t: int = TOP_T) -> np.ndarray:
    """Rows of class probabilities (N, C) -> L2-normalised text-space vectors (N, dim), float32."""
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float32))
    t = max(1, min(top_t, probs.shape[1]))
    idx = np.argpartition(-probs, t - 1, axis=1)[:, :t]
    weights = np.take_along_axis(probs, idx, axis=1)  # (N, T)
    vecs = np.einsum("nt,ntd->nd", weights, label_vecs[idx])
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return (vecs / np.maximum(norms, 1e-12)).astype(np.float32)


class ConSE:
    """A tagger's probabilities mapped into an embedder's space."""

    def __init__(self, labels: list[str], embedder: Any, tagger_id: str, top_t: int = TOP_T) -> None:
        self.labels = labels
        self.embedder = embedder
        self.tagger_id = tagger_id
        self.top_t = top_t

    @property
    def model_id(self) -> str:
        return f"conse{self.top_t}({self.tagger_id}->{self.embedder.model_id})"

    def label_vectors(self) -> np.ndarray:
        return label_embeddings(self.labels, self.embedder, self.tagger_id)

    def __call__(self, probs: np.ndarray) -> np.ndarray:
        return conse_vectors(probs, self.label_vectors(), self.top_t)
