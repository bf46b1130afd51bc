"""Fixtures for the perception tests: the real corpus (skip when absent) and tiny PyAV decode helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[2]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs real models on real files (seconds); still runs in CI")


@pytest.fixture(scope="session")
def corpus() -> Path:
    root = Path(os.environ.get("VIDAGENT_CORPUS") or REPO.parent / "shared" / "corpus")
    if not (root / "MANIFEST.tsv").is_file():
        pytest.skip(f"test corpus not found at {root} (set VIDAGENT_CORPUS)")
    return root


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep derived caches (ConSE label vectors) out of the user's home during tests."""
    if "VIDAGENT_CACHE" not in os.environ:
        os.environ["VIDAGENT_CACHE"] = str(tmp_path_factory.mktemp("vidagent-cache"))


@pytest.fixture(scope="session")
def stills_labels(corpus: Path) -> dict[str, str]:
    rows = json.loads((corpus / "gt" / "stills_labels.json").read_text())
    return {Path(r["file"]).name: r["label"] for r in rows}


def load_still(corpus: Path, name: str) -> np.ndarray:
    from PIL import Image

    with Image.open(corpus / "stills" / name) as im:
        return np.asarray(im.convert("RGB"))


def decode_frames(path: Path, start: float, end: float, step: float, width: int = 0) -> list[tuple[float, np.ndarray]]:
    """RGB frames every `step` seconds in [start, end), optionally scaled to `width`."""
    import av

    out: list[tuple[float, np.ndarray]] = []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        c.seek(int(max(0.0, start - 1) / s.time_base), stream=s)
        nxt = start
        for f in c.decode(s):
            t = float(f.pts * s.time_base)
            if t >= end:
                break
            if t + 1e-6 >= nxt:
                w = width or f.width
                h = round(f.height * w / f.width / 2) * 2
                out.append((t, f.to_ndarray(format="rgb24", width=w, height=h)))
                nxt += step
    return out


def decode_audio(path: Path, rate: int = 16000) -> np.ndarray:
    """The whole audio track as float32 mono at `rate` Hz."""
    import av

    chunks: list[np.ndarray] = []
    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in c.decode(c.streams.audio[0]):
            chunks.extend(o.to_ndarray().reshape(-1) for o in resampler.resample(frame))
        chunks.extend(o.to_ndarray().reshape(-1) for o in resampler.resample(None))
    return np.concatenate(chunks).astype(np.float32)


@pytest.fixture(scope="session")
def still(corpus: Path):  # type: ignore[no-untyped-def]
    """still(name) -> RGB array of a corpus still."""
    return lambda name: load_still(corpus, name)


@pytest.fixture(scope="session")
def frames_between():  # type: ignore[no-untyped-def]
    """frames_between(path, start, end, step, width=0) -> [(seconds, RGB array)]."""
    return decode_frames


@pytest.fixture(scope="session")
def audio_of():  # type: ignore[no-untyped-def]
    """audio_of(path) -> float32 mono 16 kHz samples."""
    return decode_audio
