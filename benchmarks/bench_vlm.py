"""Clips per minute and peak GPU memory for each VLM backend and frames-per-clip setting.

Runs on the tiny random-weight checkpoints from tests/vlm/tiny_models.py (no real weights exist offline),
so the figures measure vidagent's per-clip overhead (processor, batching, generate loop, pooling), not a
7B model's speed. Pass --model NAME=DIR to time a real checkpoint instead.

    python benchmarks/bench_vlm.py --device cpu --frames 2,4,8 --clips 8
    python benchmarks/bench_vlm.py --device cuda --frames 4,8,16 --clips 32 --json out.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_tiny_models() -> Any:
    """Import tests/vlm/tiny_models.py by path (tests/ is not a package)."""
    path = ROOT / "tests" / "vlm" / "tiny_models.py"
    spec = importlib.util.spec_from_file_location("tiny_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_items(n: int, frames: int, side: int) -> list[Any]:
    import numpy as np

    from vidagent.types import Clip, ClipInput, Frame, VideoInfo

    rng = np.random.default_rng(0)
    video = VideoInfo("bench.mp4", "bh", 1, 2.0 * n, 25.0, side, side, "h264", 50 * n)
    return [
        ClipInput(
            Clip(f"c{i}", "bh", i, 2.0 * i, 2.0 * i + 2.0, ()),
            video,
            [
                Frame(2.0 * i + 2.0 * k / frames, rng.integers(0, 256, (side, side, 3), dtype=np.uint8))
                for k in range(frames)
            ],
        )
        for i in range(n)
    ]


def bench(
    name: str,
    model_dir: str,
    device: str,
    frames: int,
    clips: int,
    batch: int,
    tokens: int,
    side: int,
    dtype: str,
    repeat: int,
) -> dict[str, Any]:
    """Best of `repeat` timed passes over `clips` clips (a shared machine's noise only ever slows a pass)."""
    import torch

    from vidagent.config import DescribeConfig
    from vidagent.describe import registered_describers, resolve

    opts = {"model": model_dir, "device": device, "dtype": dtype, "num_frames": frames, "max_new_tokens": tokens}
    d = resolve(registered_describers()[name].target)(DescribeConfig(describer=name, batch_size=batch, options=opts))
    items = make_items(clips, frames, side)
    d.describe_batch(items[:batch])  # warm-up: load, first kernels
    cuda = device.startswith("cuda")
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    secs = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = d.describe_batch(items)
        if cuda:
            torch.cuda.synchronize()
        secs = min(secs, time.perf_counter() - t0)
    peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else None
    errors = sum("error" in x.extra for x in out)
    row = {
        "backend": name, "device": device, "dtype": out[0].extra["dtype"], "frames": frames,
        "frames_used": out[0].extra["frames_used"], "clips": clips, "batch": batch, "repeat": repeat, "max_new_tokens": tokens,
        "seconds": round(secs, 3), "clips_per_min": round(60 * clips / secs, 1),
        "peak_gpu_mib": None if peak is None else round(peak, 1), "errors": errors,
        "new_tokens_mean": round(sum(x.extra.get("new_tokens", 0) for x in out) / len(out), 1),
    }  # fmt: skip
    del d
    if cuda:
        torch.cuda.empty_cache()
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="auto")
    p.add_argument("--backends", default="video-llava,llava-onevision,qwen-vl,smolvlm2")
    p.add_argument("--frames", default="2,4,8", help="comma-separated frames-per-clip settings")
    p.add_argument("--clips", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--max-new-tokens", type=int, default=16)
    p.add_argument("--repeat", type=int, default=3, help="timed passes; the fastest is reported")
    p.add_argument("--side", type=int, default=64, help="frame width=height in pixels")
    p.add_argument("--model", action="append", default=[], help="NAME=DIR: time this checkpoint for backend NAME")
    p.add_argument("--json", help="also write the rows here")
    args = p.parse_args()

    import torch

    torch.manual_seed(0)
    dirs = dict(m.split("=", 1) for m in args.model)
    names = [n for n in args.backends.split(",") if n]
    with tempfile.TemporaryDirectory() as tmp:
        tiny = load_tiny_models()
        for n in names:
            if n not in dirs:
                dirs[n] = str(tiny.BUILDERS[n](Path(tmp) / n))
        rows = []
        for n in names:
            for f in (int(x) for x in args.frames.split(",")):
                row = bench(
                    n,
                    dirs[n],
                    args.device,
                    f,
                    args.clips,
                    args.batch_size,
                    args.max_new_tokens,
                    args.side,
                    args.dtype,
                    args.repeat,
                )
                rows.append(row)
                print(json.dumps(row), flush=True)
    gpu = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "cpu"
    print(f"\n{'backend':16} {'frames':>6} {'clips/min':>10} {'peak GPU MiB':>13}  ({gpu}, torch {torch.__version__})")
    for r in rows:
        peak = "n/a" if r["peak_gpu_mib"] is None else f"{r['peak_gpu_mib']:.1f}"
        print(f"{r['backend']:16} {r['frames']:>6} {r['clips_per_min']:>10.1f} {peak:>13}")
    if args.json:
        Path(args.json).write_text(json.dumps({"device": gpu, "torch": torch.__version__, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
