"""Re-reading retrieved clips when stored evidence holds no answer: dense OCR and speech with word times.

Stored evidence is 3 keyframes at 448 px; scrolling credits and slides need more. A re-query reads
the clip at >= 1 frame/s at up to 1280 px (`ocr-dense`), and transcribes the clip's audio with word
timestamps (`speech-words`). Results are cached in the store (`evidence_cache`) keyed by clip + kind +
model + settings, so asking again costs a lookup. Each re-query returns its cost for the JSON steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..store import ClipRecord, Store
from ..store.evidence import cache_key
from ..types import Segment, TextBox
from .compose import ClipEvidence

DENSE_FPS = 1.0
DENSE_WIDTH = 1280
MAX_FRAMES = 16  # a long clip is read at evenly spaced times, at most this many


def stored_evidence(store: Store, row: ClipRecord | dict[str, Any], transcript: list[Segment] | None) -> ClipEvidence:
    """A clip's evidence as indexed: its text boxes (or flat lines for older stores), speech, tags."""
    boxes = store.evidence.boxes(int(row["description_id"]))
    start, end = float(row["start"]), float(row["end"])
    speech = [s for s in (transcript or []) if s.end > start and s.start < end]
    return ClipEvidence(
        row["clip_id"],
        row["video"],
        row["video_hash"],
        start,
        end,
        boxes=boxes,
        lines=[] if boxes else list(row["ocr"]),
        speech=speech,
        tags=list(row["tags"]),
        tag_scores=[(str(t), float(p)) for t, p in row["tag_scores"]],
    )


def _merge(old: list[TextBox], new: list[TextBox]) -> list[TextBox]:
    """Stored boxes plus re-read ones; a frame read again keeps only its new reading (frames never mix)."""
    again = {round(b.time, 3) for b in new}
    return [b for b in old if round(b.time, 3) not in again] + new


def _frame_times(start: float, end: float, fps: float) -> list[float]:
    n = min(MAX_FRAMES, max(1, int((end - start) * fps)))
    step = (end - start) / n
    return [round(start + step * (i + 0.5), 3) for i in range(n)]


def _cached(
    store: Store, ev: ClipEvidence, kind: str, model: str, settings: dict[str, Any], compute: Callable[[], Any]
) -> tuple[Any, float, bool]:
    """(payload, cost, from cache) of one re-read keyed by clip + kind + model + settings: computed and
    stored on a miss, so a second identical question reads it back."""
    key = cache_key(ev.clip_id, kind, model, settings)
    hit = store.evidence.cached(key)
    if hit is not None:
        return hit[0], hit[1], True
    t0 = time.perf_counter()
    payload = compute()
    cost = time.perf_counter() - t0
    store.evidence.put_cache(key, ev.clip_id, ev.video_hash, kind, model, settings, payload, cost)
    return payload, cost, False


def dense_ocr(store: Store, ev: ClipEvidence, fps: float = DENSE_FPS, width: int = DENSE_WIDTH) -> dict[str, Any]:
    """Text boxes at >= `fps` frames/s across the clip (cached); returns a step result with the cost."""
    from ..perception.ocr import MODEL_ID, TextReader
    from ..video import decode

    reader = TextReader.shared()
    info = store.video_info(ev.video_hash)
    w = min(width, info.width or width)
    settings = {"fps": fps, "width": w, "min_score": reader.min_score}
    times = _frame_times(ev.start, ev.end, fps)

    def read() -> list[list[Any]]:
        boxes: list[TextBox] = []
        previous: np.ndarray | None = None
        for f in decode.frames_at(info.path, times, width=w):
            small = f.image[::8, ::8].astype(np.int16)
            if previous is not None and np.abs(small - previous).mean() < 1.0 and boxes:
                # A still frame: the same text as the previous read, seen again now.
                last_t = boxes[-1].time
                boxes += [TextBox(b.text, b.x0, b.y0, b.x1, b.y1, b.score, f.time) for b in boxes if b.time == last_t]
                continue
            previous = small
            boxes += reader.read_boxes_one(f.image, f.time)
        return [[b.text, b.x0, b.y0, b.x1, b.y1, b.score, b.time] for b in boxes]

    payload, cost, cached = _cached(store, ev, "ocr-dense", MODEL_ID, settings, read)
    ev.boxes, ev.lines, ev.source = _merge(ev.boxes, [TextBox(*b) for b in payload]), [], "requery"
    return {
        "kind": "ocr-dense",
        "clip_id": ev.clip_id,
        "cached": cached,
        "frames": len({b[6] for b in payload}) if cached else len(times),
        "boxes": len(payload),
        ("first_cost_s" if cached else "cost_s"): round(cost, 3),
        "settings": settings,
    }


