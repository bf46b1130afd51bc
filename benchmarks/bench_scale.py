"""A store of N clips with caption-like vectors: search latency, recall, fresh-process cost, adds, memory.

    python benchmarks/bench_scale.py --clips N [--json] [--store DIR] [--queries 200]

Builds the store through the store's own API (videos, clip plans, descriptions with their keyword
rows and vectors, then the FAISS shards), in batches of 10,000 clips, then prints one JSON object:

    clips, open_s, search_p50_ms, search_p95_ms, recall_at_10, add_100_s, rss_gb   (+ details)

- vectors look like real ones, not random ones (random vectors are the worst case of any
  approximate index). A clip's caption is composed from generated phrase components (subject,
  action, place, ImageNet labels, on-screen-text-like strings, transcript-like sentences); each
  component is embedded once with the real MiniLM embedder, and the clip's vector is the normalised
  weighted sum of its components' vectors plus a little noise. MiniLM mean-pools token states, so a
  text's embedding is close to the weighted mean of its parts' embeddings: `composition_cosine`
  reports the cosine between the composed vector and the real MiniLM embedding of the composed text
  on a sample (embedding a million captions for real would take hours on 2 cores).
- queries are generated the same way (new combinations) and go through `vidagent.search` (keyword +
  vector fusion, warm: the store is opened once per search as the API does, the process is warm).
- recall_at_10: the vector index's top 10 vs exact inner-product search over the same vectors.
- open_s and rss_gb: one fresh `vidagent search` process (wall time, peak RSS).
- add_100_s: 100 new clips written and their shard saved, on the built store.
- search_cpu_ms (CPU per warm search), open_cpu_s (user + sys of the fresh process) and
  load_during_searches: wall times on a shared machine are inflated by others' load, CPU less so.
- postings_reuse_s: on a store built by earlier code, the keyword postings arrays built by
  `save_indexes` before measuring (store/postings.py); a fresh build includes them in build_s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SUBJECTS = """a man|a woman|a child|two people|a group of people|a crowd|a dog|a cat|a bird|a horse|a cyclist|
