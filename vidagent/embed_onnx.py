"""A torch-free path for embedding short texts: MiniLM exported once to ONNX, run with onnxruntime.

Why: `vidagent search` and `ask` embed one query (and a few evidence lines); importing torch and
transformers for that costs ~3.5 s on 2 cores, onnxruntime + tokenizers ~0.2 s. The export happens
once, from the torch model the index run already loaded, into the cache folder ($VIDAGENT_CACHE, else
~/.cache/vidagent). Texts are run one at a time (no padding): that is the case the traced graph
reproduces exactly (tests check it against the torch path to 1e-5); batches go through torch.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .config import cpu_threads

_LOCK = threading.Lock()
EXPORT_VERSION = "1"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    return Path(os.environ.get("VIDAGENT_CACHE") or Path.home() / ".cache" / "vidagent")


def onnx_path(model_dir: str) -> Path:
    """Cache file name keyed by the weights (path, size, mtime) and our export version."""
    weights = Path(model_dir) / "model.safetensors"
    st = weights.stat() if weights.exists() else None
    key = f"{Path(model_dir).resolve()}:{st.st_size if st else 0}:{st.st_mtime_ns if st else 0}:{EXPORT_VERSION}"
    return cache_dir() / "minilm" / f"minilm-{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"


def export(model: Any, tokenizer: Any, path: Path) -> bool:
    """Trace the torch BertModel to ONNX at `path` (atomic); False when the `onnx` package is missing."""
    import importlib.util
    import warnings

    import torch

    if importlib.util.find_spec("onnx") is None:
        return False

    class _Hidden(torch.nn.Module):
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.m(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tokenizer(["a sample sentence for tracing"], return_tensors="pt")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Hidden(model).eval(),
            tuple(sample[k] for k in INPUTS),
            str(tmp),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, path)
    return True


class OnnxQueryEncoder:
    """onnxruntime session + fast tokenizer over an exported MiniLM; `encode(text)` -> unit vector."""

    def __init__(self, path: Path, model_dir: str, max_tokens: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        opts.intra_op_num_threads = cpu_threads()
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # see perception.ocr.no_spinning
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)

    def encode(self, text: str) -> np.ndarray:
        enc = self.tokenizer.encode(text)
        feed = {
            "input_ids": np.asarray([enc.ids], dtype=np.int64),
            "attention_mask": np.asarray([enc.attention_mask], dtype=np.int64),
            "token_type_ids": np.asarray([enc.type_ids], dtype=np.int64),
        }
        hidden = self.session.run(None, feed)[0][0]
        v = hidden.mean(axis=0)
        return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


def load(model_dir: str, max_tokens: int) -> OnnxQueryEncoder | None:
    """The encoder if its export is cached and onnxruntime/tokenizers import; else None."""
    path = onnx_path(model_dir)
    if not path.is_file():
        return None
    try:
        with _LOCK:
            return OnnxQueryEncoder(path, model_dir, max_tokens)
    except Exception:  # a damaged cache file or missing runtime: the torch path still works
        return None
