"""On-screen text with RapidOCR (PP-OCRv6 small det + rec ONNX models shipped inside the `rapidocr` wheel).

Model paths are passed explicitly so RapidOCR never tries its download route. Detection runs with
`limit_type=max`: frames are only ever shrunk to a 960 px long side, never blown up to a 736 px
*short* side as RapidOCR's default does (that upscaling made 448-px keyframes 3x slower and read
nothing more; measured on the Big Buck Bunny credits). The angle classifier is off: video overlays
are upright, and it costs a pass per text line.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import cpu_threads
from ..errors import require
from ..types import TextBox
from .textscan import TextScanner

MODEL_ID = "ppocrv6-small"
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"

_LOCK = threading.Lock()
_SHARED: dict[str, TextReader] = {}


def normalise(line: str) -> str:
    """Comparison form of a line: NFKC, lower case, punctuation and spacing dropped."""
    text = unicodedata.normalize("NFKC", line).casefold()
    return re.sub(r"[\W_]+", "", text)


def dedupe_lines(lines_per_frame: Sequence[Sequence[str]], similarity: float = 0.85) -> list[str]:
    """Merge text lines read on several frames of one clip, in order of first appearance.

    Lines whose normalised forms are near-identical (OCR jitter such as "DOLBY"/"DODOLBY") or where one
    contains the other (a line caught half-scrolled) count once; the longest reading is kept.
    """
    kept: list[str] = []
    keys: list[str] = []
    for lines in lines_per_frame:
        for line in lines:
            line = " ".join(line.split())
            key = normalise(line)
            if not key:
                continue
            for j, other in enumerate(keys):
                short, long_ = sorted((key, other), key=len)
                same = short in long_ and len(short) >= 0.6 * len(long_)
                if same or difflib.SequenceMatcher(None, key, other, autojunk=False).ratio() >= similarity:
                    if len(key) > len(other):
                        kept[j], keys[j] = line, key
                    break
            else:
                kept.append(line)
                keys.append(key)
    return kept


def no_spinning(opts: Any) -> Any:
    """ONNX Runtime session options whose idle worker threads sleep instead of spinning.

    Why: by default each intra-op thread busy-waits after a run; with two threads on a 2-core machine
    that also decodes video, the spinning doubled the OCR's CPU seconds for the same wall time (48
    film keyframes: 4.4 CPU s spinning, 2.3 s not, 2 threads either way). Results are unchanged."""
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return opts


def _ocr_options(opts: Any) -> Any:
    """RapidOCR's session options, with idle threads sleeping (`no_spinning`) and ONNX Runtime's memory
    arena on. Why the arena: RapidOCR turns it off, and the recogniser's input width changes with
    every batch of text lines, so each run allocated its buffers afresh; with the arena the film's
    273 keyframes read in 39-40 instead of 42 CPU s (`benchmarks/bench_ocr.py`), the same text."""
    opts.enable_cpu_mem_arena = True
    return no_spinning(opts)


def _load_without_spinning(engine: Any) -> None:
    """Create RapidOCR's detector and recogniser sessions now, with `_ocr_options`.

    RapidOCR builds its sessions lazily from its own options; its session factory is wrapped only
    while they are built here (under the reader's lock). Should RapidOCR's internals differ, the
    sessions are simply built later with RapidOCR's defaults (slower, same text)."""
    try:
        from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

        original = OrtInferSession.__dict__["_init_sess_opts"]
        build = original.__func__
    except (ImportError, KeyError, AttributeError):
        return
    OrtInferSession._init_sess_opts = staticmethod(lambda cfg: _ocr_options(build(cfg)))  # type: ignore[method-assign]
    try:
        for name in ("_load_det_model", "_load_rec_model"):
            load = getattr(engine, name, None)
            if load is not None:
                load()
    finally:
        OrtInferSession._init_sess_opts = original  # type: ignore[method-assign]


class TextReader:
    """Reads text lines from RGB frames; keeps lines above a confidence floor with real characters."""

    model_id = MODEL_ID

    def __init__(self, min_score: float = 0.8, min_chars: int = 2, max_side: int = 960, threads: int = 0) -> None:
        self.min_score = min_score
        self.min_chars = min_chars
        self.max_side = max_side
        self.threads = threads
        self._engine: Any = None
        #: detector first, recogniser only on new text (see textscan); `scanner.stats` counts the savings
        self.scanner = TextScanner()

    @classmethod
    def shared(cls) -> TextReader:
        """The process-wide instance (ONNX sessions are created once)."""
        with _LOCK:
            if "reader" not in _SHARED:
                _SHARED["reader"] = cls()
            return _SHARED["reader"]

    @staticmethod
    def model_dir() -> Path:
        rapidocr = require("rapidocr", "default")
        return Path(str(rapidocr.__file__)).parent / "models"

    def load(self) -> Any:
        if self._engine is None:
            with _LOCK:
                if self._engine is None:
                    require("onnxruntime", "default")
                    rapidocr = require("rapidocr", "default")
                    d = self.model_dir()
                    threads = self.threads or cpu_threads()
                    params = {
                        "Global.log_level": "error",
                        "Global.use_cls": False,
                        "Det.model_path": str(d / DET_MODEL),
                        "Rec.model_path": str(d / REC_MODEL),
                        "Cls.model_path": str(d / CLS_MODEL),
                        "Det.limit_type": "max",
                        "Det.limit_side_len": self.max_side,
                        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                    }
                    engine = rapidocr.RapidOCR(params=params)
                    _load_without_spinning(engine)
                    self._engine = engine
        return self._engine

    def _keep(self, text: str, score: float) -> bool:
        return score >= self.min_score and sum(ch.isalnum() for ch in text) >= self.min_chars

    def read_one(self, image: np.ndarray) -> list[str]:
        """Text lines of one RGB uint8 frame, top to bottom."""
        return [b.text for b in self.read_boxes_one(image)]

    def read_boxes_one(self, image: np.ndarray, time: float = 0.0) -> list[TextBox]:
        """Text boxes of one RGB uint8 frame with their place (fractions of the frame) and confidence."""
        engine = self.load()
        # RapidOCR treats ndarray input as OpenCV BGR; give it that so colours match its training.
        bgr = np.ascontiguousarray(image[:, :, 2::-1]) if image.ndim == 3 else image
        result = self.scanner.scan(engine, bgr)
        texts = result.txts or ()
        scores = result.scores or ()
        boxes = result.boxes if result.boxes is not None else np.zeros((len(texts), 4, 2))
        h, w = image.shape[:2]
        out = []
        for t, s, quad in zip(texts, scores, boxes, strict=False):
            if not self._keep(t, float(s)):
                continue
            q = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
            out.append(
                TextBox(
                    " ".join(t.split()),
                    round(float(q[:, 0].min()) / w, 4),
                    round(float(q[:, 1].min()) / h, 4),
                    round(float(q[:, 0].max()) / w, 4),
                    round(float(q[:, 1].max()) / h, 4),
                    round(float(s), 4),
                    float(time),
                )
            )
        out.sort(key=lambda b: (round(b.cy, 2), b.x0))
        return out

    def read_boxes(self, images: Sequence[np.ndarray], times: Sequence[float]) -> list[list[TextBox]]:
        """Text boxes per image."""
        return [self.read_boxes_one(im, t) for im, t in zip(images, times, strict=True)]

    def read(self, images: Sequence[np.ndarray]) -> list[list[str]]:
        """Text lines per image (frames of different sizes are fine; each is one detector pass)."""
        return [self.read_one(im) for im in images]
