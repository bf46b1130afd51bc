"""What the reliability checks cost (issue 16), measured in one run on this machine:

    python benchmarks/bench_reliability.py [--store STORE_DIR]

- probe with the truncation check (a seek near the promised end) vs without, over the corpus files;
- probe of the full film cut to 45% of its bytes (the packet scan that finds where data stops);
- SQLite quick check, which `index`/`caption` run before writing (on --store, read-only);
- refusing an alias bomb of depth 8 (9**8 values) in a 622-byte settings file.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import vidagent.video.decode as dec
from vidagent.errors import VidagentError

CORPUS = Path(os.environ.get("VIDAGENT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
SKIP = (".txt", ".json", ".tsv", ".md", ".png", ".jpg")


def probe_cost() -> None:
    files = sorted(
        str(f)
        for d in ("small", "large", "stitched")
        for f in (CORPUS / d).glob("*")
        if f.is_file() and not f.name.endswith(SKIP)
    )
    real = dec._decodable_end
    totals = {"with": 0.0, "without": 0.0}
    flagged = []
    for f in files:
        for mode in ("without", "with", "without", "with"):  # interleaved, twice: warm caches alike
            dec._decodable_end = real if mode == "with" else (lambda *a: None)
            t = time.perf_counter()
            try:
                info = dec.probe(f, file_hash="-")
            except VidagentError:
                continue
            totals[mode] += (time.perf_counter() - t) / 2
            if mode == "with" and info.truncated:
                flagged.append(f)
    dec._decodable_end = real
    n = len(files)
    print(
        f"probe, {n} corpus files: {1000 * totals['without'] / n:.1f} ms/file without the truncation check, "
        f"{1000 * totals['with'] / n:.1f} ms/file with it; flagged as truncated: {len(flagged)}"
    )
    film = CORPUS / "large" / "moviepy_bbb_full.mp4"
    if film.exists():
        with tempfile.TemporaryDirectory() as d:
            cut = Path(d) / "cut.mp4"
            data = film.read_bytes()
            cut.write_bytes(data[: int(len(data) * 0.45)])
            t = time.perf_counter()
            info = dec.probe(str(cut), file_hash="-")
            print(
                f"probe of the film cut to 45%: {time.perf_counter() - t:.2f} s; "
                f"header {info.header_duration:.1f} s, decodable {info.duration:.1f} s"
            )


def quick_check(store: Path) -> None:
    db = store / "vidagent.db"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        n = conn.execute("SELECT count(*) FROM descriptions").fetchone()[0]
        t = time.perf_counter()
        conn.execute("PRAGMA quick_check(5)").fetchall()
        print(
            f"quick check of {db} ({db.stat().st_size / 1e6:.0f} MB, {n} descriptions): {time.perf_counter() - t:.2f} s"
        )
    finally:
        conn.close()


def yaml_bomb() -> None:
    from vidagent.safe_yaml import load_text

    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "\n".join(lines) + "\n"
    t = time.perf_counter()
    try:
        load_text(text, "bomb.yaml")
    except VidagentError:
        pass
    print(f"alias bomb ({len(text)} bytes, 9**8 values): refused in {1000 * (time.perf_counter() - t):.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, help="a store to time SQLite's quick check on (read-only)")
    args = ap.parse_args()
    probe_cost()
    if args.store:
        quick_check(args.store)
    yaml_bomb()


if __name__ == "__main__":
    main()
