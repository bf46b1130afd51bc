"""Every transformers backend end to end on a tiny random-weight checkpoint loaded from a local dir.

Outputs of random weights are gibberish, so these assert structure and invariants: vision tokens per
frame as the config implies, batched == one-by-one greedy results, the pooled vision vector, and what
Description.extra records.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from vlm_clips import BACKENDS, make_items

from vidagent.prompts import load_prompt, render
from vidagent.vlm.base import clip_prompt


def expected_vision_tokens(name: str, cfg: Any, n_frames: int, side: int = 64) -> tuple[int, int]:
    """(token id, count) of the vision placeholders for one clip, derived from the model config alone."""
    v = cfg.vision_config
    if name == "video-llava":  # CLIP patches + CLS, every frame
        return cfg.video_token_index, n_frames * ((v.image_size // v.patch_size) ** 2 + 1)
    if name == "llava-onevision":  # patch grid pooled 2x2 per frame, plus one newline token per video
        pooled = math.ceil((v.image_size // v.patch_size) / 2) ** 2
        return cfg.video_token_index, n_frames * pooled + 1
    if name == "qwen-vl":  # frames resized to multiples of patch*merge; pairs of frames share a token grid
        grid = (side // (v.patch_size * v.spatial_merge_size)) ** 2
        return cfg.video_token_id, math.ceil(n_frames / v.temporal_patch_size) * grid
    if name == "smolvlm2":  # pixel-shuffled patches, every frame
        return cfg.image_token_id, n_frames * (v.image_size // v.patch_size) ** 2 // cfg.scale_factor**2
    raise AssertionError(name)


@pytest.mark.parametrize("name", BACKENDS)
def test_vision_tokens_per_frame_match_config(name: str, make_describer: Any) -> None:
    d = make_describer(name)
    d.load()
    for n in (2, 4):
        frames = make_items(1, frames=n)[0].frames
        inputs = d._inputs(["describe the clip"], [frames])
        token, count = expected_vision_tokens(name, d.model.config, n)
        assert int((inputs["input_ids"][0] == token).sum()) == count, (name, n)


@pytest.mark.parametrize("name", BACKENDS)
def test_batch_equals_sequential_and_descriptions_are_complete(name: str, make_describer: Any, tiny_dirs: Any) -> None:
    d = make_describer(name, batch_size=2, num_frames=4)
    items = make_items(3, frames=8)
    batched = d.describe_batch(items)  # two chunks: 2 + 1
    single = [d.describe_batch([it])[0] for it in items]

    assert [x.caption for x in batched] == [x.caption for x in single]
    assert any(x.caption for x in batched)  # greedy decoding of fixed weights: deterministic, non-empty
    # loaded through from_pretrained from the local dir, with the backend's own class
    assert d.model.name_or_path == str(tiny_dirs[name])
    assert type(d.model).__name__ != "PreTrainedModel"
    caption = load_prompt("caption")
    hidden = d.model.config.vision_config.hidden_size
    for item, b, s in zip(items, batched, single):
        # 4 of 8 frames, spread over the clip, first and last kept
        assert b.frame_times == [item.frames[i].time for i in (0, 2, 5, 7)]
        assert b.extra["frames_used"] == 4 and b.extra["frames_requested"] == 4
        assert b.extra["prompt"] == clip_prompt(caption, item) and b.extra["prompt_ref"] == caption.ref
        assert b.extra["retries"] == 0 and "error" not in b.extra
        assert 0 < b.extra["new_tokens"] <= 5
        vec = b.vectors["vision"]
        assert vec.shape == (hidden,) and vec.dtype == np.float32
        assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
        np.testing.assert_allclose(vec, s.vectors["vision"], atol=1e-4)
    assert [x.extra["batch_size_used"] for x in batched] == [2, 2, 1]
    # different clips (different random pixels) give different vision vectors
    assert not np.allclose(batched[0].vectors["vision"], batched[1].vectors["vision"], atol=1e-4)


@pytest.mark.parametrize("name", ["video-llava", "qwen-vl"])
def test_given_prompt_is_used_verbatim_and_ask_renders_the_ask_prompt(name: str, make_describer: Any) -> None:
    d = make_describer(name)
    item = make_items(1, frames=8)[0]
    [desc] = d.describe_batch([item], prompt="what is on the table ?")
    assert desc.extra["prompt"] == "what is on the table ?" and "prompt_ref" not in desc.extra
    answer = d.ask(item, "is there a dog ?")
    ask_prompt = render(load_prompt("ask"), question="is there a dog ?")
    assert answer == d.describe_batch([item], prompt=ask_prompt)[0].caption


def test_settings_key_names_what_changes_output(make_describer: Any) -> None:
    d = make_describer("smolvlm2", num_frames=3, max_new_tokens=7)
    key = d.settings_key()
    assert key["name"] == "smolvlm2" and key["model_id"].endswith("smolvlm2")
    assert (key["num_frames"], key["max_new_tokens"], key["quant"]) == (3, 7, None)
    d.load()
    assert d.settings_key()["dtype"] == "fp32" and d.frames_per_clip == 3
    assert type(d).frames_per_clip == 8  # the override is per instance


def test_short_clips_batch_with_long_ones(make_describer: Any) -> None:
    d = make_describer("llava-onevision", num_frames=4)
    items = make_items(3, frames=8)
    items[1].frames = items[1].frames[:2]
    out = d.describe_batch(items)
    assert [x.extra["frames_used"] for x in out] == [4, 2, 4]
    assert out[1].frame_times == [f.time for f in items[1].frames]
    assert out[1].caption == d.describe_batch([items[1]])[0].caption


def test_qwen_odd_frame_count_is_padded_not_dropped(make_describer: Any) -> None:
    d = make_describer("qwen-vl", num_frames=3)
    [desc] = d.describe_batch(make_items(1, frames=8))
    assert desc.extra["frames_used"] == 3 and len(desc.frame_times) == 3 and "error" not in desc.extra


def test_frame_budget_follows_free_memory(make_describer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import vidagent.vlm.base as base

    d = make_describer("video-llava", num_frames=8)
    d.load()
    # Pretend a GPU with room for ~3 frames per clip: 5 tokens/frame * bytes/token, 2 clips, 60% usable.
    from vidagent.vlm.options import bytes_per_token

    bpt = bytes_per_token(d.model.config.text_config, 4)
    monkeypatch.setattr(base, "free_memory", lambda device: int(2 * 3.5 * 5 * bpt / 0.6))
    out = d.describe_batch(make_items(2, frames=8))
    assert d._tokens_per_frame == 5
    assert [x.extra["frame_budget"] for x in out] == [3, 3]
    assert [x.extra["frames_used"] for x in out] == [3, 3]


@pytest.mark.parametrize("name", BACKENDS)
def test_padded_batch_of_different_prompt_lengths_equals_singles(name: str, make_describer: Any) -> None:
    """Prompts of different lengths force padding; left padding keeps greedy results identical."""
    from vidagent.vlm.base import _Job

    d = make_describer(name, num_frames=4)
    d.load()
    items = make_items(3, frames=4)
    prompts = ["describe", "describe the people and the animals in this video clip and what happens", "what happens ?"]
    jobs = [_Job(it.clip.id, it.frames, p) for it, p in zip(items, prompts)]
    lengths = {int(d._inputs([p], [items[0].frames])["input_ids"].shape[1]) for p in prompts}
    assert len(lengths) == 3
    batched = d._describe_chunk(jobs, "")
    singles = [d._describe_chunk([j], "")[0] for j in jobs]
    assert [b.caption for b in batched] == [s.caption for s in singles]
    for b, s in zip(batched, singles):
        np.testing.assert_allclose(b.vectors["vision"], s.vectors["vision"], atol=1e-4)
