"""The OOM ladder via the injected fault hook: split the batch, then halve frames, then give up per clip."""

from __future__ import annotations

from typing import Any

import pytest
from vlm_clips import make_items

torch = pytest.importorskip("torch")


def oom() -> Exception:
    return torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


@pytest.fixture()
def describer(make_describer: Any) -> Any:
    return make_describer("llava-onevision", batch_size=4, num_frames=8)


def test_first_call_oom_splits_batch_and_all_succeed(describer: Any) -> None:
    items = make_items(4, frames=8)
    clean = describer.describe_batch(items)
    calls: list[tuple[list[str], int]] = []

    def hook(ids: list[str], n_frames: int) -> None:
        calls.append((ids, n_frames))
        if len(calls) == 1:
            raise oom()

    describer.fault_hook = hook
    out = describer.describe_batch(items)
    assert calls == [(["clip0", "clip1", "clip2", "clip3"], 8), (["clip0", "clip1"], 8), (["clip2", "clip3"], 8)]
    assert [x.caption for x in out] == [x.caption for x in clean]
    assert [x.extra["retries"] for x in out] == [1, 1, 1, 1]
    assert [x.extra["batch_size_used"] for x in out] == [2, 2, 2, 2]
    assert all(x.extra["frames_used"] == 8 and "error" not in x.extra for x in out)


def test_single_clip_oom_halves_frames_and_records_them(describer: Any) -> None:
    items = make_items(2, frames=8)

    def hook(ids: list[str], n_frames: int) -> None:
        if len(ids) > 1 or n_frames > 2:
            raise oom()

    describer.fault_hook = hook
    out = describer.describe_batch(items)
    # batch 2 -> split (1 retry), then 8 -> 4 -> 2 frames (2 more)
    assert [x.extra["frames_used"] for x in out] == [2, 2]
    assert [x.extra["retries"] for x in out] == [3, 3]
    assert [x.frame_times for x in out] == [[it.frames[0].time, it.frames[-1].time] for it in items]
    assert all(x.caption and x.vectors["vision"].shape == (32,) for x in out)


def test_clip_that_always_fails_gets_an_error_and_the_rest_survive(describer: Any) -> None:
    items = make_items(4, frames=8)
    clean = describer.describe_batch(items)

    def hook(ids: list[str], n_frames: int) -> None:
        if "clip2" in ids:
            raise oom()

    describer.fault_hook = hook
    out = describer.describe_batch(items)
    assert out[2].caption == "" and "out of memory" in out[2].extra["error"]
    assert out[2].vectors == {} and out[2].extra["frames_used"] == 1  # halved down to one frame first
    for i in (0, 1, 3):
        assert out[i].caption == clean[i].caption and "error" not in out[i].extra
    assert [x.extra["retries"] for x in out] == [1, 1, 5, 2]  # clip2: 2 splits + 8->4->2->1


def test_non_oom_error_is_isolated_without_halving_frames(describer: Any) -> None:
    items = make_items(3, frames=8)

    def hook(ids: list[str], n_frames: int) -> None:
        if "clip0" in ids:
            raise ValueError("corrupt frame")

    describer.fault_hook = hook
    out = describer.describe_batch(items)
    assert out[0].extra["error"] == "ValueError: corrupt frame" and out[0].extra["frames_used"] == 8
    assert all(x.caption and "error" not in x.extra for x in out[1:])


def test_qwen_never_goes_below_two_frames(make_describer: Any) -> None:
    d = make_describer("qwen-vl", num_frames=8)
    seen: list[int] = []

    def hook(ids: list[str], n_frames: int) -> None:
        seen.append(n_frames)
        raise oom()

    d.fault_hook = hook
    [desc] = d.describe_batch(make_items(1, frames=8))
    assert seen == [8, 4, 2] and desc.extra["error"].startswith("OutOfMemoryError")


def test_ask_raises_when_the_clip_cannot_be_processed(describer: Any) -> None:
    from vidagent.errors import VidagentError

    describer.fault_hook = lambda ids, n: (_ for _ in ()).throw(oom())
    with pytest.raises(VidagentError, match="could not answer about clip clip0"):
        describer.ask(make_items(1)[0], "what happens ?")
