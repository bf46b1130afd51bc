"""Tiny random-weight checkpoints for every VLM backend, saved like a real hub checkpoint.

No VLM weights exist offline, so the tests and the benchmark build these (a few layers, hidden size
32, a locally trained word-level tokenizer carrying each model's special tokens, processors from their
classes with small image sizes) and load them back through the same `from_pretrained` path a user's
checkpoint takes. Imported by tests/vlm/conftest.py and, by file path, by benchmarks/bench_vlm.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

WORDS = (
    "a the this video clip shows person man woman dog cat car street room table door window red blue green "
    "white black walks runs sits stands opens holds looks talks drives in on at with and of to is are "
    "describe answer question two three sentences setting people animals objects what happens text visible "
    "screen be concrete do not guess using only or audible it if does show say second seconds frame frames "
    "from you provided following series video user assistant system USER ASSISTANT User Assistant"
).split()
PUNCT = list(".,:;!?'\"-()[]{}<>/0123456789")

# Seeds are fixed so the saved weights, and hence greedy outputs, are the same on every run.
SEED = 1234


def _tokenizer(specials: list[str], *, bos: str, eos: str, pad: str, extra: dict[str, str]) -> Any:
    """A word-level fast tokenizer: words + punctuation + the model's special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab: dict[str, int] = {}
    for tok in ["<unk>", *specials, *WORDS, *PUNCT]:
        vocab.setdefault(tok, len(vocab))
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    core.decoder = decoders.WordPiece(prefix="##")  # joins word-level tokens with spaces
    core.add_special_tokens(specials)
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="<unk>",
        bos_token=bos,
        eos_token=eos,
        pad_token=pad,
        extra_special_tokens=extra,
    )


def _finish(model: Any, processor: Any, out: Path, eos_id: int, pad_id: int) -> Path:
    model.generation_config.eos_token_id = eos_id
    model.generation_config.pad_token_id = pad_id
    model.generation_config.do_sample = False
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out


def _seed() -> None:
    import torch

    torch.manual_seed(SEED)


def _llama(vocab: int, pad_id: int, **kw: Any) -> dict[str, Any]:
    return dict(
        vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, pad_token_id=pad_id, **kw,
    )  # fmt: skip


VIDEO_LLAVA_TEMPLATE = (
    "{% for message in messages %}{{ message['role'].upper() + ': ' }}"
    "{% for c in message['content'] %}{% if c['type'] == 'video' %}{{ '<video>\n' }}{% endif %}{% endfor %}"
    "{% for c in message['content'] %}{% if c['type'] == 'text' %}{{ c['text'] + ' ' }}{% endif %}{% endfor %}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)


def build_video_llava(out: Path) -> Path:
    """Video-LLaVA: CLIP tower at 28 px / patch 14 -> 2x2 patches + CLS = 5 video tokens per frame."""
    from transformers import (
        CLIPVisionConfig,
        VideoLlavaConfig,
        VideoLlavaForConditionalGeneration,
        VideoLlavaImageProcessor,
        VideoLlavaProcessor,
        VideoLlavaVideoProcessor,
    )

    specials = ["<s>", "</s>", "<pad>", "<image>", "<video>"]
    tok = _tokenizer(
        specials, bos="<s>", eos="</s>", pad="<pad>", extra={"image_token": "<image>", "video_token": "<video>"}
    )
    ids = tok.convert_tokens_to_ids
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=28,
        patch_size=14,
        projection_dim=32,
    )
    cfg = VideoLlavaConfig(
        vision_config=vision.to_dict(), text_config=_llama(len(tok), ids("<pad>"), bos_token_id=ids("<s>"), eos_token_id=ids("</s>")),
        image_token_index=ids("<image>"), video_token_index=ids("<video>"), vision_feature_layer=-2,
        image_seq_length=4, video_seq_length=5 * 8,
    )  # fmt: skip
    _seed()
    model = VideoLlavaForConditionalGeneration(cfg).eval()
    small = dict(size={"shortest_edge": 28}, crop_size={"height": 28, "width": 28})
    proc = VideoLlavaProcessor(
        image_processor=VideoLlavaImageProcessor(**small), video_processor=VideoLlavaVideoProcessor(**small),
        tokenizer=tok, patch_size=14, vision_feature_select_strategy="default", num_additional_image_tokens=1,
        chat_template=VIDEO_LLAVA_TEMPLATE,
    )  # fmt: skip
    return _finish(model, proc, out, ids("</s>"), ids("<pad>"))


