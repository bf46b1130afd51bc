"""Questions anchored at a time ("what is written at 0:06?") and about the files themselves ("how long
is the video?"): what counts as one, which clip answers, and the answers through `vidagent.ask`."""

from __future__ import annotations

from pathlib import Path

import pytest

import vidagent
from vidagent.agent import ask
from vidagent.agent.anchored import Anchor, intent, said_at, shown_at, time_anchor
from vidagent.agent.channels import asks_channel
from vidagent.agent.compose import ClipEvidence
from vidagent.agent.filefacts import file_question
from vidagent.agent.mentions import asks_count
from vidagent.agent.summary import asks_summary
from vidagent.types import Segment, TextBox

from ..conftest import make_video


@pytest.mark.parametrize(
    ("question", "seconds"),
    [
        ("What happens at 2:30 in the film?", 150.0),
        ("what is said around 1:02:03?", 3723.0),
        ("What is on screen at 0:05.5 in the trailer?", 5.5),
        ("what does the narrator say at 90 seconds?", 90.0),
        ("What is shown after 2 minutes and 5 seconds?", 125.0),
        ("what happens at 1m30s", 90.0),
        ("Who is speaking at about 3 min?", 180.0),
        ("what is written at the 4:00 mark", 240.0),
        ("What happens 30 seconds into the trailer?", 30.0),
        ("what does he say 2 minutes in?", 120.0),
    ],
)
def test_times_named_in_questions(question: str, seconds: float) -> None:
    anchor = time_anchor(question)
    assert anchor is not None and anchor.at == pytest.approx(seconds)
    assert anchor.text.strip() and anchor.text in question


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("What happens at the end of the trailer?", "end"),
        ("what is said at the very beginning?", "start"),
        ("What is shown in the middle of the film", "middle"),
        ("What does the rabbit do in the end?", "end"),
        ("What is the first thing said in the video?", "start"),
        ("what is the last line shown in the trailer", "end"),
        ("What are the final words of the lecture?", "end"),
    ],
)
def test_places_named_in_questions(question: str, where: str) -> None:
    anchor = time_anchor(question)
    assert anchor is not None and anchor.at is None and anchor.where == where
    assert anchor.ordinal == any(w in question.lower() for w in ("first", "last", "final"))
    assert anchor.seconds(100.0) == {"start": 0.0, "middle": 50.0, "end": 99.5}[where]


@pytest.mark.parametrize(
    "question",
    [
        "When does the speaker mention the University of Nottingham?",
        "How many people are in the video?",
        "Who is thanked in the end credits?",
        "What happened in 2020?",
        "What is the film's website?",
        "How many seconds does the intro last?",
        "Who spoke for 5 minutes in the lecture?",  # a length, not a time
    ],
)
def test_questions_without_a_time(question: str) -> None:
    assert time_anchor(question) is None


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("What is said at 1:10?", "said"),
        ("What is written on screen at 0:06?", "written"),
        ("What is the last line shown in the trailer?", "written"),
        ("What are the first words of the lecture?", "said"),  # words / lines: of dialogue unless shown
        ("What happens at 2:30 in the film?", "describe"),
        ("What's happening at 1:30?", "describe"),
        ("what is on screen at 0:33 in the trailer?", "describe"),
        ("Who is speaking at 0:03?", ""),  # a question of its own, asked of the clip
        ("What colour is the car at 0:05?", ""),
    ],
)
def test_what_a_question_at_a_time_wants(question: str, want: str) -> None:
    anchor = time_anchor(question)
    assert anchor is not None and intent(question, anchor, []) == want


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How long is the Big Buck Bunny film?", ("duration", "Big Buck Bunny film")),
        ("How long does the video last?", ("duration", "video")),
        ("what is the duration of bikes.mp4?", ("duration", "bikes.mp4")),
        ("What is the resolution of the lecture?", ("resolution", "lecture")),
        ("What frame rate is testMovie?", ("fps", "testMovie")),  # a word of an indexed file's name
        ("how long is it?", ("duration", "it")),
        ("How long is the longest video?", ("duration", "longest video")),  # a superlative: the library's
        ("how many scenes are in the trailer?", ("shots", "trailer")),
        ("How many shots does testMovie have?", ("shots", "testMovie")),
        ("how many cuts are there in the film?", ("shots", "film")),
        ("how many clips does the bikes video have?", ("clips", "bikes video")),
        ("How many segments are in the trailer?", ("clips", "trailer")),
        ("how many clips of dogs are there?", None),
        ("how many scenes does the rabbit like?", None),
        ("how long is the rabbit?", None),  # not a video, not a file name
        ("How long does the rabbit sleep?", None),
        ("how long is the bridge in the film?", None),  # about something in the film
        ("what is the size of the dog?", None),
    ],
)
def test_questions_about_the_file(question: str, expected: tuple[str, str] | None) -> None:
    assert file_question(question, {"testmovie", "psychopy"}) == expected


