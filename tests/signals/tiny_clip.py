"""Tiny random-weight CLIP and SigLIP checkpoints, saved and loaded like real ones (no download)."""

from __future__ import annotations

from pathlib import Path


def _tokenizer():  # type: ignore[no-untyped-def]
    from tests.vlm.tiny_models import _tokenizer as word_tokenizer

    return word_tokenizer(["<s>", "</s>", "<pad>"], bos="<s>", eos="</s>", pad="<pad>", extra={})


def tiny_clip(out: Path) -> Path:
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    torch.manual_seed(0)
    tok = _tokenizer()
    cfg = CLIPConfig(
        text_config={
            "vocab_size": len(tok),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 32,
            "bos_token_id": tok.bos_token_id,
            "eos_token_id": tok.eos_token_id,
            "pad_token_id": tok.pad_token_id,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 32,
            "patch_size": 8,
        },
        projection_dim=16,
    )
    model = CLIPModel(cfg).eval()
    proc = CLIPProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=tok,
    )
    model.save_pretrained(out)
    proc.save_pretrained(out)
    return out


def tiny_siglip(out: Path) -> Path:
    import torch
    from transformers import (
        SiglipConfig,
        SiglipImageProcessor,
        SiglipModel,
        SiglipProcessor,
    )

    torch.manual_seed(0)
    tok = _tokenizer()
    tok.model_max_length = 16
    cfg = SiglipConfig(
        text_config={
            "vocab_size": len(tok),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 16,
            "pad_token_id": tok.pad_token_id,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": 32,
            "patch_size": 8,
        },
    )
    model = SiglipModel(cfg).eval()
    proc = SiglipProcessor(image_processor=SiglipImageProcessor(size={"height": 32, "width": 32}), tokenizer=tok)
    model.save_pretrained(out)
    proc.save_pretrained(out)
    return out
