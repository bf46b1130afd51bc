"""EfficientNet-Lite0 tags on the labelled stills."""

from __future__ import annotations

import pytest

from vidagent.perception.tagger import ImageTagger, imagenet_labels

# Stills whose subject is an ImageNet-1k class, with the labels that name it (from gt/stills_labels.json).
EXPECTED = {
    "gradio_cheetah.jpg": {"cheetah"},
    "gradio_lion.jpg": {"lion"},
    "opencv_baboon.jpg": {"baboon"},
    "opencv_apple.jpg": {"Granny Smith"},
    "opencv_orange.jpg": {"orange"},
    "opencv_fruits.jpg": {"orange", "lemon", "banana", "Granny Smith", "pineapple", "pomegranate", "strawberry"},
    "opencv_butterfly.jpg": {"admiral", "monarch", "ringlet", "cabbage butterfly", "sulphur butterfly", "lycaenid"},
    "opencv_squirrel_cls.jpg": {"fox squirrel"},
    "opencv_messi5.jpg": {"soccer ball"},
    "skimage_chelsea.png": {"tabby", "tiger cat", "Egyptian cat", "Persian cat"},
    "skimage_coffee.png": {"espresso", "cup", "coffee mug"},
    "skimage_camera.png": {"tripod", "reflex camera", "Polaroid camera"},
    "skimage_clock_motion.png": {"wall clock", "analog clock", "digital clock"},
    "skimage_motorcycle_left.png": {"moped", "motor scooter", "crash helmet"},
    "skimage_rocket.jpg": {"missile", "projectile", "space shuttle"},
    "matplotlib_grace_hopper.jpg": {"military uniform", "academic gown", "mortarboard", "Windsor tie", "bow tie"},
}


def test_labels_are_readable_imagenet_names() -> None:
    labels = imagenet_labels()
    assert len(labels) == 1000 and len(set(labels)) == 1000
    assert labels[967] == "espresso" and labels[968] == "cup" and labels[293] == "cheetah"


@pytest.mark.slow
def test_stills_get_their_labels_in_top5(corpus, still, stills_labels) -> None:  # type: ignore[no-untyped-def]
    assert set(EXPECTED) <= set(stills_labels)
    tagger = ImageTagger.shared()
    names = sorted(EXPECTED)
    probs = tagger.tag_batch([still(n) for n in names])
    assert probs.shape == (len(names), 1000)
    assert abs(float(probs.sum(axis=1).mean()) - 1.0) < 1e-3
    hits = 0
    for name, row in zip(names, probs, strict=True):
        top5 = [label for label, _ in tagger.top(row, 5)]
        ok = bool(EXPECTED[name] & set(top5))
        hits += ok
        print(f"{'ok ' if ok else 'MISS'} {name:32s} {top5}")
    rate = hits / len(names)
    print(f"top-5 rate: {hits}/{len(names)} = {rate:.2f}")
    assert rate >= 0.85
    # The clearest photos are confidently right at top-1.
    by_name = dict(zip(names, probs, strict=True))
    assert tagger.top(by_name["skimage_coffee.png"], 1)[0][0] == "espresso"
    assert tagger.top(by_name["gradio_cheetah.jpg"], 1)[0][1] > 0.8


@pytest.mark.slow
def test_onnx_tagger_gives_the_torch_tags(corpus, still, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The tagger runs under ONNX Runtime once exported (a third of torch's CPU): same top labels,
    probabilities within float rounding; a later load uses the cached export without building torch."""
    monkeypatch.setenv("VIDAGENT_CACHE", str(tmp_path))
    images = [still(n) for n in sorted(EXPECTED)]
    exported = ImageTagger()
    onnx = exported.tag_batch(images)
    assert exported._onnx is not None and list(tmp_path.glob("tagger/*.onnx"))
    monkeypatch.setenv("VIDAGENT_TAGGER", "torch")
    ref_tagger = ImageTagger()
    ref = ref_tagger.tag_batch(images)
    assert ref_tagger._onnx is None
    assert float(abs(onnx - ref).max()) < 1e-4
    for a, b in zip(onnx, ref, strict=True):
        assert [n for n, _ in exported.top(a, 5)] == [n for n, _ in ref_tagger.top(b, 5)]
    monkeypatch.delenv("VIDAGENT_TAGGER")
    cached = ImageTagger()
    assert float(abs(cached.tag_batch(images) - onnx).max()) == 0.0
    assert cached._model is None  # no torch model was built
