"""Backend settings read from `describe.options`, validated once, plus device/dtype/memory decisions.

Every option a VLM takes is parsed here so that a typo ("dtyp") fails at start-up naming the key, not
an hour into indexing, and so `settings_key()` can list exactly what changes the output.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from ..errors import VidagentError

_DEVICES = ("auto", "cuda", "cpu")
_DTYPES = ("auto", "bf16", "fp16", "fp32")
_KNOWN = {"model", "device", "dtype", "load_in_4bit", "load_in_8bit", "max_new_tokens", "num_frames"}


@dataclass(frozen=True)
class VLMOptions:
    """What `describe.options` may hold for a transformers-backed VLM."""

    model: str
    device: str = "auto"
    dtype: str = "auto"
    load_in_4bit: bool = False
    load_in_8bit: bool = False
    max_new_tokens: int = 128
    num_frames: int | None = None

    @classmethod
    def parse(cls, options: dict[str, Any], backend: str) -> VLMOptions:
        unknown = sorted(set(options) - _KNOWN)
        if unknown:
            raise VidagentError(
                f"describer '{backend}': unknown option '{unknown[0]}' (known: {', '.join(sorted(_KNOWN))})"
            )
        model = options.get("model")
        if not model or not isinstance(model, str):
            raise VidagentError(
                f"describer '{backend}' needs describe.options.model: a Hugging Face id or a local checkpoint dir"
            )
        device = str(options.get("device", "auto")).lower()
        if device not in _DEVICES and not device.startswith("cuda:"):
            raise VidagentError(f"describer '{backend}': device must be one of {', '.join(_DEVICES)} (got '{device}')")
        dtype = str(options.get("dtype", "auto")).lower()
        if dtype not in _DTYPES:
            raise VidagentError(f"describer '{backend}': dtype must be one of {', '.join(_DTYPES)} (got '{dtype}')")
        q4, q8 = bool(options.get("load_in_4bit", False)), bool(options.get("load_in_8bit", False))
        if q4 and q8:
            raise VidagentError(f"describer '{backend}': set load_in_4bit or load_in_8bit, not both")
        max_new = int(options.get("max_new_tokens", 128))
        if max_new < 1:
            raise VidagentError(f"describer '{backend}': max_new_tokens must be >= 1")
        nf = options.get("num_frames")
        if nf is not None and int(nf) < 1:
            raise VidagentError(f"describer '{backend}': num_frames must be >= 1")
        return cls(model, device, dtype, q4, q8, max_new, None if nf is None else int(nf))


def resolve_device(choice: str) -> str:
    """'auto' means CUDA when torch sees a GPU, else CPU; asking for CUDA without one is an error."""
    import torch

    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise VidagentError(f"device '{choice}' requested but torch sees no CUDA GPU (use device: cpu)")
    return choice


def resolve_dtype(choice: str, device: str) -> Any:
    """auto: bf16 on CUDA when supported, else fp16; fp32 on CPU (half precision is slow or unsupported there)."""
    import torch

    if choice == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[choice]


def dtype_name(dtype: Any) -> str:
    return {"torch.bfloat16": "bf16", "torch.float16": "fp16", "torch.float32": "fp32"}.get(str(dtype), str(dtype))


def quantization_config(opts: VLMOptions, dtype: Any) -> Any:
    """A BitsAndBytesConfig when 4/8-bit loading is asked for; a clear error when bitsandbytes is missing."""
    if not (opts.load_in_4bit or opts.load_in_8bit):
        return None
    if importlib.util.find_spec("bitsandbytes") is None:
        bits = 4 if opts.load_in_4bit else 8
        raise VidagentError(f"load_in_{bits}bit needs bitsandbytes (CUDA only): pip install bitsandbytes")
    from transformers import BitsAndBytesConfig

    if opts.load_in_4bit:
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=dtype)
    return BitsAndBytesConfig(load_in_8bit=True)


def free_memory(device: str) -> int | None:
    """Free bytes on a CUDA device; None on CPU, where the configured frame count is used as is."""
    if not device.startswith("cuda"):
        return None
    import torch

    free, _total = torch.cuda.mem_get_info(torch.device(device))
    return int(free)


def frame_budget(
    requested: int,
    batch_size: int,
    tokens_per_frame: float,
    bytes_per_token: float,
    free_bytes: int | None,
    *,
    usable: float = 0.6,
    minimum: int = 1,
) -> int:
    """Frames per clip that fit: the batch's vision tokens times their KV/activation cost in `usable` of free memory.

    An estimate, not a guarantee: the OOM retry path catches what it gets wrong.
    """
    if free_bytes is None or tokens_per_frame <= 0 or bytes_per_token <= 0:
        return requested
    per_clip_bytes = free_bytes * usable / max(1, batch_size)
    fit = int(per_clip_bytes // (tokens_per_frame * bytes_per_token))
    return max(minimum, min(requested, fit))


def bytes_per_token(text_config: Any, dtype_bytes: int) -> float:
    """KV cache (2 x layers x kv_heads x head_dim) plus ~8 hidden-size activations per prompt token."""
    hidden = int(getattr(text_config, "hidden_size", 4096))
    layers = int(getattr(text_config, "num_hidden_layers", 32))
    heads = int(getattr(text_config, "num_attention_heads", 32))
    kv_heads = int(getattr(text_config, "num_key_value_heads", None) or heads)
    head_dim = int(getattr(text_config, "head_dim", None) or hidden // heads)
    return float((2 * layers * kv_heads * head_dim + 8 * hidden) * dtype_bytes)
