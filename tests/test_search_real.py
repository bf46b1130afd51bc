"""Search with the real offline models on real pictures and the real film (no test doubles)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vidagent

pytestmark = pytest.mark.slow

STILLS = [
    "opencv_fruits.jpg",
    "skimage_coffee.png",
    "gradio_cheetah.jpg",
    "skimage_rocket.jpg",
    "skimage_horse.png",
    "opencv_butterfly.jpg",
    "skimage_motorcycle_left.png",
    "skimage_chelsea.png",
]


def stills_video(corpus: Path, out: Path, seconds: float = 2.0, fps: int = 10) -> tuple[Path, dict[str, float]]:
    """A video of stills, one shot each (letterboxed to 320x240); returns the start time of each still."""
    import av
    from PIL import Image

    starts = {}
    with av.open(str(out), "w") as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        n = 0
        for name in STILLS:
            img = Image.open(corpus / "stills" / name).convert("RGB")
            img.thumbnail((320, 240))
            canvas = Image.new("RGB", (320, 240))
            canvas.paste(img, ((320 - img.width) // 2, (240 - img.height) // 2))
            arr = np.asarray(canvas)
            starts[name] = n / fps
            for _ in range(int(seconds * fps)):
                for p in s.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                    c.mux(p)
                n += 1
        for p in s.encode():
            c.mux(p)
    return out, starts


def test_a_cup_of_coffee_finds_the_coffee_shot(corpus: Path, tmp_path: Path) -> None:
    video, starts = stills_video(corpus, tmp_path / "stills.mp4")
    report = vidagent.index(video, store=tmp_path / "st")
    assert report.files[0].status == "indexed"
    assert report.files[0].clips == len(STILLS)  # one clip per still: the cuts between stills are found
    hits = vidagent.search("a cup of coffee", store=tmp_path / "st", top_k=3)
    coffee = starts["skimage_coffee.png"]
    assert hits[0].start == pytest.approx(coffee, abs=0.15), [(h.start, h.caption) for h in hits]
    assert any(t in hits[0].tags for t in ("espresso", "cup", "coffee mug"))
    hits = vidagent.search("a big cat", store=tmp_path / "st", top_k=1)
    assert hits[0].start in (
        pytest.approx(starts["gradio_cheetah.jpg"], abs=0.15),
        pytest.approx(starts["skimage_chelsea.png"], abs=0.15),
    )


def test_digital_pioneers_search_returns_the_credits(bbb_store: Path) -> None:
    hits = vidagent.search("financial support from the Digital Pioneers fund", store=bbb_store, top_k=3)
    assert any(560 <= h.start <= 590 or (h.start <= 575 <= h.end) for h in hits), [(h.start, h.end) for h in hits]
    credits = [h for h in hits if any("pioneers" in line.lower() for line in h.ocr)]
    assert credits, [h.ocr for h in hits]
