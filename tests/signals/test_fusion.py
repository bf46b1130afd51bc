"""MERV-style fusion: named signal spaces are searched and weighted from the config; CLIP/SigLIP spaces
are indexed from keyframes and searched with the text tower (tiny random-weight checkpoints)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import vidagent
from vidagent.config import DEFAULT_SEARCH_WEIGHTS, load_settings
from vidagent.describe import Describer, get_embedder, register_describer
from vidagent.signals import fusion
from vidagent.store import Store
from vidagent.types import ClipInput, Description

from ..conftest import make_video
from .tiny_clip import tiny_clip, tiny_siglip


class SignalDescriber(Describer):
    """Test double: one caption for every clip, the clip's colour only in the `visual.colour` space."""

    name = "test-signal"
    model_id = "test/signal-v1"

    def __init__(self, config: object = None) -> None:
        pass

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        emb = get_embedder("minilm")
        out = []
        for item in items:
            r, g, b = np.mean([f.image.reshape(-1, 3).mean(0) for f in item.frames], axis=0)
            name = "mostly red" if r > max(g, b) else "mostly blue" if b > g else "mostly green"
            out.append(
                Description(
                    caption="a coloured screen",
                    frame_times=[f.time for f in item.frames],
                    vectors={"visual.colour": emb.embed(name)},
                )
            )
        return out


register_describer("test-signal", SignalDescriber)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fusion")
    return make_video(d / "rgb.mp4", [("red", 2), ("blue", 2), ("green", 2)])


def _config(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / f"cfg{abs(hash(extra))}.yaml"
    cfg.write_text("describe:\n  describer: test-signal\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n" + extra)
    return cfg


def test_weights_overlay_the_defaults() -> None:
    s = load_settings(search__weights={"visual.motion": 0.9, "keyword": 0.0})
    w = fusion.weights(s)
    assert w["visual.motion"] == 0.9 and w["keywords"] == 0.0 and w["caption"] == DEFAULT_SEARCH_WEIGHTS["caption"]


def test_a_named_signal_space_decides_when_captions_tie_and_its_weight_turns_it_off(
    tmp_path: Path, video: Path
) -> None:
    store = tmp_path / "store"
    cfg = _config(tmp_path)
    vidagent.index(video, store=store, config=cfg)
    with Store(store) as st:
        assert "visual.colour:minilm" in st.spaces()
    for colour, start in (("blue", 2.0), ("green", 4.0), ("red", 0.0)):
        hits = vidagent.search(f"{colour} screen", store=store, config=cfg, top_k=3)
        assert hits[0].start == pytest.approx(start, abs=0.1), [(h.start, h.sources) for h in hits]
        assert "visual.colour" in hits[0].sources
    off = _config(tmp_path, "search:\n  weights:\n    visual.colour: 0\n")
    hits = vidagent.search("blue screen", store=store, config=off, top_k=3)
    assert all("visual.colour" not in h.sources for h in hits)


@pytest.mark.parametrize("build", [tiny_clip, tiny_siglip], ids=["clip", "siglip"])
def test_clip_family_space_is_indexed_from_keyframes_and_searched_by_text(tmp_path: Path, video: Path, build) -> None:  # type: ignore[no-untyped-def]
    from vidagent.signals.clip import ClipEmbedder

    model = build(tmp_path / build.__name__)
    cfg = _config(tmp_path, f"embed:\n  visual: clip\n  visual_model: {model}\n")
    store = tmp_path / "store"
    report = vidagent.index(video, store=store, config=cfg)
    assert report.files[0].status == "indexed", report.files[0].error
    emb = ClipEmbedder.shared(str(model))
    with Store(store) as st:
        assert emb.space in st.spaces()
        rows = st.active_rows()
        stored = st.vectors_of([r["description_id"] for r in rows], emb.space)
    assert len(stored) == 3
    # The stored vector is the normalised mean of the clip's keyframe image embeddings.
    from vidagent.inputs import read_inputs

    settings = load_settings(cfg)
    with Store(store) as st:
        info = st.video_info(rows[0]["video_hash"])
        clips = [c for c in st.get_clips(st.find_video(info.hash).plan_key) or [] if c.id == rows[0]["clip_id"]]
    item = read_inputs(info, clips, [], None, settings.describe.frame_width)[0]
    again = emb.clip_vectors([[f.image for f in item.frames]])[0]
    assert again is not None and np.allclose(stored[rows[0]["description_id"]], again, atol=1e-4)
    # search scores by the text tower against those vectors: the "clip" source ranks the clips whose
    # cosine is positive (a match), in cosine order; the others get no share from it.
    query = "a red car"
    q = emb.embed_texts([query])[0]
    expected = [d for d in sorted(stored, key=lambda d: -float(stored[d] @ q)) if float(stored[d] @ q) > 0]
    hits = vidagent.search(query, store=store, config=cfg, top_k=3, min_score=0)
    by_rank = sorted((h.sources["clip"], h.start) for h in hits if "clip" in h.sources)
    starts = {r["description_id"]: r["start"] for r in rows}
    assert [s for _, s in by_rank] == [starts[d] for d in expected]
    # Turned off by weight: the space is not searched.
    off = _config(tmp_path, f"embed:\n  visual: clip\n  visual_model: {model}\nsearch:\n  weights:\n    clip: 0\n")
    assert all("clip" not in h.sources for h in vidagent.search(query, store=store, config=off, top_k=3))


def test_a_checkpoint_that_is_not_clip_fails_with_one_line(tmp_path: Path) -> None:
    from vidagent.errors import VidagentError
    from vidagent.signals.clip import ClipEmbedder

    with pytest.raises(VidagentError, match="embed.visual_model"):
        ClipEmbedder(str(tmp_path / "nothing-here")).load()
