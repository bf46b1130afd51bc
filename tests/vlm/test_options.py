"""Options parsing, device/dtype choice, the frame budget and the registry: no model needed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from vidagent.describe import Describer, registered_describers
from vidagent.errors import VidagentError
from vidagent.types import Frame
from vidagent.vlm.base import select_frames
from vidagent.vlm.options import VLMOptions, bytes_per_token, frame_budget, quantization_config, resolve_dtype


def test_model_is_required_and_typos_are_named() -> None:
    with pytest.raises(VidagentError, match="needs describe.options.model"):
        VLMOptions.parse({}, "video-llava")
    with pytest.raises(VidagentError, match="unknown option 'dtyp'"):
        VLMOptions.parse({"model": "m", "dtyp": "fp16"}, "video-llava")
    with pytest.raises(VidagentError, match="dtype must be one of"):
        VLMOptions.parse({"model": "m", "dtype": "int3"}, "video-llava")
    with pytest.raises(VidagentError, match="not both"):
        VLMOptions.parse({"model": "m", "load_in_4bit": True, "load_in_8bit": True}, "qwen-vl")
    opts = VLMOptions.parse({"model": "m", "num_frames": 4, "dtype": "BF16"}, "qwen-vl")
    assert (opts.num_frames, opts.dtype, opts.device) == (4, "bf16", "auto")


def test_dtype_auto_is_fp32_on_cpu_and_explicit_choices_map() -> None:
    torch = pytest.importorskip("torch")
    assert resolve_dtype("auto", "cpu") == torch.float32
    assert resolve_dtype("fp16", "cpu") == torch.float16
    assert resolve_dtype("bf16", "cpu") == torch.bfloat16


def test_quantization_without_bitsandbytes_is_a_clear_error() -> None:
    try:
        import bitsandbytes  # noqa: F401

        pytest.skip("bitsandbytes is installed here")
    except ImportError:
        pass
    opts = VLMOptions.parse({"model": "m", "load_in_4bit": True}, "video-llava")
    with pytest.raises(VidagentError, match="load_in_4bit needs bitsandbytes"):
        quantization_config(opts, None)
    assert quantization_config(VLMOptions.parse({"model": "m"}, "x"), None) is None


def test_frame_budget_shrinks_with_memory_and_never_below_minimum() -> None:
    bpt = 1000.0
    assert frame_budget(8, 4, 100, bpt, None) == 8  # CPU: configured count
    assert frame_budget(8, 4, 100, bpt, 10**12) == 8  # plenty
    # 0.6 * 2.4e6 / 4 clips = 360_000 bytes per clip = 3.6 frames of 100 tokens * 1000 B
    assert frame_budget(8, 4, 100, bpt, 2_400_000) == 3
    assert frame_budget(8, 4, 100, bpt, 10, minimum=2) == 2


def test_bytes_per_token_counts_kv_cache_of_every_layer() -> None:
    class Cfg:
        hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads = 64, 3, 8, 2

    # 2 (k,v) * 3 layers * 2 kv heads * 8 head_dim + 8 * 64 activations, in fp16
    assert bytes_per_token(Cfg(), 2) == (2 * 3 * 2 * 8 + 8 * 64) * 2


def test_select_frames_is_uniform_and_keeps_ends() -> None:
    frames = [Frame(float(i), None) for i in range(10)]  # type: ignore[arg-type]
    assert [f.time for f in select_frames(frames, 4)] == [0.0, 3.0, 6.0, 9.0]
    assert [f.time for f in select_frames(frames, 1)] == [0.0]
    assert len(select_frames(frames[:3], 8)) == 3


def test_registered_names_resolve_to_describer_factories() -> None:
    reg = registered_describers()
    for name in ("video-llava", "llava-onevision", "qwen-vl", "smolvlm2", "openai"):
        assert name in reg, name
        assert reg[name].extra in ("vlm", "http")
    from vidagent.describe import resolve
    from vidagent.vlm import backends

    cls = {"video-llava": backends.VideoLlava, "qwen-vl": backends.QwenVL}
    for name, klass in cls.items():
        assert resolve(reg[name].target).__annotations__["return"] in (klass.__name__, klass)
        assert issubclass(klass, Describer) and klass.name == name and klass.uses_prompt and klass.can_ask
    assert backends.VideoLlava.frames_per_clip == 8


def test_importing_the_package_loads_no_heavy_module() -> None:
    code = (
        "import sys, vidagent, vidagent.describe, vidagent.vlm, vidagent.vlm.backends, vidagent.vlm.openai_http;"
        "heavy=[m for m in ('torch','transformers','httpx') if m in sys.modules]; print(heavy); sys.exit(bool(heavy))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


def test_missing_model_dir_is_one_line_error(tmp_path: object) -> None:
    pytest.importorskip("transformers")
    from vidagent.config import DescribeConfig
    from vidagent.vlm.backends import make_smolvlm2

    d = make_smolvlm2(DescribeConfig(describer="smolvlm2", options={"model": str(tmp_path), "device": "cpu"}))
    with pytest.raises(VidagentError, match="cannot load") as info:
        d.load()
    assert "\n" not in str(info.value)


def test_clip_prompt_fills_only_declared_variables() -> None:
    from vlm_clips import make_items

    from vidagent.prompts import Prompt
    from vidagent.vlm.base import clip_prompt

    item = make_items(1, frames=1)[0]
    with_duration = Prompt("p", "2", "Describe this {duration}-second clip.", ("duration",))
    assert clip_prompt(with_duration, item) == "Describe this 2-second clip."
    plain = Prompt("p", "1", "Describe this clip.", ())
    assert clip_prompt(plain, item) == "Describe this clip."