QWEN_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' }}"
    "{% for c in message['content'] %}{% if c['type'] == 'video' %}{{ '<|vision_start|><|video_pad|><|vision_end|>' }}"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{{ '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
QWEN_SPECIALS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]


def build_llava_onevision(out: Path) -> Path:
    """LLaVA-OneVision: SigLIP at 28 px / patch 14 -> 2x2 patches, pooled to 1 token per frame (+1 newline)."""
    from transformers import (
        LlavaOnevisionConfig,
        LlavaOnevisionForConditionalGeneration,
        LlavaOnevisionImageProcessor,
        LlavaOnevisionProcessor,
        LlavaOnevisionVideoProcessor,
        Qwen2Config,
        SiglipVisionConfig,
    )

    specials = [*QWEN_SPECIALS, "<image>", "<video>"]
    tok = _tokenizer(
        specials,
        bos="<|im_start|>",
        eos="<|im_end|>",
        pad="<|endoftext|>",
        extra={"image_token": "<image>", "video_token": "<video>"},
    )
    ids = tok.convert_tokens_to_ids
    template = QWEN_TEMPLATE.replace("<|vision_start|><|video_pad|><|vision_end|>", "<video>\n")
    vision = SiglipVisionConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, image_size=28, patch_size=14
    )
    text = Qwen2Config(**_llama(len(tok), ids("<|endoftext|>"), eos_token_id=ids("<|im_end|>")))
    pinpoints = [[28, 28], [28, 56], [56, 28], [56, 56]]
    cfg = LlavaOnevisionConfig(
        vision_config=vision.to_dict(), text_config=text.to_dict(), image_token_index=ids("<image>"),
        video_token_index=ids("<video>"), image_grid_pinpoints=pinpoints, vision_feature_layer=-1,
        vision_feature_select_strategy="full",
    )  # fmt: skip
    _seed()
    model = LlavaOnevisionForConditionalGeneration(cfg).eval()
    proc = LlavaOnevisionProcessor(
        image_processor=LlavaOnevisionImageProcessor(size={"height": 28, "width": 28}, image_grid_pinpoints=pinpoints),
        tokenizer=tok, video_processor=LlavaOnevisionVideoProcessor(size={"height": 28, "width": 28}),
        num_image_tokens=4, vision_feature_select_strategy="full", chat_template=template,
    )  # fmt: skip
    return _finish(model, proc, out, ids("<|im_end|>"), ids("<|endoftext|>"))


