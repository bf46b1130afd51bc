"""Questions the measured signals answer (how many people, the camera's motion, black and white), read
back from a video's clips; end to end on synthetic pans indexed with the default describer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import vidagent
from vidagent.agent.library import _LOOK, _PEOPLE
from vidagent.agent.signalfacts import _camera, _grey, _people, asks_signal
from vidagent.store.records import VideoRecord

from ..signals.synth import camera_video

V = VideoRecord("h", "/v/street.mp4", 1, 30.0, 25.0, 320, 192, "h264", 750, None, 0, 0)


def _row(i: int, **signals: Any) -> dict[str, Any]:
    return {"clip_id": f"c{i}", "start": i * 10.0, "end": i * 10.0 + 10.0, "extra": {"signals": signals}}


@pytest.mark.parametrize(
    ("question", "signal", "naming"),
    [
        ("How many people are in the vtest video?", "people", " in the vtest video"),
        ("how many pedestrians can you see in street.mp4?", "people", " you see in street.mp4"),
        ("Is there a person in the carphone video?", "anyone", " in the carphone video"),
        ("are there any people in the vtest video?", "anyone", " in the vtest video"),
        ("Does the camera pan in the bikes video?", "camera", " in the bikes video"),
        ("is the camera static?", "camera", ""),
        ("How does the camera move in the cockatoo video?", "camera", " in the cockatoo video"),
        ("Is the Shepard film in colour?", "grey", "the Shepard film"),
        ("is the video black and white?", "grey", "the video"),
    ],
)
def test_questions_the_signals_answer(question: str, signal: str, naming: str) -> None:
    got = asks_signal(question)
    assert got is not None and got[0] == signal and got[1] == naming


@pytest.mark.parametrize(
    "question",
    [
        "How many people worked on the film?",  # credits, not a detector's count
        "is the sky black and white?",  # not the video
        "Is there a dog in the video?",  # a label, not a signal
        "What is the camera brand?",
    ],
)
def test_questions_the_signals_do_not_answer(question: str) -> None:
    assert asks_signal(question) is None


def test_how_many_people_is_the_most_at_once_and_says_what_counted() -> None:
    rows = [
        _row(0, people={"persons": 0, "faces": 0}),
        _row(1, people={"persons": 3, "faces": 0}),
        _row(2, people={"persons": 0, "faces": 1}),  # a close-up face counts as someone
        _row(3),  # not measured: left out
    ]
    text, cites = _people(V, rows, yes_no=False) or ("", [])
    assert text.startswith("at least 3 at once (people detector") and "someone in 2 of 3 clips" in text
    assert [c.clip_id for c in cites] == ["c1"] and cites[0].kind == "seen" and not cites[0].verified
    yes, _ = _people(V, rows, yes_no=True) or ("", [])
    assert yes.startswith("Yes: someone is seen in 2 of 3 clips")
    nobody = [_row(0, people={"persons": 0, "faces": 0})]
    assert _people(V, nobody, yes_no=True) is None  # the detector misses people: never "no people"


def test_the_camera_read_back_from_the_motion_vectors() -> None:
    rows = [_row(0, motion={"camera": "static"}), _row(1, motion={"camera": "pan right"})]
    text, cites = _camera(V, rows, "", "pan") or ("", [])
    assert text.startswith("Yes: camera pans right at 0:00:10.000-0:00:20.000") and cites[0].clip_id == "c1"
    still, _ = _camera(V, rows, "static", "") or ("", [])
    assert still.startswith("No: camera pans right")
    zoom, _ = _camera(V, rows, "", "zoom") or ("", [])
    assert zoom.startswith("No: the camera is static in all 2 clips")  # measured on every clip
    partly = [*rows, _row(2)]  # one clip not measured: no "No"
    assert _camera(V, partly, "", "zoom") is None
    assert _camera(V, [_row(0, motion={"camera": "unknown"})], "", "") is None


def test_black_and_white_is_most_clips_grayscale() -> None:
    grey = [_row(i, light={"grayscale": i < 2}) for i in range(3)]
    assert (_grey(V, grey, True) or ("",))[0] == "Yes: black and white (2 of 3 clips grayscale, by the colour signal)"
    assert (_grey(V, grey, False) or ("",))[0].startswith("No: black and white")
    assert _grey(V, [_row(0)], True) is None


def test_library_forms() -> None:
    assert _LOOK.match("are black and white?") and _LOOK.match("are in colour") and not _LOOK.match("are red?")
    most = _PEOPLE.match("has the most people?")
    assert most is not None and most.group("most")
    assert _PEOPLE.match("show people?") and not _PEOPLE.match("show people walking?")


def test_signals_end_to_end_on_synthetic_pans(tmp_path: Path) -> None:
    (tmp_path / "v").mkdir()
    camera_video(tmp_path / "v" / "pan.mp4", "pan_right", seconds=3.0)
    camera_video(tmp_path / "v" / "still.mp4", "static", seconds=3.0)
    store = tmp_path / "store"
    report = vidagent.index(tmp_path / "v", store=store)
    assert sorted(f.status for f in report.files) == ["indexed", "indexed"]
    pan = vidagent.ask("Does the camera pan in the pan video?", store=store, requery=False)
    assert pan.answer.startswith("Yes: camera pans right at 0:00:00.000") and pan.citations[0].kind == "seen"
    still = vidagent.ask("Does the camera move in the still video?", store=store, requery=False)
    assert still.answer.startswith("No: the camera is static in all"), still.answer
    colour = vidagent.ask("Is the pan video black and white?", store=store, requery=False)
    assert colour.answer.startswith("No: in colour"), colour.answer
    listed = vidagent.ask("Which videos are in colour?", store=store, requery=False)
    assert listed.answer.startswith(("pan.mp4, still.mp4", "still.mp4, pan.mp4")), listed.answer
    assert not vidagent.ask("How many people are in the pan video?", store=store, requery=False).found
    # a video named by what it shows, not by its file name: the answer says which video it took
    guess = vidagent.ask("Is the pink video in colour?", store=store, requery=False)  # "mostly pink and blue"
    assert guess.answer.startswith("Yes: in colour"), guess.answer
    assert any(n.startswith('took "pink video" to mean ') and "no file name says it" in n for n in guess.notes)
    # nothing any clip says names it: no guess ("the texture video" was taken to be the closest one)
    unnamed = vidagent.ask("Is the texture video in colour?", store=store, requery=False)
    assert not unnamed.found and unnamed.notes == [
        'no video\'s file name or clips say "texture video": name one in the question or with --video'
    ]
    named = vidagent.ask("Is the pan video in colour?", store=store, requery=False)
    assert not any(n.startswith("took ") for n in named.notes)  # named by its file: no guess to own up to