a runner|a driver|a police officer|a chef|a teacher|a musician|a football player|a reporter|a farmer|an old man|
a young woman|a boy|a girl|a couple|a family|workers|students|soldiers|tourists|a rabbit|a squirrel|a cow|
a presenter|a scientist|a doctor|a nurse|a pilot|a sailor|a skier|a swimmer|a dancer|a singer|a baby|a robot|
a cartoon character|an animated bunny|a butterfly|a fish|a duck""".replace("\n", "").split("|")
ACTIONS = """walking along|running across|sitting on|standing next to|talking in|driving through|riding a bike on|
cooking in|playing football on|dancing in|singing on|reading a book in|waving at the camera in|eating lunch in|
looking at a map in|painting a wall in|climbing|jumping over a fence in|swimming in|flying over|crossing|
waiting at|shopping in|working at a desk in|typing on a laptop in|giving a speech in|playing guitar in|
laughing in|sleeping in|fixing a car in|carrying boxes through|pointing at a screen in|filming|repairing a roof in|
skating in|fishing at|chasing a ball in|hugging someone in|drinking coffee in|writing on a whiteboard in""".replace(
    "\n", ""
).split("|")
PLACES = """a busy street|a park|a kitchen|a classroom|an office|a beach|a forest|a mountain road|a city square|
a train station|an airport|a supermarket|a stadium|a concert stage|a living room|a garden|a river bank|
a snowy field|a desert|a harbour|a factory floor|a hospital corridor|a laboratory|a library|a parking lot|
a bridge|a farm|a meadow|a rooftop|a subway platform|a racetrack|a bakery|a gym|a church|a museum|
a night market|a highway|a lake|a cave|a small village""".replace("\n", "").split("|")
OCR_WORDS = """EXIT|SALE|OPEN|STOP|NEWS|LIVE|BREAKING|WELCOME|PARKING|HOTEL|CAFE|POLICE|TAXI|BUS|PLATFORM|GATE|
SCORE|GOAL|CHAPTER|EPISODE|PRICE|MENU|SPECIAL|TODAY|WEATHER|TRAFFIC|MARKET|BANK|PHARMACY|SCHOOL""".replace(
    "\n", ""
).split("|")
SPEECH = """we are going to|today I want to show you|look at|this is how we|remember to|let me explain|
you can see|the next step is to|thank you for watching|don't forget to|here we have|I think we should|
the most important thing is|after that we|now we will""".replace("\n", "").split("|")
SPEECH_OBJ = """the engine|the recipe|the results|the new design|our garden|the old bridge|the final score|
the weather tomorrow|the history of the city|the experiment|the paint colour|the map|this song|
the training plan|the budget|the schedule|the market prices|the election|the festival|the wildlife""".replace(
    "\n", ""
).split("|")

SPACE_WEIGHTS = (1.0, 0.8, 0.7, 0.35, 0.3, 0.35)  # subject, action, place, tags, ocr, speech


class Components:
    """Phrase components with their real MiniLM embeddings, and clips composed from them."""

    def __init__(self, rng: np.random.Generator) -> None:
        from vidagent.describe import get_embedder
        from vidagent.perception.tagger import imagenet_labels

        self.rng = rng
        self.emb = get_embedder("minilm")
        self.labels = [x.split(",")[0] for x in imagenet_labels()]
        self.ocr = sorted({f"{rng.choice(OCR_WORDS)} {int(rng.integers(1, 99))}" for _ in range(600)})
        self.speech = [f"{a} {b}" for a in SPEECH for b in SPEECH_OBJ]
        self.groups = [SUBJECTS, ACTIONS, PLACES, self.labels, self.ocr, self.speech]
        flat = [t for g in self.groups for t in g]
        t0 = time.perf_counter()
        vecs = np.asarray(self.emb.embed_batch(flat), dtype=np.float32)
        self.embed_s = time.perf_counter() - t0
        self.vecs, at = [], 0
        for g in self.groups:
            self.vecs.append(vecs[at : at + len(g)])
            at += len(g)

    def clips(self, n: int, noise: float = 0.03) -> tuple[list[dict[str, object]], np.ndarray]:
        """n generated descriptions (caption, tags, ocr, transcript) and their composed vectors."""
        r = self.rng
        picks = [r.integers(0, len(g), size=(n, 2 if i == 3 else 1)) for i, g in enumerate(self.groups)]
        has_ocr = r.random(n) < 0.3
        has_speech = r.random(n) < 0.5
        w = SPACE_WEIGHTS
        vec = (
            w[0] * self.vecs[0][picks[0][:, 0]]
            + w[1] * self.vecs[1][picks[1][:, 0]]
            + w[2] * self.vecs[2][picks[2][:, 0]]
            + w[3] * (self.vecs[3][picks[3][:, 0]] + self.vecs[3][picks[3][:, 1]]) / 2
            + (w[4] * has_ocr)[:, None] * self.vecs[4][picks[4][:, 0]]
            + (w[5] * has_speech)[:, None] * self.vecs[5][picks[5][:, 0]]
        )
        vec += noise * r.standard_normal(vec.shape).astype(np.float32)
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        out = []
        for i in range(n):
            tags = [self.labels[picks[3][i, 0]], self.labels[picks[3][i, 1]]]
            out.append(
                {
                    "caption": f"{SUBJECTS[picks[0][i, 0]]} {ACTIONS[picks[1][i, 0]]} {PLACES[picks[2][i, 0]]}; "
                    f"{', '.join(tags)}",
                    "tags": tags,
                    "ocr": [self.ocr[picks[4][i, 0]]] if has_ocr[i] else [],
                    "transcript": self.speech[picks[5][i, 0]] if has_speech[i] else "",
                }
            )
        return out, vec.astype(np.float32)

    def composition_cosine(self, sample: int = 200) -> float:
        """Mean cosine between composed vectors and MiniLM's embedding of the same composed text."""
        items, vecs = self.clips(sample, noise=0.0)
        texts = [f"{d['caption']}. {' '.join(d['ocr'])} {d['transcript']}".strip() for d in items]  # type: ignore[arg-type]
        real = np.asarray(self.emb.embed_batch(texts), dtype=np.float32)
        return float(np.mean(np.sum(real * vecs, axis=1)))

    def queries(self, n: int) -> list[str]:
        r = self.rng
        out = []
        for i in range(n):
            kind = i % 3
            if kind == 0:
                out.append(
                    f"{SUBJECTS[r.integers(len(SUBJECTS))]} {ACTIONS[r.integers(len(ACTIONS))]} "
                    f"{PLACES[r.integers(len(PLACES))]}"
                )
            elif kind == 1:
                out.append(f"{SUBJECTS[r.integers(len(SUBJECTS))]} in {PLACES[r.integers(len(PLACES))]}")
            else:
                out.append(
                    f"{self.labels[r.integers(len(self.labels))]} {ACTIONS[r.integers(len(ACTIONS))]} "
                    f"{PLACES[r.integers(len(PLACES))]}"
                )
        return out


