"""`vidagent serve` speed: /api/search latency (warm, over real HTTP) and time to first results in a browser.

Starts the real server (uvicorn, in this process) on a store, then:
- sends each query of QUERIES `--rounds` times over one keep-alive HTTP connection after a warm-up and
  reports p50/p95/max of the wall time per request (what the page waits for);
- drives headless Chromium (Debian's `chromium`, Playwright): types a query, presses Enter and measures,
  inside the page, the time from the key press to the first result cards painted (two animation
  frames after they enter the DOM), and to the first thumbnail decoded and shown;
- optionally saves a screenshot of the page with real results, a playing hit and an answer (`--shot`).

    python benchmarks/bench_serve.py --store /tmp/serve_film_store \
        [--index ../shared/corpus/large/moviepy_bbb_full.mp4] [--shot docs/serve.png]
    python benchmarks/bench_serve.py --store /tmp/serve_100k --synthetic 100000

`--index` indexes the video into the store first when the store does not exist yet. `--synthetic N`
builds a store of N made-up clips (random vectors, word-list captions) and times the API at that scale.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import threading
import time
from pathlib import Path
from typing import Any

QUERIES = [
    "a rabbit in a meadow",
    "a butterfly",
    "a bird on a branch",
    "the end credits",
    "financial support from the Digital Pioneers fund",
    "a squirrel in a tree",
    "an apple falling",
    "trees in a forest",
    "a flying squirrel gliding",
    "a big rabbit smiling",
]
WORDS = (
    "rabbit meadow bird branch tree forest river car street dog cat sign text credits sky night city person "
    "walking talking running water boat bridge mountain snow beach sunset door window kitchen table book "
    "screen phone ball field crowd stage music light red blue green yellow"
)
SHOT_QUERY = "a big rabbit in a meadow"
SHOT_QUESTION = "Which fund supported the film?"

FIRST_PAINT_JS = """(q) => new Promise((resolve) => {
  const grid = document.getElementById('grid');
  grid.replaceChildren();
  const input = document.getElementById('q');
  input.value = q;
  let t0 = 0, cards = 0;
  const obs = new MutationObserver(() => {
    if (cards || !grid.querySelector('.hit')) return;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      cards = performance.now() - t0;
      const img = grid.querySelector('.hit img');
      const done = () => resolve({cards_ms: cards, thumb_ms: performance.now() - t0});
      if (img.complete && img.naturalWidth) done(); else img.addEventListener('load', done, {once: true});
    }));
  });
  obs.observe(grid, {childList: true});
  t0 = performance.now();
  document.getElementById('search-form').requestSubmit();
})"""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def start_server(store: Path) -> tuple[Any, str, Any]:
    import uvicorn

    from vidagent.serve.app import create_app
    from vidagent.serve.library import ServeLibrary

    lib = ServeLibrary(store)
    server = uvicorn.Server(uvicorn.Config(create_app(lib), host="127.0.0.1", port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}", lib


def api_latency(url: str, rounds: int) -> dict[str, Any]:
    import httpx

    walls, server_ms = [], []
    with httpx.Client(base_url=url, timeout=60) as c:
        t = time.perf_counter()
        c.get("/api/search", params={"q": "warm up"}).raise_for_status()
        cold_ms = (time.perf_counter() - t) * 1000
        for q in QUERIES:  # warm: every query once
            c.get("/api/search", params={"q": q})
        for _ in range(rounds):
            for q in QUERIES:
                t = time.perf_counter()
                r = c.get("/api/search", params={"q": q, "limit": 24})
                walls.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
                server_ms.append(r.json()["elapsed_ms"])
    return {
        "requests": len(walls),
        "first_request_ms": round(cold_ms, 1),
        "p50_ms": round(pct(walls, 50), 1),
        "p95_ms": round(pct(walls, 95), 1),
        "max_ms": round(max(walls), 1),
        "server_p95_ms": round(pct(server_ms, 95), 1),
    }


def browser_first_results(url: str, chromium: str, shot: Path | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--mute-audio", "--autoplay-policy=no-user-gesture-required"],
        )
        page = b.new_page(viewport={"width": 1440, "height": 900})
        t = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready='1']")
        out["page_ready_ms"] = round((time.perf_counter() - t) * 1000, 1)
        cold = [page.evaluate(FIRST_PAINT_JS, q) for q in QUERIES]  # thumbnails decoded for the first time
        warm = [page.evaluate(FIRST_PAINT_JS, q) for q in QUERIES]  # thumbnails cached
        for name, runs in (("first_visit", cold), ("repeat", warm)):
            cards = [r["cards_ms"] for r in runs]
            thumbs = [r["thumb_ms"] for r in runs]
            out[name] = {
                "cards_painted_median_ms": round(statistics.median(cards), 1),
                "cards_painted_max_ms": round(max(cards), 1),
                "first_thumbnail_median_ms": round(statistics.median(thumbs), 1),
                "first_thumbnail_max_ms": round(max(thumbs), 1),
            }
        if shot is not None:
            save_shot(page, shot)
        b.close()
    return out


def save_shot(page: Any, shot: Path) -> None:
    """The page as a person would leave it: results, a hit playing, an answer with citations."""
    from PIL import Image

    page.fill("#q", SHOT_QUERY)
    page.press("#q", "Enter")
    page.wait_for_function(
        "(q) => document.getElementById('info').textContent.includes(q) && "
        "[...document.querySelectorAll('.hit img')].slice(0, 9)"
        ".every(i => i.complete && i.naturalWidth > 0)",
        arg=SHOT_QUERY,
        timeout=120000,
    )
    page.click(".hit >> nth=0")
    page.wait_for_function(
        "() => { const v = document.getElementById('player'); return v.readyState >= 2 && !v.seeking; }", timeout=30000
    )
    page.wait_for_timeout(1200)
    page.evaluate("document.getElementById('player').pause()")
    page.fill("#question", SHOT_QUESTION)
    page.press("#question", "Enter")
    page.wait_for_selector(".cite img", timeout=120000)
    page.wait_for_function("() => [...document.querySelectorAll('.cite img')].every(i => i.complete)")
    png = page.screenshot()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((1280, 800), Image.Resampling.LANCZOS)
    # A 256-colour palette keeps the PNG small (docs should stay light) and looks the same at this size.
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
        shot, optimize=True
    )


def synthetic_store(store: Path, clips: int, per_video: int = 1000, seed: int = 0) -> None:
    """A store of `clips` clips (random unit vectors, captions of random everyday words) for scale timing.

    The videos all point at one real file (their hashes are made up): search and paging are what is
    measured here, not playback.
    """
    import numpy as np

    from vidagent.store import Store
    from vidagent.types import Clip, Description, VideoInfo

    words = WORDS.split()
    rng = np.random.default_rng(seed)
    film = str(Path(__file__).resolve().parents[1].parent / "shared/corpus/large/moviepy_bbb_full.mp4")
    st = Store(store)
    try:
        for v in range(0, clips, per_video):
            n = min(per_video, clips - v)
            vh = f"{v:032x}"
            st.upsert_video(
                VideoInfo(
                    path=film,
                    hash=vh,
                    size=1,
                    duration=n * 5.0,
                    fps=24.0,
                    width=1280,
                    height=720,
                    video_codec="h264",
                    frame_count=n * 120,
                )
            )
            plan = ("p" + vh)[:32]
            batch = [Clip(f"c{v + i:015x}", vh, i, i * 5.0, i * 5.0 + 5.0, (i * 5.0 + 2.5,)) for i in range(n)]
            st.put_clips(plan, batch)
            items, vecs = [], []
            for c in batch:
                cap = "Scene: " + ", ".join(rng.choice(words, 4, replace=False))
                items.append(
                    (
                        c,
                        Description(
                            caption=cap, tags=[(w, 0.5) for w in cap[7:].split(", ")], frame_times=[c.start + 2.5]
                        ),
                    )
                )
                t, vis = rng.standard_normal((2, 384)).astype(np.float32)
                vecs.append(
                    {
                        "text:minilm": (t / np.linalg.norm(t), "minilm"),
                        "visual:minilm": (vis / np.linalg.norm(vis), "minilm"),
                    }
                )
            st.put_descriptions(vh, "dsynthetic", "synthetic", "synthetic", None, items, vecs)
            st.set_active(vh, plan, "dsynthetic")
    finally:
        st.close()


def scale_latency(url: str, rounds: int) -> dict[str, Any]:
    """Search p95, and listing one video's clips at its first and last page (OFFSET paging)."""
    import httpx

    out = api_latency(url, rounds)
    with httpx.Client(base_url=url, timeout=60) as c:
        videos = c.get("/api/videos").json()
        h, n = videos[-1]["hash"], videos[-1]["clips"]
        for name, offset in (("first_page", 0), ("last_page", max(0, n - 48))):
            times = []
            for _ in range(20):
                t = time.perf_counter()
                c.get(f"/api/videos/{h}/clips", params={"offset": offset, "limit": 48}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
            out[f"clips_{name}_p95_ms"] = round(pct(times, 95), 1)
        t = time.perf_counter()
        c.get("/api/videos").raise_for_status()
        out["videos_list_ms"] = round((time.perf_counter() - t) * 1000, 1)
        deep = []
        for q in QUERIES:
            t = time.perf_counter()
            c.get("/api/search", params={"q": q, "offset": 900, "limit": 100}).raise_for_status()
            deep.append((time.perf_counter() - t) * 1000)
        out["search_page_900_1000_p95_ms"] = round(pct(deep, 95), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, default=Path("/tmp/serve_film_store"))
    ap.add_argument("--index", type=Path, help="video to index into the store first if it does not exist")
    ap.add_argument("--rounds", type=int, default=10, help="times each query is sent (warm)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--shot", type=Path, help="save a screenshot of the page here (PNG)")
    ap.add_argument(
        "--synthetic",
        type=int,
        default=0,
        help="build a store of this many synthetic clips at --store first (API timing only)",
    )
    args = ap.parse_args()

    if args.synthetic:
        if not (args.store / "vidagent.db").exists():
            t = time.perf_counter()
            synthetic_store(args.store, args.synthetic)
            print(f"built {args.synthetic} synthetic clips in {time.perf_counter() - t:.1f} s")
        server, url, lib = start_server(args.store)
        try:
            result = {
                "store": str(args.store),
                "clips": lib.status()["clips"],
                "api": scale_latency(url, max(1, args.rounds // 5)),
            }
        finally:
            server.should_exit = True
            lib.close()
        print(json.dumps(result, indent=2))
        return

    if not (args.store / "vidagent.db").exists():
        if args.index is None:
            raise SystemExit(f"{args.store}: no store; pass --index VIDEO to build it")
        import vidagent

        t = time.perf_counter()
        vidagent.index(args.index, store=args.store)
        print(f"indexed {args.index} in {time.perf_counter() - t:.1f} s")
    # Thumbnails are a cache: start without it, so "first visit" measures decoding them too.
    shutil.rmtree(args.store / "thumbs", ignore_errors=True)
    server, url, lib = start_server(args.store)
    try:
        status = lib.status()
        result = {
            "store": str(args.store),
            "videos": status["videos"],
            "clips": status["clips"],
            "api_search": api_latency(url, args.rounds),
            "browser": browser_first_results(url, args.chromium, args.shot),
        }
    finally:
        server.should_exit = True
        lib.close()
    print(json.dumps(result, indent=2))
    if args.shot:
        print(f"screenshot: {args.shot} ({args.shot.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