def _clip_audio(path: str, start: float, end: float, rate: int = 16000) -> np.ndarray:
    import av

    out: list[np.ndarray] = []
    with av.open(path) as container:
        if not container.streams.audio:
            return np.zeros(0, np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        try:
            container.seek(int(max(0.0, start - 1.0) * 1_000_000))
        except Exception:  # noqa: BLE001,S110 - unseekable: decode from the start
            pass
        first: float | None = None
        for frame in container.decode(stream):
            t = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else 0.0
            if t > end:
                break
            for r in resampler.resample(frame):
                if first is None:
                    first = t
                out.append(r.to_ndarray().reshape(-1))
    if not out or first is None:
        return np.zeros(0, np.float32)
    data = np.concatenate(out).astype(np.float32)
    a = int(max(0.0, start - first) * rate)
    return data[a : a + int((end - start) * rate)]


def speech_words(store: Store, ev: ClipEvidence) -> dict[str, Any]:
    """The clip's speech transcribed with word timestamps (cached); fills `ev.speech` and `ev.words`."""
    from ..perception.speech import MODEL_ID, Transcriber

    info = store.video_info(ev.video_hash)
    if not info.has_audio:
        return {"kind": "speech-words", "clip_id": ev.clip_id, "skipped": "no audio track"}
    settings = {"word_timestamps": True, "vad": True}

    def hear() -> dict[str, Any]:
        audio = _clip_audio(info.path, ev.start, ev.end)
        segs, words = Transcriber.shared().transcribe_words(audio, offset=ev.start)
        return {"segments": [[s.start, s.end, s.text] for s in segs], "words": words}

    payload, cost, cached = _cached(store, ev, "speech-words", MODEL_ID, settings, hear)
    if payload["segments"]:
        # Added to the stored transcript, not replacing it: a clip heard without its context can be
        # heard worse ("It only takes a minute" -> "Now let's take some minutes").
        have = {s.text for s in ev.speech}
        ev.speech = ev.speech + [
            Segment(float(a), float(b), str(t)) for a, b, t in payload["segments"] if str(t) not in have
        ]
        ev.words = [(float(a), float(b), str(t)) for a, b, t in payload["words"]]
        ev.source = "requery"
    return {
        "kind": "speech-words",
        "clip_id": ev.clip_id,
        "cached": cached,
        "words": len(payload["words"]),
        ("first_cost_s" if cached else "cost_s"): round(cost, 3),
        "settings": settings,
    }


def sharpen(store: Store, ev: ClipEvidence, times: list[float], width: int = DENSE_WIDTH) -> dict[str, Any]:
    """Re-read the few keyframes an answer was read on at full resolution (cached), replacing their
    low-resolution boxes: small text read on 448-px keyframes ("Arna Kraner") is checked before it is
    given as an answer."""
    from ..perception.ocr import MODEL_ID, TextReader
    from ..video import decode

    reader = TextReader.shared()
    info = store.video_info(ev.video_hash)
    w = min(width, info.width or width)
    times = sorted({round(t, 3) for t in times})[:3]
    settings = {"times": times, "width": w, "min_score": reader.min_score}

    def read() -> list[list[Any]]:
        frames = decode.frames_at(info.path, times, width=w)
        boxes = [b for f, t in zip(frames, times, strict=True) for b in reader.read_boxes_one(f.image, t)]
        return [[b.text, b.x0, b.y0, b.x1, b.y1, b.score, b.time] for b in boxes]

    payload, cost, cached = _cached(store, ev, "ocr-frames", MODEL_ID, settings, read)
    fresh = [TextBox(*b) for b in payload]
    if fresh:
        ev.boxes = [b for b in ev.boxes if round(b.time, 3) not in times] + fresh
        ev.source = "requery"
    return {
        "kind": "ocr-frames",
        "clip_id": ev.clip_id,
        "cached": cached,
        "frames": len(times),
        "boxes": len(fresh),
        ("first_cost_s" if cached else "cost_s"): round(cost, 3),
        "settings": settings,
    }


def small_text(
    store: Store,
    ev: ClipEvidence,
    answer_times: list[float],
    frame_width: int,
    min_px: float = 14.0,
    texts: tuple[str, ...] = (),
) -> bool:
    """Was the text at these times (only lines holding `texts`, when given) read at under `min_px`
    pixels high on the stored keyframes?"""
    info = store.video_info(ev.video_hash)
    if not info.width or not ev.boxes:
        return False
    scale = min(frame_width, info.width) * info.height / info.width
    from ..perception.layout import normalise

    want = [normalise(t) for t in texts if normalise(t)]
    hs = [
        b.height * scale
        for b in ev.boxes
        if round(b.time, 3) in {round(t, 3) for t in answer_times}
        and (not want or any(w in normalise(b.text) or normalise(b.text) in w for w in want))
    ]
    return bool(hs) and sorted(hs)[len(hs) // 2] < min_px


VOTE_FRAMES = 3  # frames an answer line is re-read on
VOTE_SCALE = 2  # crops are enlarged this much before reading (the recogniser likes ~48-px-high text)


def _crop_variants(image: np.ndarray, box: TextBox) -> list[np.ndarray]:
    """The box's region (padded), enlarged, as RGB and as inverted grey: two looks at the same letters."""
    from PIL import Image, ImageOps

    h, w = image.shape[:2]
    bh = (box.y1 - box.y0) * h
    x0, x1 = int(max(0, box.x0 * w - bh)), int(min(w, box.x1 * w + bh))
    y0, y1 = int(max(0, box.y0 * h - 0.35 * bh)), int(min(h, box.y1 * h + 0.35 * bh))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    crop = Image.fromarray(image[y0:y1, x0:x1])
    big = crop.resize((crop.width * VOTE_SCALE, crop.height * VOTE_SCALE), Image.Resampling.LANCZOS)
    inv = ImageOps.invert(ImageOps.grayscale(big)).convert("RGB")
    return [np.asarray(big), np.asarray(inv)]


VOTE_PX = 28.0  # answer lines under this many pixels high in the video are re-read (letter confusions)


VOTE_SCORE = 0.97  # ... and lines read with a median confidence under this (a stylised logo: "M&viePy")


def worth_voting(store: Store, ev: ClipEvidence, text: str) -> bool:
    """Is the text on screen, and small (median height in the video's own pixels under `VOTE_PX`) or
    read with low confidence? Large, clearly read text is not re-read (each look costs a recogniser pass)."""
    from ..perception.layout import normalise, same_text

    info = store.video_info(ev.video_hash)
    key = normalise(text)
    held = [b for b in ev.boxes if same_text(b.text, text) or (key and key in normalise(b.text))]
    if not held:
        return False
    hs = sorted((b.y1 - b.y0) * (info.height or 0) for b in held)
    scores = sorted(b.score for b in held)
    return hs[len(hs) // 2] < VOTE_PX or scores[len(scores) // 2] < VOTE_SCORE


def frames_holding(ev: ClipEvidence, text: str) -> int:
    """On how many distinct frames of the clip's boxes the text is read."""
    from ..perception.layout import normalise, same_text

    key = normalise(text)
    return len({round(b.time, 3) for b in ev.boxes if same_text(b.text, text) or (key and key in normalise(b.text))})


def vote(store: Store, ev: ClipEvidence, texts: list[str], width: int = DENSE_WIDTH) -> dict[str, Any]:
    """Re-read the lines holding these answers on up to `VOTE_FRAMES` frames each, cropped and enlarged
    in two looks, and vote (confidence-weighted) among the readings. Why: a whole-frame pass shrinks the
    frame to the detector's size and reads 14-px credits with letter confusions ("Magina" for "Maqina"
    on 5 of 6 frames); the same line cropped and enlarged reads right. Cached like the other re-reads."""
    from ..perception.layout import normalise, same_text
    from ..perception.ocr import MODEL_ID, TextReader
    from ..video import decode

    info = store.video_info(ev.video_hash)
    w = min(width, info.width or width)
    targets: dict[str, list[TextBox]] = {}
    for t in dict.fromkeys(texts):
        held = [b for b in ev.boxes if same_text(b.text, t) or (normalise(t) and normalise(t) in normalise(b.text))]
        by_time = {round(b.time, 3): b for b in sorted(held, key=lambda b: b.score)}
        times = sorted(by_time)
        if times:
            pick = sorted({times[0], times[len(times) // 2], times[-1]})[:VOTE_FRAMES]
            targets[t] = [by_time[x] for x in pick]
    if not targets:
        return {"kind": "ocr-vote", "clip_id": ev.clip_id, "skipped": "answer not on any stored frame"}
    looked = sorted({round(b.time, 3) for bs in targets.values() for b in bs})  # more frames read: a new vote
    settings = {"texts": sorted(targets), "times": looked, "width": w, "scale": VOTE_SCALE}

    def vote_lines() -> dict[str, Any]:
        engine = TextReader.shared().load()
        frames = {t: f.image for t, f in zip(looked, decode.frames_at(info.path, looked, width=w), strict=True)}
        payload: dict[str, Any] = {"readings": {}, "boxes": []}
        for t, boxes in targets.items():
            tally: dict[str, float] = {}
            shown: dict[str, str] = {}
            for b in boxes:
                for look in _crop_variants(frames[round(b.time, 3)], b):
                    res = engine(np.ascontiguousarray(look[:, :, ::-1]))
                    read = [
                        (" ".join(x.split()), float(s)) for x, s in zip(res.txts or (), res.scores or (), strict=False)
                    ]
                    read = [(x, s) for x, s in read if same_text(x, t, 0.7)]
                    if read:
                        x, s = max(read, key=lambda r: r[1])
                        tally[normalise(x)] = tally.get(normalise(x), 0.0) + s
                        shown.setdefault(normalise(x), x)
                        payload["boxes"].append([x, b.x0, b.y0, b.x1, b.y1, round(s, 4), b.time])
            if tally:
                payload["readings"][t] = shown[max(tally, key=lambda k: tally[k])]
        return payload

    payload, cost, cached = _cached(store, ev, "ocr-vote", MODEL_ID, settings, vote_lines)
    return {
        "kind": "ocr-vote",
        "clip_id": ev.clip_id,
        "cached": cached,
        "readings": dict(payload["readings"]),
        "looks": len(payload["boxes"]),
        ("first_cost_s" if cached else "cost_s"): round(cost, 3),
        "settings": settings,
    }