@pytest.mark.parametrize(
    ("question", "naming"),
    [
        ("Summarize the Creative Commons video", "Creative Commons video"),
        ("What is the trailer about?", "trailer"),
        ("give me a short summary of testMovie", "testMovie"),
        ("what happens in the film?", "film"),
        ("What topics does the Creative Commons video cover?", "Creative Commons video"),
        ("What is shown in the gradio video?", "gradio video"),  # what is seen, not the text on screen
        ("what does the lecture discuss?", "lecture"),
        ("What does the rabbit cover?", None),  # not the video
        ("What is the speaker talking about?", None),  # about what is said, not the whole video
        ("what happens in this clip?", None),  # a clip is a part of a video, asked of its frames
        ("What is the rabbit about to do?", None),
        ("what happens in the forest?", None),
    ],
)
def test_questions_about_a_whole_video(question: str, naming: str | None) -> None:
    assert asks_summary(question, {"testmovie"}) == naming


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is anyone speaking in the bikes video?", ("speech", "bikes video")),
        ("Does the film have any dialogue?", ("speech", "film")),
        ("does anyone talk in testMovie?", ("speech", "testMovie")),
        ("Is there any text on screen in testMovie?", ("text", "testMovie")),
        ("Does the trailer have any subtitles?", ("text", "trailer")),
        ("is there sound in the kivy video?", ("audio", "kivy video")),
        ("Is there a dog in the video?", None),  # a thing seen: `visual`, not a channel
        ("Is anyone speaking about copyright?", None),
    ],
)
def test_questions_about_speech_sound_and_text(question: str, expected: tuple[str, str] | None) -> None:
    assert asks_channel(question, {"testmovie"}) == expected


def test_count_questions() -> None:
    assert asks_count("How many times is copyright mentioned in the video?") == "copyright mentioned in the video"
    assert asks_count("how often does MoviePy appear?") == "MoviePy appear"
    assert asks_count("How many rodent pests are there?") is None  # a number in the evidence, not a count of it


def test_the_sentence_said_and_the_lines_shown_nearest_the_time() -> None:
    ev = ClipEvidence(
        "c",
        "v.mp4",
        "h",
        10.0,
        30.0,
        boxes=[TextBox("FIRST", 0.1, 0.1, 0.5, 0.2, 0.9, 12.0), TextBox("SECOND", 0.1, 0.1, 0.5, 0.2, 0.9, 25.0)],
        speech=[Segment(10.5, 14.0, "one"), Segment(14.0, 18.0, "two"), Segment(27.0, 29.0, "three")],
    )
    assert said_at(ev, 15.0).text == "two"  # the segment holding the time
    assert said_at(ev, 20.0).text == "two"  # none holds it: the nearest within 5 s
    assert said_at(ev, 23.5).text == "three"
    assert shown_at(ev, 13.0) == (12.0, ["FIRST"])
    assert shown_at(ev, 24.0) == (25.0, ["SECOND"])
    far = ClipEvidence("c", "v.mp4", "h", 0.0, 60.0, speech=[Segment(0.0, 2.0, "early")])
    assert said_at(far, 40.0) is None and Anchor(40.0).seconds(60.0) == 40.0


