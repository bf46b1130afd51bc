"""Colour and light of a keyframe: dominant basic colour names, black-and-white, dark/bright.

The 11 basic colour terms of Berlin & Kay (black, white, grey, red, orange, yellow, green, blue,
purple, pink, brown) are assigned per pixel from HSV on a 64x36 thumbnail (a few hundred µs per
frame), so "a red car at night" and "an old black and white film" can be searched without a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

BASIC_COLOURS = ("black", "white", "grey", "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown")
ACHROMATIC = frozenset({"black", "white", "grey"})
THUMB = (64, 36)
MIN_SHARE = 0.12  # a colour named as dominant covers at least this share of the frame
GRAY_CHROMA = 0.06  # 99th percentile of pixel chroma (max-min of RGB) under which a frame is black and white
DARK = 0.22  # mean luma under which a frame is dark
BRIGHT = 0.68  # ... over which it is bright


@dataclass
class Light:
    """What one or more frames look like, in words and numbers."""

    colours: list[tuple[str, float]] = field(default_factory=list)  # (name, share), largest first
    grayscale: bool = False
    brightness: float = 0.0  # mean luma 0..1
    chroma: float = 0.0  # 99th percentile of pixel chroma
    frames: int = 0

    def words(self) -> list[str]:
        """Caption phrases, e.g. ["black and white", "dark", "mostly blue and green"]."""
        out: list[str] = []
        if not self.frames:
            return out
        if self.grayscale:
            out.append("black and white")
        if self.brightness < DARK:
            out.append("dark, night or low light")
        elif self.brightness > BRIGHT:
            out.append("bright")
        names = [n for n, _ in self.colours if not (self.grayscale and n not in ACHROMATIC)]
        if names and not self.grayscale:
            out.append("mostly " + " and ".join(_named(names)))
        return out


def _named(names: list[str]) -> list[str]:
    """The two colours a caption names, largest share first, always including the largest hue.

    Why: greys and whites cover much of many frames (sky, walls, haze), and people name the hue they
    see first: a washed-out tree in front of a white sky is "green", though grey and white pixels each
    cover more of it than green does (opencv's tree.avi: grey 38%, white 30%, green 28%)."""
    top = names[:2]
    if all(n in ACHROMATIC for n in top):
        hue = next((n for n in names[2:] if n not in ACHROMATIC), None)
        if hue is not None:
            top = [top[0], hue]
    return top


def _thumb(image: np.ndarray) -> np.ndarray:
    """Float RGB in 0..1 of a small thumbnail (nearest-neighbour sampling: fast and good enough)."""
    h, w = image.shape[:2]
    ys = np.linspace(0, h - 1, THUMB[1]).astype(int)
    xs = np.linspace(0, w - 1, THUMB[0]).astype(int)
    img = image[ys][:, xs]
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    return img[:, :, :3].astype(np.float32) / 255.0


def colour_names(rgb: np.ndarray) -> np.ndarray:
    """Index into BASIC_COLOURS for each pixel of an (..., 3) float RGB array in 0..1."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mx, mn = rgb.max(-1), rgb.min(-1)
    v, c = mx, mx - mn
    s = np.where(mx > 0, c / np.maximum(mx, 1e-6), 0.0)
    hue = np.zeros_like(mx)
    nz = c > 1e-6
    rc = np.where(nz, (g - b) / np.maximum(c, 1e-6), 0) % 6
    gc = np.where(nz, (b - r) / np.maximum(c, 1e-6), 0) + 2
    bc = np.where(nz, (r - g) / np.maximum(c, 1e-6), 0) + 4
    hue = np.where(mx == r, rc, np.where(mx == g, gc, bc)) * 60.0
    out = np.full(mx.shape, BASIC_COLOURS.index("grey"), dtype=np.int8)
    achrom = (s < 0.2) | (c < 0.08)
    out[achrom & (v < 0.2)] = BASIC_COLOURS.index("black")
    out[achrom & (v > 0.78)] = BASIC_COLOURS.index("white")
    chrom = ~achrom
    dark = chrom & (v < 0.16)
    out[dark] = BASIC_COLOURS.index("black")
    chrom &= ~dark
    h = hue

    def put(mask: np.ndarray, name: str) -> None:
        out[chrom & mask] = BASIC_COLOURS.index(name)

    put((h < 15) | (h >= 345), "red")
    put((h >= 15) & (h < 45), "orange")
    put((h >= 45) & (h < 70), "yellow")
    put((h >= 70) & (h < 170), "green")
    put((h >= 170) & (h < 255), "blue")
    put((h >= 255) & (h < 290), "purple")
    put((h >= 290) & (h < 345), "pink")
    # Dark or desaturated orange/red is brown; light, weakly saturated red is pink.
    warm = (h < 45) | (h >= 345)
    put(warm & ((v < 0.55) | ((s < 0.5) & (v < 0.75))) & (h >= 10), "brown")
    put(((h < 15) | (h >= 330)) & (s < 0.45) & (v > 0.7), "pink")
    return out


def analyse(images: Sequence[np.ndarray]) -> Light:
    """Pool the colour statistics of some frames (a clip's keyframes)."""
    if not images:
        return Light()
    thumbs = np.stack([_thumb(im) for im in images])
    idx = colour_names(thumbs).reshape(-1)
    share = np.bincount(idx, minlength=len(BASIC_COLOURS)) / max(idx.size, 1)
    luma = thumbs @ np.asarray([0.299, 0.587, 0.114], np.float32)
    chroma_px = thumbs.max(-1) - thumbs.min(-1)
    chroma = float(np.percentile(chroma_px, 99))  # a red car in a grey street is colour, not monochrome
    order = np.argsort(-share)
    colours = [(BASIC_COLOURS[i], round(float(share[i]), 3)) for i in order if share[i] >= MIN_SHARE]
    bright = float(luma.mean())
    return Light(
        colours=colours,
        grayscale=chroma < GRAY_CHROMA and bright > 0.05,
        brightness=round(bright, 3),
        chroma=round(chroma, 3),
        frames=len(images),
    )
