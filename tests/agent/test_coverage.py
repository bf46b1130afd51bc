"""Which-video questions answered by how much of the question a video's evidence covers (`agent/coverage.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import vidagent
from vidagent.agent.compose import ClipEvidence
from vidagent.agent.coverage import answer_covered, asked_words, covered
from vidagent.describe import register_describer
from vidagent.types import ClipInput, Description, Segment

from ..plugins import ColourDescriber


class _Store:
    """Keyword statistics of a 149-clip library: every word in one clip unless `dfs` says otherwise."""

    def __init__(self, dfs: dict[str, int]) -> None:
        self.dfs = dfs

    def keyword_stats(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        return 149, {w: self.dfs.get(w, 1) for w in words}


class _Box:
    """What coverage reads of a toolbox: stored rows (the signal phrases), keyword statistics, the step log."""

    def __init__(self, phrases: dict[str, dict[str, list[str]]], dfs: dict[str, int] | None = None) -> None:
        self.phrases = phrases
        self.store = _Store(dfs or {})
        self.steps: list[dict[str, Any]] = []

    def row(self, clip_id: str) -> dict[str, Any]:
        return {"extra": {"signals": {"phrases": self.phrases.get(clip_id, {})}}}


def _ev(clip_id: str, video: str, tags: list[tuple[str, float]], said: str = "") -> ClipEvidence:
    speech = [Segment(0.0, 2.0, said)] if said else []
    return ClipEvidence(clip_id, video, "h", 0.0, 4.0, tag_scores=tags, speech=speech)


@pytest.mark.parametrize(
    ("rest", "words"),
    [
        ("shows a bearded man talking in front of a bookshelf", ["bearded", "man", "talking", "bookshelf"]),
        ("shows underwater footage full of bubbles", ["underwater", "bubbles"]),
        ("shows an old black and white film of a motor race", ["old", "black", "white", "motor", "race"]),
        ("shows the rabbit's burrow", ["rabbit", "burrow"]),
        ("shows a", []),
    ],
)
def test_the_words_a_which_video_question_asks_about(rest: str, words: list[str]) -> None:
    assert asked_words(rest) == words


CAR = {"people": ["a person", "a face close-up"], "colour": ["mostly grey and blue"]}


def test_a_video_backing_most_words_is_named_and_the_rest_said_missing() -> None:
    box = _Box({"car": CAR, "talk": {"people": ["a person"]}})
    evs = [
        _ev("talk", "/v/lecture.mp4", [("library", 0.44)]),
        _ev("car", "/v/carphone.mp4", [("bow tie", 0.46), ("suit", 0.10), ("seat belt", 0.05)]),
    ]
    ranked = covered(box, "a man in a suit and bow tie sitting in a car", evs)  # type: ignore[arg-type]
    assert [Path(v).name for v, _, _ in ranked] == ["carphone.mp4", "lecture.mp4"]
    # man (people) 1 + suit (unsure label) 0.5 + bow 1 + tie 1, of six words
    assert ranked[0][1] == pytest.approx(3.5 / 6) and ranked[1][1] == pytest.approx(1 / 6)
    ans = answer_covered(box, "q", "a man in a suit and bow tie sitting in a car", evs, {}, "")  # type: ignore[arg-type]
    assert ans is not None and ans.found
    assert ans.answer == (
        'carphone.mp4 (partly: "man": a person (people detector); "suit": suit (image tagger, 0.10); '
        "\"bow tie\": bow tie (image tagger, 0.46); nothing indexed says 'sitting', 'car')"
    )
    assert [c.clip_id for c in ans.citations] == ["car"] and ans.citations[0].kind == "seen"
    assert not ans.citations[0].verified  # labels and detections cannot be checked again
    assert ans.notes and "partial match" in ans.notes[0]
    assert box.steps[-1]["tool"] == "cover"


def test_a_signal_phrase_backs_a_word_weakly_and_the_people_phrases_surely() -> None:
    box = _Box({"car": CAR})
    evs = [_ev("car", "/v/carphone.mp4", [])]
    # "grey" is only a colour phrase: weak, and no sure backing -> nothing named
    assert answer_covered(box, "q", "something grey", evs, {}, "") is None  # type: ignore[arg-type]
    # "faces" is the people detector's "a face close-up": sure
    ans = answer_covered(box, "q", "a man pulling faces", evs, {}, "")  # type: ignore[arg-type]
    assert ans is not None and '"faces": a face close-up (people detector)' in ans.answer
    assert "'pulling'" in ans.answer


def test_what_is_said_backs_words_and_unsure_labels_back_nothing() -> None:
    box = _Box({})
    lecture = _ev("l", "/v/intro.mp4", [], said="Hi, I'm a lecturer at the University of Nottingham.")
    ans = answer_covered(box, "q", "a lecturer from the University of Nottingham introduces himself", [lecture], {}, "")  # type: ignore[arg-type]
    assert ans is not None and ans.answer.startswith("intro.mp4 (partly: ")
    assert "'introduces'" in ans.answer and ans.citations[0].kind == "said"
    # a horse label at 0.05 is under the support floor; one word of three would not be enough anyway
    beach = [_ev("b", "/v/film.mp4", [("sorrel", 0.05), ("seashore", 0.2)])]
    assert answer_covered(box, "q", "a horse galloping along a beach", beach, {}, "") is None  # type: ignore[arg-type]


def test_a_compound_label_backs_its_head_word_weakly() -> None:
    box = _Box({"car": CAR}, {"wearing": 0})
    evs = [_ev("car", "/v/carphone.mp4", [("bow tie", 0.46)])]
    ranked = covered(box, "a man wearing a tie", evs)  # type: ignore[arg-type]
    assert ranked[0][1] == pytest.approx(0.75)  # man 1, tie 0.5 ("a bow tie is a tie", but a hot dog is no dog)
    ans = answer_covered(box, "q", "a man wearing a tie", evs, {}, "")  # type: ignore[arg-type]
    assert ans is not None and '"tie": bow tie (image tagger, 0.46)' in ans.answer


def test_one_word_heard_or_the_recording_s_camera_names_no_video() -> None:
    box = _Box({"p": {"people": ["a person", "a talking head, a person speaking to the camera"]}})
    talk = [_ev("t", "/v/talk.mp4", [], said="Today we talk about money and how it works.")]
    # "money" is said, and it is half of the words, but one word heard is what is talked about
    assert answer_covered(box, "q", "money printing", talk, {}, "") is None  # type: ignore[arg-type]
    assert covered(box, "money printing", talk)[0][1] == pytest.approx(0.5)  # type: ignore[arg-type]
    # two words read, but in clips minutes apart ("OPEN MOVIE PROJECT", "BIG BUCK BUNNY"): nothing sure
    read = _Box({}, {"secret": 0})
    far = [
        ClipEvidence("a", "/v/film.mp4", "h", 10.0, 20.0, lines=["THE PEACH OPEN MOVIE PROJECT"]),
        ClipEvidence("b", "/v/film.mp4", "h", 560.0, 570.0, lines=["BIG BUCK BUNNY HAS BEEN REALISED"]),
    ]
    assert covered(read, "an open big secret", far)[0][1] == pytest.approx(1.0)  # type: ignore[arg-type]
    assert answer_covered(read, "q", "an open big secret", far, {}, "") is None  # type: ignore[arg-type]
    near = [ClipEvidence("a", "/v/film.mp4", "h", 10.0, 20.0, lines=["OPEN ME: A BIG SURPRISE"])]
    assert answer_covered(read, "q", "an open big secret", near, {}, "") is not None  # type: ignore[arg-type]
    # "camera" in "speaking to the camera" is the recording's camera, not a camera seen
    cam = [_ev("p", "/v/lecture.mp4", [])]
    assert covered(box, "a surveillance camera", cam)[0][1] == 0.0  # type: ignore[arg-type]


def test_a_common_match_counts_less_and_words_nothing_could_back_count_nothing() -> None:
    people = {"v": {"people": ["a person"]}}
    evs = [_ev("v", "/v/street.mp4", [])]
    # "person" is in 10 clips' text, "bicycle" in 3: the person alone is not the question's half
    box = _Box(people, {"person": 10, "bicycle": 3})
    assert covered(box, "a person on a bicycle", evs)[0][1] == pytest.approx(0.414, abs=0.01)  # type: ignore[arg-type]
    assert answer_covered(box, "q", "a person on a bicycle", evs, {}, "") is None  # type: ignore[arg-type]
    # "bearded" is in no clip's text and no label is one: it weighs nothing, and the answer says so
    box = _Box({"v": {"people": ["a person", "a talking head"]}}, {"bearded": 0, "person": 10, "talking": 2})
    ans = answer_covered(box, "q", "a bearded man talking", evs, {}, "")  # type: ignore[arg-type]
    assert ans is not None and ans.answer.endswith("nothing indexed says 'bearded')")
    # a question most of whose words nothing could back is not answered from the rest
    box = _Box(people, {"bearded": 0, "grumpy": 0, "person": 10})
    assert covered(box, "a bearded grumpy man", evs) == []  # type: ignore[arg-type]


def test_videos_backing_the_question_equally_are_named_together() -> None:
    box = _Box({"a": {"people": ["a person"]}, "b": {"people": ["a person"]}, "c": {}})
    evs = [_ev("a", "/v/a.mp4", []), _ev("b", "/v/b.mp4", []), _ev("c", "/v/c.mp4", [])]
    ans = answer_covered(box, "q", "a person waving", evs, {}, "")  # type: ignore[arg-type]
    assert ans is not None and ans.answer.startswith("a.mp4, b.mp4 (partly: ")


# -- end to end through `vidagent.ask` on an indexed store --------------------------------------------
class _SuitDescriber(ColourDescriber):
    """Red shots: a person in a bow tie (labels and the people signal's phrases); others: their colour."""

    name = "test-suit"
    model_id = "test/suit-v1"

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        out = super().describe_batch(items, prompt)
        for d in out:
            if d.tags[0][0] == "red":
                d.tags = [("bow tie", 0.46), ("suit", 0.1)]
                d.extra = {"signals": {"phrases": {"people": ["a person", "a face close-up"]}}}
                d.caption = "bow tie, suit. People: a person, a face close-up."
        return out


register_describer("test-suit", _SuitDescriber)


def test_which_video_end_to_end_names_the_covering_video(tmp_path: Path) -> None:
    from ..conftest import make_video

    (tmp_path / "v").mkdir()
    red = make_video(tmp_path / "v" / "interview.mp4", [("red", 2), ("blue", 2)])
    make_video(tmp_path / "v" / "sea.mp4", [("blue", 2), ("green", 2)])
    cfg = tmp_path / "config.yaml"
    cfg.write_text("describe:\n  describer: test-suit\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    report = vidagent.index(red.parent, store=tmp_path / "store", config=cfg)
    assert sorted(f.status for f in report.files) == ["indexed", "indexed"]
    ans = vidagent.ask("Which video shows a man in a bow tie?", store=tmp_path / "store", config=cfg, requery=False)
    assert ans.found and ans.answer.startswith("interview.mp4 ("), ans.answer
    assert ans.citations[0].start < 2.0 and "bow tie" in ans.answer
    none = vidagent.ask("Which video shows a horse on a beach?", store=tmp_path / "store", config=cfg, requery=False)
    assert not none.found


def test_a_word_inside_a_label_name_backs_weakly() -> None:
    box = _Box({}, {"crest": 11, "parrot": 11, "white": 29})
    evs = [_ev("c", "/v/cockatoo.mp4", [("sulphur-crested cockatoo", 0.6)])]
    backed = covered(box, "a white parrot with a crest", evs)[0][2]  # type: ignore[arg-type]
    assert backed["parrot"].sure and not backed["crest"].sure and "white" not in backed


def test_a_sure_label_names_a_video_only_if_the_rest_of_the_question_is_not_against_it() -> None:
    from vidagent.agent.which import _rest_backed

    box = _Box({}, {"throws": 0, "ball": 5, "dark": 10, "board": 3})
    world = [_ev("w", "/v/world.mp4", [("bubble", 0.48)])]  # a bubble is a kind of ball (a globule)
    assert not _rest_backed(box, "someone throws a ball across a dark board", world, {"/v/world.mp4"})  # type: ignore[arg-type]
    assert _rest_backed(box, "a ball", world, {"/v/world.mp4"})  # type: ignore[arg-type]
    # most of the question is nothing the index could check: the label decides alone, as before
    dog = [_ev("d", "/v/dog.mp4", [("Samoyed", 0.87)])]
    vague = _Box({}, {"fluffy": 0, "lying": 0, "floor": 0, "dog": 32, "white": 29})
    assert _rest_backed(vague, "a fluffy white dog lying on the floor", dog, {"/v/dog.mp4"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "rest", "yes"),
    [
        ("Is there a video with a dog?", "with a dog?", True),
        ("Are there any clips of people walking?", "of people walking?", True),
        ("Do any of the videos show a man in a bow tie?", "show a man in a bow tie?", True),
        ("Does any film feature a cockatoo?", "feature a cockatoo?", True),
        ("Do I have a video of the Earth from space?", "of the Earth from space?", True),
        ("Find the video with the cockatoo", "with the cockatoo", False),
        ("Show me the clip where a lecturer introduces himself", "where a lecturer introduces himself", False),
        ("Which video shows a dog?", "shows a dog?", False),
        # about one video, not a choice among them: other paths
        ("Does the video show a dog?", None, False),
        ("Is there a dog in the video?", None, False),
        ("Find the cockatoo", None, False),
    ],
)
def test_which_video_questions_asked_for_yes_or_no_or_as_requests(question: str, rest: str | None, yes: bool) -> None:
    from vidagent.agent.which import asks_video, asks_yes, searchable

    assert asks_video(question) == rest and asks_yes(question) is yes
    if rest is not None:
        assert searchable(rest).split()[0] not in ("with", "of", "where", "show", "feature")


def test_library_questions_with_and_without_a_channel() -> None:
    from vidagent.agent.library import _CHANNEL

    for rest, no in [("with no sound?", True), ("without sound", True), ("without any speech?", True)]:
        m = _CHANNEL.match(rest)
        assert m is not None and bool((m.group("no") or "").strip() == "no" or m.group("without")) is no
    m = _CHANNEL.match("with speech?")
    assert m is not None and not m.group("no") and not m.group("without")
    assert _CHANNEL.match("with a dog?") is None


def test_a_file_name_backs_weakly_and_names_a_video_only_with_the_rest_backed() -> None:
    box = _Box({}, {"lego": 0, "city": 0, "cyclists": 0, "traffic": 0})
    lego = [_ev("l", "/v/hugdoc_lego_movie.mp4", [("power drill", 0.2)])]
    ans = answer_covered(box, "q", "is about Lego?", lego, {}, "")  # type: ignore[arg-type]
    assert ans is not None and ans.answer == 'hugdoc_lego_movie.mp4 ("lego": its file name (hugdoc_lego_movie.mp4))'
    city = [_ev("c", "/v/city_at_night.mpg", [("scoreboard", 0.2)])]  # "city" in the name, nothing else backed
    assert answer_covered(box, "q", "shows cyclists and traffic in a city street", city, {}, "") is None  # type: ignore[arg-type]
    backed = covered(box, "shows a city", city)[0]  # type: ignore[arg-type]
    assert backed[1] == pytest.approx(0.5) and not backed[2]["city"].sure  # weak: half a word's weight
