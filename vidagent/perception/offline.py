"""The CPU default describer: ImageNet tags + on-screen text + speech, composed into a caption.

Everything it says is evidence a model actually produced for the clip (labels with confidences, OCR
lines, transcript), so captions are plain and checkable, and `ask` can only quote that evidence: it
answers by returning the pieces most similar to the question (MiniLM), or "" when none is.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .. import signals
from ..config import DescribeConfig
from ..describe import Describer, get_embedder
from ..signals.crops import pool as pool_crops
from ..types import ClipInput, Description, TextBox
from .conse import ConSE
from .layout import dedupe_boxes, dedupe_lines, frame_lines
from .ocr import MODEL_ID as OCR_ID
from .ocr import TextReader
from .speech import MODEL_ID as SPEECH_ID
from .tagger import MODEL_ID as TAGGER_ID
from .tagger import ImageTagger

TAG_FLOOR = 0.03  # mean probability under which a label is noise, not a tag
ASK_FLOOR = 0.3  # MiniLM cosine under which evidence does not answer the question
ASK_TOP = 3
_STOP = set(
    "a an the is are was were be been of in on at to for from by with and or not this that these those "
    "what which who whom whose when where why how does do did it its there their they he she his her "
    "you your we our i me my any some clip video scene show shows shown say says said".split()
)
_LOCK = threading.Lock()
_OCR_POOL: ThreadPoolExecutor | None = None


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [p for p in parts if sum(c.isalnum() for c in p) >= 3]


def compose_caption(tags: Sequence[tuple[str, float]], ocr: Sequence[str], transcript: str, seen: str = "") -> str:
    """One readable line from the evidence, strongest first; empty parts are left out. `seen` holds the
    visual signals' sentences ("People: a person. Look: dark.")."""
    parts: list[str] = []
    if tags:
        parts.append("Scene: " + ", ".join(name for name, _ in tags) + ".")
    if seen:
        parts.append(seen)
    if ocr:
        shown = [f'"{line}"' for line in ocr[:8]]
        more = f" (+{len(ocr) - 8} more)" if len(ocr) > 8 else ""
        parts.append("On screen: " + ", ".join(shown) + more + ".")
    if transcript:
        said = transcript if len(transcript) <= 400 else transcript[:397].rsplit(" ", 1)[0] + "..."
        parts.append(f'Speech: "{said}"')
    return " ".join(parts) or "No recognisable content."


def _ocr_pool() -> ThreadPoolExecutor:
    """One thread for OCR, shared by the process's describers (the reader is one, its memo in order)."""
    global _OCR_POOL
    with _LOCK:
        if _OCR_POOL is None:
            _OCR_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidagent-ocr")
        return _OCR_POOL