def add_clips(store: object, comps: Components, n: int, video_no: int, space: str) -> np.ndarray:
    """One video of n clips through the store API (video, plan, descriptions + vectors)."""
    from vidagent.types import Clip, Description, VideoInfo

    st = store  # a vidagent Store
    h = f"bench{video_no:011d}"
    info = VideoInfo(
        path=f"/bench/video{video_no}.mp4",
        hash=h,
        size=n * 1000,
        duration=n * 5.0,
        fps=25.0,
        width=640,
        height=360,
        video_codec="h264",
        frame_count=n * 125,
    )
    st.upsert_video(info)  # type: ignore[attr-defined]
    plan_key = f"plan{video_no:012d}"
    clips = [Clip(f"v{video_no:09d}c{i:07d}", h, i, i * 5.0, i * 5.0 + 5.0, (i * 5.0 + 2.5,)) for i in range(n)]
    st.put_clips(plan_key, clips)  # type: ignore[attr-defined]
    st.set_active(h, plan_key, "bench-describer")  # type: ignore[attr-defined]
    items, vecs = comps.clips(n)
    descs = [
        Description(
            caption=str(d["caption"]),
            tags=[(t, 0.5) for t in d["tags"]],  # type: ignore[attr-defined]
            ocr=list(d["ocr"]),
            transcript=str(d["transcript"]),
            frame_times=[c.keyframes[0]],
        )  # type: ignore[call-overload]
        for d, c in zip(items, clips, strict=True)
    ]
    st.put_descriptions(
        h,
        "bench-describer",
        "bench",
        "bench/v1",
        None,  # type: ignore[attr-defined]
        list(zip(clips, descs, strict=True)),
        [{space: (v, "sentence-transformers/all-MiniLM-L6-v2")} for v in vecs],
    )
    return vecs


