"""Colour names, black-and-white and light level of frames with known content."""

from __future__ import annotations

import numpy as np

from vidagent.signals import colour


def solid(rgb: tuple[int, int, int], h: int = 90, w: int = 160) -> np.ndarray:
    img = np.empty((h, w, 3), np.uint8)
    img[:] = rgb
    return img


def test_each_basic_colour_is_named() -> None:
    cases = {
        "red": (200, 20, 20),
        "orange": (240, 140, 20),
        "yellow": (235, 225, 40),
        "green": (30, 170, 40),
        "blue": (30, 50, 210),
        "purple": (120, 40, 180),
        "pink": (245, 150, 190),
        "brown": (110, 60, 20),
        "black": (8, 8, 8),
        "white": (245, 245, 245),
        "grey": (128, 128, 128),
    }
    for name, rgb in cases.items():
        light = colour.analyse([solid(rgb)])
        assert light.colours[0][0] == name, (name, light.colours)


def test_two_colour_frame_names_both_largest_first() -> None:
    img = solid((30, 50, 210))
    img[:, :60] = (30, 170, 40)  # 3/8 green, 5/8 blue
    assert colour.analyse([img]).words() == ["mostly blue and green"]


def test_the_largest_hue_is_named_beside_greys_and_whites() -> None:
    # A washed-out tree before a white sky: grey 40%, white 35%, green 25% of the frame.
    img = solid((128, 128, 128))
    img[:, 64:120] = (245, 245, 245)
    img[:, 120:] = (60, 160, 50)
    assert colour.analyse([img]).words() == ["mostly grey and green"]
    # Two hues or a hue among the first two: the two largest, as before.
    img[:, 64:120] = (30, 50, 210)
    assert colour.analyse([img]).words() == ["mostly grey and blue"]
    grey_white = solid((128, 128, 128))
    grey_white[:, 90:] = (245, 245, 245)
    grey_white[:, :8] = (30, 50, 210)  # a hue under MIN_SHARE is not named
    assert colour.analyse([grey_white]).words()[-1] == "mostly grey and white"


def test_monochrome_film_is_black_and_white_but_a_red_car_in_a_grey_street_is_not() -> None:
    rng = np.random.default_rng(0)
    gray = rng.integers(40, 220, (90, 160), dtype=np.uint8)
    mono = np.repeat(gray[:, :, None], 3, axis=2)
    light = colour.analyse([mono, mono])
    assert light.grayscale and "black and white" in light.words()
    street = mono.copy()
    street[30:60, 60:100] = (210, 20, 25)
    assert not colour.analyse([street]).grayscale


def test_dark_and_bright() -> None:
    assert "dark, night or low light" in colour.analyse([solid((15, 20, 40))]).words()
    assert "bright" in colour.analyse([solid((250, 250, 240))]).words()
    mid = colour.analyse([solid((120, 90, 60))]).words()
    assert "bright" not in mid and not any("dark" in w for w in mid)
    # A black frame is dark, not "black and white".
    black = colour.analyse([solid((0, 0, 0))]).words()
    assert "dark, night or low light" in black and "black and white" not in black


def test_no_frames_no_words() -> None:
    assert colour.analyse([]).words() == []