def _crops(items: Sequence[ClipInput], probs: np.ndarray) -> list[list[np.ndarray]]:
    """Salient crops of the middle keyframe of each clip whose full frames the tagger is unsure about
    (small objects the full frame loses at 224 px; a frame filled by one sure object needs none)."""
    from ..signals.crops import CROP_BELOW, salient_crops

    out: list[list[np.ndarray]] = []
    pos = 0
    for item in items:
        n = len(item.frames)
        sure = n > 0 and float(probs[pos : pos + n].mean(0).max()) >= CROP_BELOW
        pos += n
        out.append([] if not n or sure else salient_crops(item.frames[n // 2].image))
    return out


class OfflineDescriber(Describer):
    """EfficientNet-Lite0 tags + RapidOCR text + the clip's Whisper transcript; ConSE "visual" vector."""

    name = "offline"
    #: 2: people/colour/motion/crops/WordNet signals; 3: text boxes with layout, lines in reading order;
    #: 4: faces looked for again around a face found on another keyframe, captions name the largest hue
    version = "4"
    licence = "Apache-2.0 (timm, RapidOCR/PP-OCR) / MIT (faster-whisper, Whisper)"
    needs_speech = True
    uses_prompt = False
    can_ask = True

    def __init__(self, config: DescribeConfig | None = None) -> None:
        self.config = config or DescribeConfig()
        parts = [TAGGER_ID] + ([OCR_ID] if self.config.ocr else []) + [SPEECH_ID, "conse10-minilm"]
        self.model_id = "+".join(parts)
        self._tagger = ImageTagger.shared()
        self._reader = TextReader.shared() if self.config.ocr else None
        self._conse: ConSE | None = None
        self._recent: OrderedDict[str, Description] = OrderedDict()

    def settings_key(self) -> dict[str, Any]:
        return {
            **super().settings_key(),
            "ocr": self.config.ocr,
            "tags_top_k": self.config.tags_top_k,
            "signals": sorted(self.config.signals),
        }

    @property
    def embedder(self) -> Any:
        return get_embedder("minilm")

    @property
    def conse(self) -> ConSE:
        if self._conse is None:
            if "hierarchy" in self.config.signals:  # label phrases carry WordNet kinds and gloss
                from ..signals.hierarchy import label_phrases

                self._conse = ConSE(label_phrases(self._tagger.labels), self.embedder, TAGGER_ID + "+wn")
            else:
                self._conse = ConSE(self._tagger.labels, self.embedder, TAGGER_ID)
        return self._conse

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        """One Description per clip; all keyframes of the batch go through the tagger together."""
        images = [f.image for item in items for f in item.frames]
        times = [f.time for item in items for f in item.frames]
        # OCR beside the tagger and signals: each leaves part of a core idle (a batch's ONNX runs are
        # small), so overlapping them keeps both cores busy; the results are the same.
        reader = self._reader if images else None
        reading = _ocr_pool().submit(reader.read_boxes, images, times) if reader is not None else None
        probs = self._tagger.tag_batch(images) if images else np.zeros((0, 1000), np.float32)
        crops = _crops(items, probs) if "crops" in self.config.signals else [[] for _ in items]
        flat = [c for cs in crops for c in cs]
        crop_probs = self._tagger.tag_batch(flat) if flat else np.zeros((0, 1000), np.float32)
        sigs = signals.analyse(items, self.config.signals) if self.config.signals else [None] * len(items)
        boxes = reading.result() if reading is not None else [[] for _ in images]
        out: list[Description] = []
        pos = cpos = 0
        for item, cs, sig in zip(items, crops, sigs, strict=True):
            n = len(item.frames)
            p, lines = probs[pos : pos + n], boxes[pos : pos + n]
            pos += n
            cp = crop_probs[cpos : cpos + len(cs)]
            cpos += len(cs)
            out.append(self._describe_one(item, p, lines, cp, sig))
        with _LOCK:
            for item, desc in zip(items, out, strict=True):
                self._recent[item.clip.id] = desc
                while len(self._recent) > 256:
                    self._recent.popitem(last=False)
        return out

    def _describe_one(
        self,
        item: ClipInput,
        probs: np.ndarray,
        lines: list[list[TextBox]],
        crop_probs: np.ndarray | None = None,
        sig: signals.ClipSignals | None = None,
    ) -> Description:
        tags: list[tuple[str, float]] = []
        vectors: dict[str, np.ndarray] = {}
        frame_tags: list[list[str]] = []
        shown: list[tuple[str, float]] = []
        if len(probs):
            mean = probs.mean(axis=0)
            if crop_probs is not None and len(crop_probs):
                mean = pool_crops(mean, crop_probs)
            top = self._tagger.top_indices(mean, self.config.tags_top_k, TAG_FLOOR)
            tags = [(self._tagger.labels[i], round(float(mean[i]), 4)) for i in top]
            shown = tags
            if "hierarchy" in self.config.signals:
                from ..signals.hierarchy import with_kinds

                shown = [(with_kinds(name, i), c) for (name, c), i in zip(tags, top, strict=True)]
            vectors["visual"] = self.conse(mean[None])[0]
            frame_tags = [[name for name, _ in self._tagger.top(row, 3, TAG_FLOOR)] for row in probs]
        kept = dedupe_boxes(b for frame in lines for b in frame)
        # Lines in reading order (table rows as "NAME | Role"), distinct by fuzzy match across frames.
        ocr = dedupe_lines(ln.text for fl in frame_lines(kept) for ln in fl)
        transcript = " ".join(" ".join(s.text.split()) for s in item.speech).strip()
        extra: dict[str, Any] = {"frame_tags": frame_tags}
        caption = compose_caption(shown, ocr, transcript, sig.caption() if sig is not None else "")
        if sig is not None:
            extra["signals"] = sig.to_json()
            phrases = {signals.SPACES[k]: ", ".join(v) for k, v in sig.phrases.items() if v and k in signals.SPACES}
            if phrases:
                vecs = self.embedder.embed_batch(list(phrases.values()))
                vectors.update(zip(phrases, vecs, strict=True))
        return Description(
            caption=caption,
            tags=tags,
            ocr=ocr,
            transcript=transcript,
            frame_times=[f.time for f in item.frames],
            vectors=vectors,
            extra=extra,
            boxes=kept,
        )

    def evidence(self, item: ClipInput) -> list[tuple[str, str]]:
        """(kind, text) pieces this describer found in the clip: on-screen lines, sentences said, tags."""
        desc = item.stored if item.stored is not None and item.stored.frame_times else self._recent.get(item.clip.id)
        if desc is None or desc.frame_times != [f.time for f in item.frames]:
            # The stored description came from these same models on these frames: re-running them
            # would give the same evidence, so only recompute when the frames differ.
            desc = self.describe_batch([item])[0]
        pieces = [("on screen", line) for line in desc.ocr]
        pieces += [("said", s) for seg in item.speech for s in _sentences(seg.text)]
        pieces += [("seen", name) for name, _ in desc.tags]
        phrases = (desc.extra.get("signals") or {}).get("phrases") or {}
        pieces += [("seen", p) for words in phrases.values() for p in words]
        return pieces

    def ask(self, item: ClipInput, question: str) -> str:
        """The clip's own evidence most relevant to `question`, as short text; "" if nothing is relevant."""
        from ..evidence import render

        return render(self.ask_evidence(item, question))

    def ask_evidence(self, item: ClipInput, question: str) -> list[tuple[str, str]]:
        """The clip's own evidence most relevant to `question`, as (kind, text) pieces, best first."""
        return rank_pieces(self.embedder, self.evidence(item), question)


def rank_pieces(embedder: Any, pieces: Sequence[tuple[str, str]], question: str) -> list[tuple[str, str]]:
    """The pieces relevant to `question` (MiniLM cosine plus shared words), at most ASK_TOP, best first."""
    if not pieces or not question.strip():
        return []
    vecs = embedder.embed_batch([question, *(t for _, t in pieces)])
    sims = vecs[1:] @ vecs[0]
    qwords = _words(question)
    scored = []
    for (kind, text), sim in zip(pieces, sims, strict=True):
        overlap = len(qwords & _words(text))
        score = float(sim) + 0.15 * min(overlap, 2)
        if score >= ASK_FLOOR:
            scored.append((score, kind, text))
    scored.sort(key=lambda s: -s[0])
    return [(kind, text) for _, kind, text in scored[:ASK_TOP]]
