"""The offline describer on clips built from stills."""

from __future__ import annotations

import numpy as np
import pytest

from vidagent.config import DescribeConfig
from vidagent.describe import get_describer
from vidagent.types import Clip, ClipInput, Frame, Segment, VideoInfo

INFO = VideoInfo("demo.mp4", "h", 0, 10.0, 25.0, 640, 480, "h264", 250)


def _clip(i: int, frames: list[Frame], speech: list[Segment] | None = None) -> ClipInput:
    clip = Clip(f"c{i}", "h", i, frames[0].time, frames[-1].time + 1, tuple(f.time for f in frames))
    return ClipInput(clip, INFO, frames, speech or [])


@pytest.mark.slow
def test_describe_batch_and_ask(corpus, still, frames_between) -> None:  # type: ignore[no-untyped-def]
    d = get_describer("offline", DescribeConfig(tags_top_k=3))
    assert d.name == "offline" and d.can_ask and d.needs_speech and not d.uses_prompt
    assert "effnet-lite0" in d.model_id and "whisper-tiny.en" in d.model_id
    coffee = still("skimage_coffee.png")
    items = [
        _clip(
            0,
            [Frame(0.5, coffee), Frame(1.5, coffee[:, ::-1])],
            [Segment(0.2, 1.8, "I always start the day with an espresso. Then I read my email.")],
        ),
        _clip(1, [Frame(3.0, still("gradio_cheetah.jpg"))]),
    ]
    credits = frames_between(corpus / "large" / "moviepy_bbb_full.mp4", 570.5, 571.0, 1.0, width=448)
    items.append(_clip(2, [Frame(t, img) for t, img in credits]))
    descs = d.describe_batch(items)
    assert len(descs) == 3
    for desc, item in zip(descs, items, strict=True):
        print(desc.caption)
        assert desc.frame_times == [f.time for f in item.frames]
        v = desc.vectors["visual"]
        assert v.shape == (384,) and v.dtype == np.float32 and abs(np.linalg.norm(v) - 1) < 1e-5
        assert 1 <= len(desc.tags) <= 3 or item.clip.index == 2
        assert all(0.03 <= c <= 1 for _, c in desc.tags)
    assert descs[0].tags[0][0] == "espresso" and descs[0].caption.startswith("Scene: espresso")
    assert "espresso" in descs[0].transcript and 'Speech: "I always' in descs[0].caption
    assert descs[1].tags[0][0] == "cheetah" and descs[1].ocr == [] and descs[1].transcript == ""
    assert any("Digital Pioneers" in line for line in descs[2].ocr)
    assert 'On screen: "' in descs[2].caption
    # Visual vectors compare with text: the coffee clip is nearer "coffee" than the cheetah clip is.
    q = d.embedder.embed("a cup of coffee")
    assert descs[0].vectors["visual"] @ q > descs[1].vectors["visual"] @ q + 0.2

    # ask answers only from the clip's own evidence.
    assert "Digital Pioneers" in d.ask(items[2], "Who funded the film?")
    assert "email" in d.ask(items[0], "What did they say about email?")
    assert "cheetah" in d.ask(items[1], "What animal is in the clip?")
    assert d.ask(items[1], "What is the weather forecast for tomorrow?") == ""
    assert d.ask(items[0], "Who funded the film?") == ""


def test_no_ocr_config_changes_identity() -> None:
    a = get_describer("offline", DescribeConfig(ocr=False))
    b = get_describer("offline", DescribeConfig())
    assert a.model_id != b.model_id and a.settings_key() != b.settings_key()


def test_ask_answers_from_the_stored_description_without_rerunning_models() -> None:
    from vidagent.types import Description

    frames = [Frame(t, np.zeros((64, 64, 3), np.uint8)) for t in (1.0, 2.0)]
    item = _clip(7, frames)
    item.stored = Description(
        caption="", tags=[("espresso", 0.8)], ocr=["Sponsored by the Blue Pioneers Fund"], frame_times=[1.0, 2.0]
    )
    d = get_describer("offline", DescribeConfig())
    answer = d.ask(item, "Which fund sponsored this?")
    assert "Blue Pioneers Fund" in answer  # black frames hold no text: this came from the stored evidence
    item.stored = Description(caption="", ocr=["Sponsored by the Blue Pioneers Fund"], frame_times=[1.5, 2.0])
    assert "Blue Pioneers" not in d.ask(item, "Which fund sponsored this?")  # other frames: recomputed
