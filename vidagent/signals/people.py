"""People and faces in keyframes with OpenCV's classic detectors: Haar faces + HOG pedestrians.

No learned weights to download: the HOG people detector is built into OpenCV, the Haar cascade XML
files come with OpenCV 4 wheels (`cv2.data.haarcascades`) or Debian's `opencv-data`
(/usr/share/opencv4/haarcascades). OpenCV 5 moved both detectors to its contrib build
(`pip install opencv-contrib-python-headless`); without them this signal is simply absent.

Precision matters more than recall here (a cockatoo must not become "a face"): a face box must be
mostly skin-coloured, HOG hits must score above a margin, and a clip's count is the median over its
keyframes, so one spurious detection does not make "a person".

Recall within a clip: the frontal cascade misses a face that is tilted or pulling an expression
(the car-phone clip: found on 1 of 3 keyframes, so the median said "nobody"). Once a face is found on
one keyframe, the clip's other keyframes are searched again near that place with looser settings
(both frontal cascades, fewer neighbours, the image turned by up to 30 degrees): a second look where a
face is already known to be, so precision stays that of the first detection.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("vidagent")

FACE_WIDTH = 256  # faces are searched on a copy this wide (faces under ~1/12 of the frame height are missed)
HOG_WIDTH = 768  # HOG's 64x128 window needs people ~130 px tall: frames are scaled to this width
HOG_MARGIN = 1.3  # SVM score a pedestrian window must pass
SKIN_SHARE = 0.3  # share of a face box's pixels in the YCrCb skin range
CLOSE_UP = 0.28  # a face at least this share of the frame height is a close-up
CONFIRM_ANGLES = (0, -15, 15, -30, 30)  # in-plane turns tried by the second look (degrees)
CONFIRM_MARGIN = 0.75  # the second look searches the known face box grown by this share of its size per side
CASCADE_DIRS = ("/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades")
_LOCK = threading.Lock()
_DETECTORS: dict[str, Any] = {}


@dataclass
class People:
    """How many people and faces a clip shows (medians over its keyframes)."""

    persons: int = 0
    faces: int = 0
    close_up: bool = False
    available: bool = True

    def words(self, speech: bool = False) -> list[str]:
        """Caption phrases: "a person", "two people", "a face close-up", "a talking head"."""
        n = max(self.persons, self.faces)
        out: list[str] = []
        if n == 1:
            out.append("a person")
        elif n == 2:
            out.append("two people")
        elif n == 3:
            out.append("three people")
        elif n > 3:
            out.append("a group of people")
        if self.close_up:
            out.append("a face close-up")
        if self.faces and speech:
            out.append("a talking head, a person speaking to the camera" if self.close_up else "a person speaking")
        return out


def cascade_dir() -> Path | None:
    """Where the Haar cascade files are: $VIDAGENT_HAAR_DIR, OpenCV's own data, or Debian's opencv-data."""
    import cv2

    cands = [
        os.environ.get("VIDAGENT_HAAR_DIR", ""),
        getattr(getattr(cv2, "data", None), "haarcascades", ""),
        *CASCADE_DIRS,
    ]
    for d in cands:
        if d and (Path(d) / "haarcascade_frontalface_default.xml").is_file():
            return Path(d)
    return None


def detectors() -> dict[str, Any] | None:
    """{"face": CascadeClassifier, "hog": HOGDescriptor} once per process, or None when OpenCV lacks them."""
    with _LOCK:
        if "face" in _DETECTORS or "missing" in _DETECTORS:
            return None if "missing" in _DETECTORS else _DETECTORS
        import cv2

        where = cascade_dir()
        if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "HOGDescriptor") or where is None:
            log.info(
                "people/face signal off: this OpenCV has no Haar/HOG detectors or cascade files "
                "(pip install opencv-contrib-python-headless; apt-get install opencv-data)"
            )
            _DETECTORS["missing"] = True
            return None
        face = cv2.CascadeClassifier(str(where / "haarcascade_frontalface_default.xml"))
        alt = where / "haarcascade_frontalface_alt2.xml"
        hog = getattr(cv2, "HOGDescriptor")()  # noqa: B009 - absent from OpenCV 5's main build (and its stubs)
        hog.setSVMDetector(getattr(cv2, "HOGDescriptor_getDefaultPeopleDetector")())  # noqa: B009
        _DETECTORS.update(face=face, hog=hog)
        if alt.is_file():
            _DETECTORS["face_alt"] = cv2.CascadeClassifier(str(alt))
        return _DETECTORS


def available() -> bool:
    return detectors() is not None


def _skin_share(rgb: np.ndarray) -> float:
    """Share of pixels in a conservative YCrCb skin range (works across skin tones; fails on feathers, fur)."""
    import cv2

    ycc = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YCrCb)
    cr, cb = ycc[..., 1], ycc[..., 2]
    return float(((cr >= 135) & (cr <= 175) & (cb >= 80) & (cb <= 130)).mean()) if cr.size else 0.0


def _gray(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Equalised grey copy at most FACE_WIDTH wide, and its scale."""
    import cv2

    h, w = image.shape[:2]
    s = min(1.0, FACE_WIDTH / w)
    small = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else image
    return cv2.equalizeHist(cv2.cvtColor(np.ascontiguousarray(small[:, :, :3]), cv2.COLOR_RGB2GRAY)), s


