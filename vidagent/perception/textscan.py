"""OCR that reads only what is new: detect text boxes first, recognise only when they changed.

RapidOCR's pipeline is detector -> (crop each box) -> recogniser. The recogniser is the part that
scales with the amount of text, and a video's text is mostly static: a title held for seconds, a
credits page that has not scrolled yet, a lower third over several keyframes. So each frame runs the
detector, and the recogniser is skipped when the boxes found and the pixels inside them match the
previous frame's (same count, corners within `box_tol` px, mean absolute pixel difference inside each
box at most `pixel_tol` grey levels): the previous frame's reading is reused. A frame with no boxes
never reaches the recogniser (as in RapidOCR itself). Frames that are recognised go through RapidOCR's
own post-processing, so their text is exactly what `engine(image)` returns.

The memo is content-checked, so it is safe across clips, batches and videos; one memo per reader.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class OcrStats:
    """Counters since the reader was made (or `reset()`): what the recogniser was spared."""

    frames: int = 0  # frames read
    unchanged: int = 0  # frames equal to the previous one (every pixel within `frame_tol`): not even detected
    with_text: int = 0  # frames where the detector found boxes
    recognised: int = 0  # frames whose boxes went through the recogniser
    reused: int = 0  # frames whose boxes and pixels matched the previous frame: reading reused
    boxes_recognised: int = 0
    boxes_reused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def recogniser_calls_saved(self) -> int:
        """Frames that did not call the recogniser (no text found, or the same text as before)."""
        return self.frames - self.recognised

    def as_dict(self) -> dict[str, int]:
        return {
            k: getattr(self, k)
            for k in (
                "frames",
                "unchanged",
                "with_text",
                "recognised",
                "reused",
                "boxes_recognised",
                "boxes_reused",
                "recogniser_calls_saved",
            )
        }

    def add(self, **counts: int) -> None:
        with self._lock:
            for k, v in counts.items():
                setattr(self, k, getattr(self, k) + v)


@dataclass(frozen=True)
class _Seen:
    boxes: np.ndarray  # (n, 4, 2) in the detector's (preprocessed) coordinates
    crops: tuple[np.ndarray, ...]
    result: Any  # RapidOCR's output for that frame


class TextScanner:
    """Runs a RapidOCR engine on frames in order, reusing the last reading when nothing changed."""

    def __init__(self, box_tol: float = 2.0, pixel_tol: float = 2.0, frame_tol: int = 12, reuse: bool = True) -> None:
        self.box_tol = box_tol
        self.pixel_tol = pixel_tol
        self.frame_tol = frame_tol
        self.reuse = reuse
        self.stats = OcrStats()
        self._last: _Seen | None = None
        self._prev: tuple[np.ndarray, Any] | None = None  # the previous frame and its result

    def _same_frame(self, image: np.ndarray) -> Any:
        """The previous frame's result if no pixel of `image` moved more than `frame_tol` levels (a
        held frame: any text appearing, even small, changes some pixels by far more), else None."""
        prev = self._prev
        if not self.reuse or prev is None or prev[0].shape != image.shape:
            return None
        diff = np.abs(prev[0].astype(np.int16) - image.astype(np.int16))
        return prev[1] if int(diff.max(initial=0)) <= self.frame_tol else None

    def _same(self, last: _Seen | None, boxes: np.ndarray, crops: list[np.ndarray]) -> bool:
        if last is None or last.boxes.shape != boxes.shape or len(last.crops) != len(crops):
            return False
        if float(np.abs(last.boxes - boxes).max(initial=0.0)) > self.box_tol:
            return False
        for a, b in zip(last.crops, crops, strict=True):
            if a.shape != b.shape:
                return False
            if float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean()) > self.pixel_tol:
                return False
        return True

    def scan(self, engine: Any, image: np.ndarray) -> Any:
        """RapidOCR's output for one BGR frame (as `engine(image)` would give), recognising only if new."""
        if not all(
            hasattr(engine, m) for m in ("preprocess_img", "detect_and_crop", "recognize_txt", "build_final_output")
        ):
            self.stats.add(frames=1, recognised=1)  # an engine without the split steps: whole pass
            return engine(image, use_cls=False)
        held = self._same_frame(image)
        if held is not None:
            self.stats.add(frames=1, unchanged=1)
            return held
        result = self._scan(engine, image)
        self._prev = (image.copy(), result)
        return result

    def _scan(self, engine: Any, image: np.ndarray) -> Any:
        from rapidocr.ch_ppocr_cls import TextClsOutput
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.output import RapidOCROutput

        ori = engine.load_img(image)
        img, op_record = engine.preprocess_img(ori)
        try:
            crops, det = engine.detect_and_crop(img, op_record)
        except RapidOCRError:  # no text boxes: nothing to recognise
            self.stats.add(frames=1)
            return RapidOCROutput()
        boxes = np.asarray(det.boxes, dtype=np.float32)
        last = self._last
        if self.reuse and self._same(last, boxes, crops):
            assert last is not None
            self.stats.add(frames=1, with_text=1, reused=1, boxes_reused=len(crops))
            return last.result
        self.stats.add(frames=1, with_text=1, recognised=1, boxes_recognised=len(crops))
        try:
            rec = engine.recognize_txt(crops)
        except RapidOCRError:
            result = RapidOCROutput()
        else:
            kept = [c.copy() for c in crops]  # build_final_output rescales the list it is given
            result = engine.build_final_output(ori, det, TextClsOutput(), rec, crops, op_record)
            crops = kept
        self._last = _Seen(boxes, tuple(crops), result)
        return result
