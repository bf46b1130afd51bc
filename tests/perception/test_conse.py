"""ConSE visual vectors live in the MiniLM text space."""

from __future__ import annotations

import numpy as np
import pytest

from vidagent.describe import get_embedder
from vidagent.perception.conse import ConSE, conse_vectors
from vidagent.perception.tagger import MODEL_ID, ImageTagger


def test_conse_is_weighted_normalised_sum() -> None:
    label_vecs = np.eye(4, dtype=np.float32)
    probs = np.array([[0.7, 0.2, 0.1, 0.0]], dtype=np.float32)
    v = conse_vectors(probs, label_vecs, top_t=2)
    expected = np.array([0.7, 0.2, 0.0, 0.0]) / np.hypot(0.7, 0.2)
    np.testing.assert_allclose(v[0], expected, atol=1e-6)


@pytest.mark.slow
def test_coffee_still_is_near_coffee_text(corpus, still) -> None:  # type: ignore[no-untyped-def]
    names = sorted(p.name for p in (corpus / "stills").iterdir())
    tagger = ImageTagger.shared()
    embedder = get_embedder("minilm")
    conse = ConSE(tagger.labels, embedder, MODEL_ID)
    vecs = conse(tagger.tag_batch([still(n) for n in names]))
    assert vecs.shape == (len(names), 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    sims = vecs @ embedder.embed("a cup of coffee")
    coffee = sims[names.index("skimage_coffee.png")]
    others = np.delete(sims, names.index("skimage_coffee.png"))
    print(f"coffee {coffee:.3f}; others max {others.max():.3f} median {np.median(others):.3f}")
    assert coffee > np.quantile(others, 0.9)
    cat = vecs @ embedder.embed("a cat")
    assert int(np.argmax(cat)) == names.index("skimage_chelsea.png")
    # A second call reuses the cached label vectors (memory, then disk).
    assert conse.label_vectors() is conse.label_vectors()