def _skin_face(image: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the middle of a face box (image pixels) is mostly skin-coloured."""
    X, Y, W, H = box
    inner = image[max(0, Y + H // 5) : Y + H - H // 5, max(0, X + W // 5) : X + W - W // 5, :3]
    return inner.size > 0 and _skin_share(inner) >= SKIN_SHARE


def faces_in(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Frontal faces (x, y, w, h in the image's pixels) that pass the skin check."""
    det = detectors()
    if det is None:
        return []
    gray, s = _gray(image)
    side = max(20, round(gray.shape[0] * 0.08))
    boxes = det["face"].detectMultiScale(gray, scaleFactor=1.2, minNeighbors=6, minSize=(side, side))
    out = []
    for x, y, bw, bh in boxes if len(boxes) else []:
        box = (round(x / s), round(y / s), round(bw / s), round(bh / s))
        if _skin_face(image, box):
            out.append(box)
    return out


def face_near(image: np.ndarray, near: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The second look: a face around `near` (a face box found on another keyframe of the clip), with
    both frontal cascades, fewer neighbours and in-plane turns; None when there is none."""
    import cv2

    det = detectors()
    if det is None:
        return None
    gray, s = _gray(image)
    x, y, w, h = (v * s for v in near)
    grow = CONFIRM_MARGIN * max(w, h)
    x0, y0 = max(0, int(x - grow)), max(0, int(y - grow))
    x1, y1 = min(gray.shape[1], int(x + w + grow)), min(gray.shape[0], int(y + h + grow))
    if x1 - x0 < 20 or y1 - y0 < 20:
        return None
    region = np.ascontiguousarray(gray[y0:y1, x0:x1])
    side = max(20, round(0.6 * min(w, h)))
    centre = ((x1 - x0) / 2, (y1 - y0) / 2)
    for angle in CONFIRM_ANGLES:
        turn = cv2.getRotationMatrix2D(centre, angle, 1.0)
        view = (
            region if not angle else cv2.warpAffine(region, turn, region.shape[::-1], borderMode=cv2.BORDER_REPLICATE)
        )
        back = cv2.invertAffineTransform(turn)
        for cascade in (det["face"], det.get("face_alt")):
            if cascade is None:
                continue
            found = cascade.detectMultiScale(view, scaleFactor=1.1, minNeighbors=3, minSize=(side, side))
            for bx, by, bw, bh in found if len(found) else []:
                cx, cy = back @ np.array([bx + bw / 2, by + bh / 2, 1.0])
                box = (round((x0 + cx - bw / 2) / s), round((y0 + cy - bh / 2) / s), round(bw / s), round(bh / s))
                if _skin_face(image, box):
                    return box
    return None


def persons_in(image: np.ndarray) -> int:
    """Standing/walking people found by the HOG pedestrian detector."""
    import cv2

    det = detectors()
    if det is None:
        return 0
    h, w = image.shape[:2]
    s = HOG_WIDTH / w
    big = cv2.resize(np.ascontiguousarray(image[:, :, :3]), (round(w * s), round(h * s)))
    _boxes, weights = det["hog"].detectMultiScale(big, winStride=(8, 8), scale=1.1)
    return int((np.ravel(weights) > HOG_MARGIN).sum()) if len(weights) else 0


def _second_look(images: Sequence[np.ndarray], faces: list[list[tuple[int, int, int, int]]]) -> None:
    """Fill keyframes without a face from `face_near` around the nearest keyframe's largest face."""
    found = [i for i, f in enumerate(faces) if f]
    if not found or len(found) == len(faces):
        return
    for i, f in enumerate(faces):
        if f:
            continue
        j = min(found, key=lambda k: abs(k - i))
        near = max(faces[j], key=lambda b: b[2] * b[3])
        box = face_near(images[i], near)
        if box is not None:
            faces[i] = [box]


def analyse(images: Sequence[np.ndarray], hog_frames: int = 1) -> People:
    """Faces on every keyframe, pedestrians on `hog_frames` of them (the middle ones; HOG is the costly part)."""
    if not images or detectors() is None:
        return People(available=bool(images) and detectors() is not None)
    faces = [faces_in(im) for im in images]
    _second_look(images, faces)
    counts = [len(f) for f in faces]
    n_faces = sorted(counts)[len(counts) // 2]  # in at least half of the keyframes
    close = False
    if n_faces:
        tallest = [max((b[3] for b in f), default=0) / im.shape[0] for f, im in zip(faces, images, strict=True)]
        close = float(np.median(tallest)) >= CLOSE_UP
    mid = len(images) // 2
    pick = images[max(0, mid - hog_frames // 2) : mid - hog_frames // 2 + hog_frames] if hog_frames else []
    # In a face close-up the frame is the face: pedestrian windows there are background texture.
    bodies = 0 if close or not len(pick) else int(np.median([persons_in(im) for im in pick]))
    return People(persons=bodies, faces=n_faces, close_up=close)