def test_anchored_questions_end_to_end(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store  # red 0-2 s, blue 2-5 s ("...Blue Pioneers Fund"), green 5-7 s, white 7-10 s
    # The time picks the clip; the composer answers from it alone.
    fund = ask("Which fund supported it, at 0:03?", store=store, config=cfg, requery=False)
    assert "Blue Pioneers" in fund.answer
    assert all(2.0 - 1e-3 <= c.start and c.end <= 5.0 + 1e-3 for c in fund.citations)
    assert not ask("Which fund supported it, at 0:08?", store=store, config=cfg, requery=False).found

    written = ask("What is written on screen at 0:06?", store=store, config=cfg, requery=False)
    assert "Chapter two: the meadow" in written.answer and written.answer.startswith("At 0:00:06.000 in signs.mp4")
    shown = [c for c in written.citations if c.kind == "on screen"]
    assert shown and shown[0].verified and 5.0 - 1e-3 <= shown[0].start <= 7.0 + 1e-3

    moment = ask("What happens at the end of the video?", store=store, config=cfg, requery=False)
    assert "The End" in moment.answer and "white" in moment.answer  # the describer's caption and the line
    assert [c.kind for c in moment.citations] == ["seen", "on screen"]

    late = ask("What is said at 0:20?", store=store, config=cfg, requery=False)
    assert not late.found and any("no indexed video is that long" in n for n in late.notes)

    whole = ask("What is the video about?", store=store, config=cfg, requery=False)
    assert whole.answer.startswith("signs.mp4 (0:00:10.000) in") and whole.citations
    assert {c.kind for c in whole.citations} == {"chapter"} and whole.citations[0].start == 0.0

    silent = ask("Is anyone speaking in the video?", store=store, config=cfg, requery=False)
    assert silent.answer == "No: signs.mp4 has no audio track" and silent.citations[0].verified  # the file says so
    unread = ask("Is there any text on screen in the video?", store=store, config=cfg, requery=False)
    assert not unread.found and "does not read text" in unread.notes[0]  # a describer without OCR: no "No"

    counted = ask("How many times is the meadow shown?", store=store, config=cfg, requery=False)
    assert counted.answer == "shown 1 time in signs.mp4: at 0:00:05.000", counted.answer
    assert counted.citations[0].kind == "on screen" and counted.citations[0].verified
    assert not ask("How many times does the dog bark?", store=store, config=cfg, requery=False).found

    length = ask("How long is the video?", store=store, config=cfg, requery=False)
    assert length.answer.startswith("0:00:10.000") and "signs.mp4" in length.answer
    assert length.citations[0].kind == "file" and length.citations[0].end == pytest.approx(10.0, abs=0.1)


def test_a_time_in_a_library_needs_the_video(tmp_path: Path, colour_config: Path) -> None:
    make_video(tmp_path / "apple.mp4", [("red", 3)])
    make_video(tmp_path / "banana.mp4", [("blue", 3), ("green", 2)])
    report = vidagent.index(
        [str(tmp_path / "apple.mp4"), str(tmp_path / "banana.mp4")], store=tmp_path / "st", config=colour_config
    )
    assert [f.status for f in report.files] == ["indexed", "indexed"]
    unsure = ask("What happens at 0:01?", store=tmp_path / "st", config=colour_config, requery=False)
    assert not unsure.found and any("2 videos fit" in n for n in unsure.notes)
    named = ask("What happens at 0:01 in the banana video?", store=tmp_path / "st", config=colour_config, requery=False)
    assert named.found and named.citations[0].video.endswith("banana.mp4") and "blue" in named.answer
    given = ask("What happens at 0:01?", store=tmp_path / "st", config=colour_config, requery=False, video="apple.mp4")
    assert given.found and given.citations[0].video.endswith("apple.mp4") and "red" in given.answer
    # Which-video questions about the files: from each video's record, every video that fits named.
    longest = ask("Which video is the longest?", store=tmp_path / "st", config=colour_config, requery=False)
    assert longest.answer == "banana.mp4 (0:00:05.000)" and longest.citations[0].kind == "file"
    assert ask("which video is the shortest?", store=tmp_path / "st", config=colour_config).answer.startswith(
        "apple.mp4"
    )
    silent = ask("Which videos have no sound?", store=tmp_path / "st", config=colour_config, requery=False)
    assert silent.answer == "apple.mp4, banana.mp4 (no audio track)" and all(c.verified for c in silent.citations)
    unread = ask("Which videos show text on screen?", store=tmp_path / "st", config=colour_config, requery=False)
    assert not unread.found  # a describer without OCR: neither "have" nor "have not"


def test_superlatives_and_shots_end_to_end(tmp_path: Path) -> None:
    from vidagent.agent.library import asks_most

    assert asks_most("Which is the shortest video?") == "is the shortest"
    assert asks_most("what is the longest one in the library?") == "is the longest"
    assert asks_most("Which is the best video?") is None
    (tmp_path / "v").mkdir()
    make_video(tmp_path / "v" / "three.mp4", [("red", 1), ("blue", 1), ("green", 1)])
    make_video(tmp_path / "v" / "one.mp4", [("white", 1)])
    store = tmp_path / "store"
    assert all(f.status == "indexed" for f in vidagent.index(tmp_path / "v", store=store).files)
    longest = vidagent.ask("How long is the longest video?", store=store, requery=False)
    assert longest.answer.startswith("0:00:03.000 (3.0 s) (three.mp4)") and longest.citations[0].verified
    assert vidagent.ask("Which is the shortest video?", store=store, requery=False).answer.startswith("one.mp4 (")
    shots = vidagent.ask("How many shots does the three video have?", store=store, requery=False)
    assert shots.answer.startswith("3 shots (2 cuts found by scene detection) (three.mp4)"), shots.answer
    assert not shots.citations[0].verified  # a detector's count, not the file's metadata
    listed = vidagent.ask("list the videos in the library", store=store, requery=False)
    assert listed.answer.startswith("2 videos (indexed, 0:00:04.000 in all): ") and len(listed.citations) == 2
    clips = vidagent.ask("how many clips does the three video have?", store=store, requery=False)
    n = len(vidagent.search("red", store=store, video="three.mp4", min_score=0))  # every clip, ranked
    assert clips.answer.startswith(f"{n} clip") and "(as indexed) (three.mp4)" in clips.answer, clips.answer