def build_qwen3_vl(out: Path) -> Path:
    """Qwen3-VL: patch 16, merge 2, temporal patch 2: a 64x64 frame pair -> 4 video tokens."""
    from transformers import (
        Qwen2TokenizerFast,  # noqa: F401  (the class real checkpoints use; ours is a plain fast tokenizer)
        Qwen3VLConfig,
        Qwen3VLForConditionalGeneration,
        Qwen3VLProcessor,
        Qwen3VLVideoProcessor,
    )
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import Qwen2VLImageProcessor

    tok = _tokenizer(QWEN_SPECIALS, bos="<|im_start|>", eos="<|im_end|>", pad="<|endoftext|>", extra={})
    ids = tok.convert_tokens_to_ids
    text = dict(
        _llama(len(tok), ids("<|endoftext|>")),
        head_dim=8,
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "mrope_section": [2, 1, 1],
            "mrope_interleaved": True,
        },
    )
    vision = dict(
        depth=2,
        hidden_size=32,
        intermediate_size=64,
        num_heads=4,
        patch_size=16,
        spatial_merge_size=2,
        temporal_patch_size=2,
        out_hidden_size=32,
        num_position_embeddings=64,
        deepstack_visual_indexes=[1],
    )
    cfg = Qwen3VLConfig(
        text_config=text, vision_config=vision, image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"),
    )  # fmt: skip
    _seed()
    model = Qwen3VLForConditionalGeneration(cfg).eval()
    pixels = {"shortest_edge": 64 * 64, "longest_edge": 64 * 64 * 16}
    proc = Qwen3VLProcessor(
        image_processor=Qwen2VLImageProcessor(patch_size=16, merge_size=2, temporal_patch_size=2, size=pixels),
        tokenizer=tok,
        video_processor=Qwen3VLVideoProcessor(patch_size=16, merge_size=2, temporal_patch_size=2, size=pixels, do_sample_frames=False),
        chat_template=QWEN_TEMPLATE,
    )  # fmt: skip
    return _finish(model, proc, out, ids("<|im_end|>"), ids("<|endoftext|>"))


def build_smolvlm2(out: Path) -> Path:
    """SmolVLM2: SigLIP-style tower at 32 px / patch 8, pixel-shuffle 2 -> 4 image tokens per frame."""
    from transformers import (
        LlamaConfig,
        SmolVLMConfig,
        SmolVLMForConditionalGeneration,
        SmolVLMImageProcessor,
        SmolVLMProcessor,
        SmolVLMVideoProcessor,
    )

    specials = [
        "<|im_start|>",
        "<end_of_utterance>",
        "<|endoftext|>",
        "<image>",
        "<video>",
        "<fake_token_around_image>",
        "<global-img>",
    ]
    specials += [f"<row_{r}_col_{c}>" for r in range(1, 3) for c in range(1, 3)]
    tok = _tokenizer(
        specials, bos="<|im_start|>", eos="<end_of_utterance>", pad="<|endoftext|>",
        extra={"image_token": "<image>", "video_token": "<video>", "fake_image_token": "<fake_token_around_image>", "global_image_token": "<global-img>", "end_of_utterance_token": "<end_of_utterance>"},
    )  # fmt: skip
    ids = tok.convert_tokens_to_ids
    text = LlamaConfig(**_llama(len(tok), ids("<|endoftext|>"), eos_token_id=ids("<end_of_utterance>")))
    vision = dict(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, image_size=32, patch_size=8
    )
    cfg = SmolVLMConfig(vision_config=vision, text_config=text.to_dict(), image_token_id=ids("<image>"), scale_factor=2)
    _seed()
    model = SmolVLMForConditionalGeneration(cfg).eval()
    side = {"longest_edge": 32}
    proc = SmolVLMProcessor(
        image_processor=SmolVLMImageProcessor(size=side, max_image_size=side, do_image_splitting=False),
        tokenizer=tok,
        video_processor=SmolVLMVideoProcessor(size=side, max_image_size=side, do_sample_frames=False),
        image_seq_len=4,
    )  # fmt: skip
    return _finish(model, proc, out, ids("<end_of_utterance>"), ids("<|endoftext|>"))


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "video-llava": build_video_llava,
    "llava-onevision": build_llava_onevision,
    "qwen-vl": build_qwen3_vl,
    "smolvlm2": build_smolvlm2,
}
#: vision tokens the model inserts per frame in the prompt (per frame pair for Qwen: temporal patch 2)
TOKENS_PER_FRAME = {"video-llava": 5, "llava-onevision": 1, "qwen-vl": 4, "smolvlm2": 4}


def build_all(root: Path) -> dict[str, Path]:
    """Build every tiny checkpoint under `root/<name>` (each a few hundred KB) and return the dirs.

    SmolVLM is left out where `num2words` (which its processor imports) is missing.
    """
    import importlib.util

    skip = set() if importlib.util.find_spec("num2words") else {"smolvlm2"}
    return {name: build(root / name) for name, build in BUILDERS.items() if name not in skip}