def fresh_search(store: str, query: str) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (GB) and CPU seconds (user + sys) of one fresh `vidagent search` process
    (VmHWM: ru_maxrss would carry over the forking parent's size across exec)."""
    code = (
        "import resource, sys, time; t = time.perf_counter(); from vidagent.cli import main; "
        "sys.argv = ['vidagent', 'search', sys.argv[1], '--store', sys.argv[2], '-k', '10']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0].split()[1]\n"
        "print('RSS', hwm, file=sys.stderr)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, query, store], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_kb = int([ln for ln in p.stderr.splitlines() if ln.startswith("RSS")][-1].split()[1])
    return wall, rss_kb / 1024 / 1024, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, required=True)
    ap.add_argument("--json", action="store_true", help="print only the JSON object")
    ap.add_argument("--store", help="build here (kept) instead of a temporary folder; reused when it holds N clips")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    log = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr, flush=True))

    import vidagent
    from vidagent.config import load_settings
    from vidagent.store import Store

    tmp = None if args.store else tempfile.TemporaryDirectory(prefix="bench_scale_")
    root = Path(args.store or tmp.name)  # type: ignore[union-attr]
    rng = np.random.default_rng(0)
    comps = Components(rng)
    space = f"text:{comps.emb.name}"
    log(f"{sum(len(g) for g in comps.groups)} components embedded in {comps.embed_s:.1f} s")

    t0 = time.perf_counter()
    st = Store(root)
    have = st.stats()["descriptions"]
    if have < args.clips:
        if have:
            raise SystemExit(f"{root} holds {have} clips, fewer than {args.clips}: use an empty --store")
        per_video = 10_000
        done = 0
        while done < args.clips:
            n = min(per_video, args.clips - done)
            add_clips(st, comps, n, done // per_video, space)
            done += n
            log(f"  {done} clips written ({time.perf_counter() - t0:.0f} s)")
        t_rows = time.perf_counter() - t0
        st.save_indexes()
        build_s = time.perf_counter() - t0
        log(f"built: rows {t_rows:.0f} s, vector shards + keyword postings {build_s - t_rows:.0f} s")
    else:
        build_s = t_rows = 0.0
        st.save_indexes()  # a store built by earlier code: its keyword postings arrays are built here once
    postings_s = time.perf_counter() - t0 - build_s
    st.close()

    settings = load_settings(None)
    queries = comps.queries(args.queries)
    # exact top 10 over the same vectors (chunked), for recall of the index the searches use
    from vidagent.describe import get_embedder

    emb = get_embedder(settings.embed.embedder)
    qv = np.stack([emb.embed(q) for q in queries]).astype(np.float32)
    st = Store(root, create=False)
    idx = st.index(space)
    # exact top 10 by brute force over every vector the database holds (independent of FAISS)
    best = np.full((len(queries), 10), -1, dtype=np.int64)
    best_s = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    for ids, vecs in st.vector_rows(space, 0):
        sc = qv @ vecs.T
        cand = np.concatenate([best_s, sc], axis=1)
        cid = np.concatenate([best, np.broadcast_to(ids, sc.shape)], axis=1)
        top = np.argsort(-cand, axis=1)[:, :10]
        best_s, best = np.take_along_axis(cand, top, 1), np.take_along_axis(cid, top, 1)
    log(f"exact ground truth done ({time.perf_counter() - t0:.0f} s)")
    recalls, vec_ms = [], []
    for i, q in enumerate(qv):
        t = time.perf_counter()
        got = {i_ for i_, _ in idx.search(q, 10)}
        vec_ms.append((time.perf_counter() - t) * 1000)
        recalls.append(len(got & set(best[i].tolist())) / 10)
    st.close()

    for q in queries[:5]:  # warm-up: embedder loaded, pages of the index touched once
        vidagent.search(q, store=root, config=settings)
    lat = []
    cpu0 = time.process_time()
    for q in queries:
        t = time.perf_counter()
        vidagent.search(q, store=root, config=settings)
        lat.append((time.perf_counter() - t) * 1000)
    search_cpu_ms = (time.process_time() - cpu0) / len(queries) * 1000
    load = os.getloadavg()[0]

    st = Store(root)
    t = time.perf_counter()
    add_clips(st, comps, 100, 900_000_000 + have + int(time.time()) % 100_000, space)
    st.save_indexes()
    add_s = time.perf_counter() - t
    st.close()

    fresh = [fresh_search(str(root), q) for q in queries[:3]]
    st = Store(root, create=False)
    shards = [f"{s.kind}:{s.ntotal}" + (f"/nlist={s.nlist}" if s.kind == "ivf" else "") for s in st.index(space).shards]
    st.close()
    result = {
        "clips": args.clips,
        "open_s": round(float(np.median([w for w, _, _ in fresh])), 3),
        "search_p50_ms": round(float(np.percentile(lat, 50)), 2),
        "search_p95_ms": round(float(np.percentile(lat, 95)), 2),
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "add_100_s": round(add_s, 3),
        "rss_gb": round(max(r for _, r, _ in fresh), 3),
        "open_cpu_s": round(float(np.median([c for _, _, c in fresh])), 3),
        "search_cpu_ms": round(search_cpu_ms, 2),
        "load_during_searches": round(load, 1),
        "vector_p50_ms": round(float(np.percentile(vec_ms, 50)), 2),
        "vector_p95_ms": round(float(np.percentile(vec_ms, 95)), 2),
        "shards": shards,
        "build_s": round(build_s, 1),
        "build_rows_s": round(t_rows, 1),
        "postings_reuse_s": round(postings_s, 1),
        "composition_cosine": round(comps.composition_cosine(), 3),
        "bench_peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2),
    }
    print(json.dumps(result))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
