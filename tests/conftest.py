"""Shared fixtures: the real corpus (skipped when absent), synthetic videos with known cuts, and a
deterministic test-double describer (tests only: the product default is the offline describer)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from .plugins import COLOURS, ColourDescriber  # noqa: F401  (registers the test-colour describer)

REPO = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path:
    return Path(os.environ.get("VIDAGENT_CORPUS") or (REPO.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    root = corpus_dir()
    if not (root / "small").is_dir():
        pytest.skip(f"corpus not found at {root} (set VIDAGENT_CORPUS)")
    return root


def count_rows(store: Path, table: str) -> int:
    """Rows of a store's table, read-only, while another process may be writing (0 before it exists)."""
    import sqlite3

    db = store / "vidagent.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as c:
            return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0  # schema not created yet, or a write in flight


def make_video(
    path: Path,
    shots: Sequence[tuple[str, float]],
    fps: int = 25,
    size: tuple[int, int] = (160, 96),
    audio: bool = False,
    codec: str = "libx264",
) -> Path:
    """Write a video of solid-colour shots (with a moving square so frames differ), cuts known exactly."""
    import av

    w, h = size
    with av.open(str(path), "w") as out:
        vs = out.add_stream(codec, rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        if codec == "libx264":
            vs.options = {"preset": "ultrafast", "g": "25"}
        ast = out.add_stream("aac", rate=16000) if audio else None
        n = 0
        for colour, seconds in shots:
            rgb = COLOURS[colour]
            for _ in range(round(seconds * fps)):
                img = np.empty((h, w, 3), dtype=np.uint8)
                img[:] = rgb
                x = (n * 3) % (w - 16)
                img[h // 2 - 8 : h // 2 + 8, x : x + 16] = 128
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                for packet in vs.encode(frame):
                    out.mux(packet)
                n += 1
        for packet in vs.encode():
            out.mux(packet)
        if ast is not None:
            total = n / fps
            t = np.arange(int(total * 16000)) / 16000
            samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for i in range(0, len(samples), 1024):
                chunk = samples[i : i + 1024].reshape(1, -1)
                af = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                af.sample_rate = 16000
                for packet in ast.encode(af):
                    out.mux(packet)
            for packet in ast.encode():
                out.mux(packet)
    return path


def slow_colour_config(path: Path, monkeypatch: pytest.MonkeyPatch, delay: float, batch_size: int) -> Path:
    """Settings for the slowed colour describer (VIDAGENT_TEST_DELAY s per clip), 1-10 s clips."""
    monkeypatch.setenv("VIDAGENT_TEST_DELAY", str(delay))
    path.write_text(
        f"describe:\n  describer: test-slow-colour\n  batch_size: {batch_size}\n"
        "clips:\n  min_duration: 1.0\n  max_duration: 10.0\n"
    )
    return path


@pytest.fixture()
def colour_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    return cfg


@pytest.fixture(scope="session")
def shots_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 shots: red 2 s, blue 3 s, green 2 s, white 3 s (cuts at frames 50, 125, 175)."""
    d = tmp_path_factory.mktemp("videos")
    return make_video(d / "shots.mp4", [("red", 2), ("blue", 3), ("green", 2), ("white", 3)])


@pytest.fixture(scope="session")
def bbb_store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full Big Buck Bunny film indexed once with the real offline default (shared by slow tests)."""
    film = corpus / "large" / "moviepy_bbb_full.mp4"
    if not film.exists():
        pytest.skip("the full film is not in the corpus")
    import vidagent

    store = tmp_path_factory.mktemp("bbb") / "store"
    ready = os.environ.get("VIDAGENT_BBB_STORE")  # a store that already holds the film: a copy is used
    if ready:
        import shutil

        shutil.copytree(ready, store)
    report = vidagent.index(film, store=store)
    assert report.files[0].status in ("indexed", "unchanged"), report.files[0].error
    return store


#: figures tests want shown at the end of the run (CI's log): files tried, kills survived...
SUMMARY: list[str] = []

#: counted probes (issue 16): kills survived, hostile files and arguments tried, YAML bombs rejected,
#: outputs refused; printed as totals under the figures
COUNTS: dict[str, int] = {}


def count(name: str, n: int = 1) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + n


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if SUMMARY or COUNTS:
        terminalreporter.section("vidagent figures")
        for line in SUMMARY:
            terminalreporter.write_line(line)
        for name in (
            "kills survived",
            "hostile files tried",
            "hostile arguments tried",
            "YAML bombs rejected",
            "outputs refused",
            "internal errors",
        ):
            if name in COUNTS or (name == "internal errors" and COUNTS):
                terminalreporter.write_line(f"{name}: {COUNTS.get(name, 0)}")
