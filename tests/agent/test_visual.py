"""Kind questions ("what animal is shown?") answered from the labels' WordNet kinds, end to end on a store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

import vidagent
from vidagent.agent.compose import ClipEvidence
from vidagent.agent.visual import KIND_FLOOR, SeenKind, asked_kind, present_kind, seen_kind
from vidagent.describe import register_describer
from vidagent.types import ClipInput, Description

from ..plugins import ColourDescriber

# What a tagger might say of each colour's shot: ImageNet class names with probabilities.
LABELS = {
    "white": [("Samoyed", 0.81), ("white wolf", 0.08)],
    "green": [("hare", 0.45), ("wood rabbit", 0.2)],
    "blue": [("jellyfish", 0.12), ("scuba diver", 0.5)],
}


class LabelDescriber(ColourDescriber):
    name = "test-labels"
    model_id = "test/labels-v1"

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        out = super().describe_batch(items, prompt)
        for d in out:
            colour = d.tags[0][0]
            d.tags = list(LABELS.get(colour, [(colour, 1.0)]))
            d.caption = ", ".join(t for t, _ in d.tags)
        return out


register_describer("test-labels", LabelDescriber)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What animal is shown?", "animal"),
        ("What kind of animal is in the film?", "animal"),
        ("Which animals appear in the video?", "animal"),
        ("what types of birds appear?", "bird"),
        ("Which dog breed is it?", "dog"),
        ("What is the vehicle in the street?", "vehicle"),
        ("What instrument is played?", "instrument"),
        ("What animal sleeps inside the burrow?", "animal"),
        ("Which big grey animal is the main character?", "animal"),
        ("Which horse breed appears?", "horse"),  # one label (sorrel) is a horse
        ("What breed is the dog?", "dog"),  # the kind is the thing named after the verb
        ("What is the man wearing in the carphone video?", "clothing"),  # a garment, a tie, a hat
        ("what does the presenter wear?", "clothing"),
        ("What is the man holding?", None),
        ("What is the dog wearing?", None),  # clothing labels say what people wear
        ("What is the dog doing?", None),  # an action, which no label is ("Samoyed" was the answer)
        ("what does the cockatoo do in the video?", None),
        ("what species is the bird in the cockatoo video?", "bird"),
        ("Which kind of bird is this parrot?", "parrot"),
        ("What breed is the speaker?", None),  # labels are no kind of speaker
        # no kind the labels can be: names, brands, companies, colours, software, things said
        ("Which car brand is advertised on the billboard?", None),
        ("What is the name of the cat?", None),
        ("Which company provided the rendering?", None),
        ("Which company provided the car?", None),
        ("What video shows a dog?", None),
        ("What colour is the submarine?", None),
        ("What software was the trailer made with?", None),
        ("What is coming according to the trailer?", None),
        ("How many elephants are there?", None),
        ("Who is the lecturer?", None),
    ],
)
def test_asked_kind(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


def _ev(clip_id: str, video: str, scores: list[tuple[str, float]]) -> ClipEvidence:
    return ClipEvidence(clip_id, video, "h", 0.0, 1.0, tag_scores=scores)


def test_seen_kind_sums_probability_needs_one_sure_clip_and_prefers_a_named_video() -> None:
    evs = [
        _ev("a", "/v/film.mp4", [("hare", 0.35), ("Chihuahua", 0.2)]),
        _ev("b", "/v/film.mp4", [("hare", 0.3), ("Chihuahua", 0.25)]),
        _ev("c", "/v/dog.mp4", [("Samoyed", 0.5)]),
        _ev("d", "/v/film.mp4", [("minivan", 0.9)]),  # not an animal
    ]
    got = seen_kind("animal", evs)
    assert got is not None and got.label == "hare" and [c for c, _ in got.clips] == ["a", "b"]
    assert seen_kind("animal", evs, {"dog"}).label == "Samoyed"  # "...in the dog video"
    assert seen_kind("vehicle", evs).label == "minivan"
    # Chihuahua has mass 0.45 but no clip reaching the floor: not an answer of kind dog
    assert KIND_FLOOR > 0.25 and seen_kind("dog", evs[:2]) is None
    assert seen_kind("bird", evs) is None


def test_the_answer_names_the_kind_under_the_asked_one() -> None:
    assert SeenKind("animal", "Samoyed", 0.87, [("c", 0.87)]).text() == "Samoyed (a dog; image tagger, 0.87)"
    assert SeenKind("bird", "king penguin", 0.6, [("c", 0.6)]).text().startswith("king penguin (a sphenisciform")
    assert SeenKind("animal", "hare", 0.47, [("c", 0.47)]).text() == "hare (a lagomorph; image tagger, 0.47)"


@pytest.fixture(scope="module")
def label_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ..conftest import make_video

    d = tmp_path_factory.mktemp("visual")
    video = make_video(d / "animals.mp4", [("white", 3), ("green", 3), ("blue", 3)])
    cfg = d / "config.yaml"
    cfg.write_text("describe:\n  describer: test-labels\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    report = vidagent.index(video, store=d / "store", config=cfg)
    assert [f.status for f in report.files] == ["indexed"]
    return d / "store"


def test_ask_answers_a_kind_question_from_the_labels_and_cites_where_it_was_seen(label_store: Path) -> None:
    ans = vidagent.ask("Which dog is shown?", store=label_store, requery=False)
    assert ans.found and ans.answer == "Samoyed (a spitz; image tagger, 0.81)"
    assert [c.kind for c in ans.citations] == ["seen"] and not ans.citations[0].verified
    assert ans.citations[0].start < 3.0 <= ans.citations[0].end + 0.5  # the white shot, 0-3 s
    ans = vidagent.ask("What kind of animal is in the video?", store=label_store, requery=False)
    assert ans.answer.startswith(("Samoyed", "hare"))
    assert ans.query["kind"] == "animal"


def test_no_sure_label_of_the_kind_is_not_found_and_no_other_label_answers(label_store: Path) -> None:
    # jellyfish (0.12) is an animal under the floor; scuba diver (0.5) is sure but not a bird
    ans = vidagent.ask("Which bird is shown?", store=label_store, requery=False)
    assert not ans.found and ans.answer.startswith("Not found")
    # a question asking for no kind keeps answering from whatever label fits best
    assert vidagent.ask("What is seen underwater?", store=label_store, requery=False).answer == "scuba diver"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Is there a dog in any video?", "dog"),
        ("Are there birds?", "bird"),
        ("Do any birds show up in the trailer?", "bird"),
        ("Is a snake shown?", "snake"),
        ("Can you see a white dog?", "dog"),
        ("Is there a jellyfish?", "jellyfish"),  # a label's own name counts here
        ("Does the speaker work at a university?", None),  # "the": no presence question
        ("Is the film licensed under Creative Commons?", None),
        ("Is there any music?", None),
    ],
)
def test_present_kind(question: str, kind: str | None) -> None:
    assert present_kind(question) == kind


def test_yes_no_presence_is_yes_with_the_label_or_not_found(label_store: Path) -> None:
    ans = vidagent.ask("Is there a dog?", store=label_store, requery=False)
    assert ans.answer == "Yes: Samoyed (a spitz; image tagger, 0.81)" and ans.citations[0].kind == "seen"
    # no label is a horse: not "No" (a tagger missing a thing is no evidence it is absent), not found
    assert not vidagent.ask("Is there a horse?", store=label_store, requery=False).found


@pytest.mark.parametrize(
    ("question", "rest", "kinds"),
    [
        ("Which video shows a fluffy white dog lying on the floor?", "fluffy white dog lying on the floor", ["dog"]),
        ("In which video does someone talk about copyright?", "talk about copyright", []),
        ("What clips show underwater footage full of bubbles?", "underwater footage full of bubbles", ["bubble"]),
        ("Which film has a scuba diver and a jellyfish?", "scuba diver and a jellyfish", ["diver", "jellyfish"]),
    ],
)
def test_which_video_questions_name_what_to_look_for(question: str, rest: str, kinds: list[str]) -> None:
    from vidagent.agent.visual import subject_kinds
    from vidagent.agent.which import asks_video, searchable

    asked = asks_video(question)
    assert asked is not None and searchable(asked) == rest and subject_kinds(asked) == kinds
    assert asks_video("What animal is in the video?") is None and asks_video("Who made the video?") is None
    assert searchable(asks_video("Which video?") or "") == ""  # nothing to search for: no note


def test_which_video_names_the_video_a_sure_label_is_in_or_is_not_found(
    label_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ans = vidagent.ask("Which video shows a white dog?", store=label_store, requery=False)
    assert ans.answer == "animals.mp4 (seen: Samoyed, a spitz; image tagger, best 0.81)"
    assert ans.citations[0].kind == "seen" and ans.citations[0].start < 3.0
    none = vidagent.ask("Which video shows a horse on a beach?", store=label_store, requery=False)
    assert not none.found and none.notes == [
        'no label or line names it surely; the closest clips: vidagent search "horse on a beach"'
    ]


def test_an_unsure_label_names_a_video_only_when_the_rest_of_the_question_is_not_against_it(
    label_store: Path,
) -> None:
    # hare 0.45 (under 0.5): a fence, which labels could show, is nowhere -> not this video
    assert not vidagent.ask("Which video shows a hare by a fence?", store=label_store, requery=False).found
    assert vidagent.ask("Which video shows a hare?", store=label_store, requery=False).answer.startswith("animals.mp4")
    # Samoyed 0.81: the label decides alone
    sure = vidagent.ask("Which video shows a white dog by a fence?", store=label_store, requery=False)
    assert sure.answer.startswith("animals.mp4 (seen: Samoyed")


def test_which_video_asked_for_yes_or_no_says_yes_or_is_not_found(label_store: Path) -> None:
    ans = vidagent.ask("Is there a video with a white dog?", store=label_store, requery=False)
    assert ans.answer == "Yes: animals.mp4 (seen: Samoyed, a spitz; image tagger, best 0.81)"
    none = vidagent.ask("Is there a video of a horse on a beach?", store=label_store, requery=False)
    assert not none.found and none.answer.startswith("Not found")  # never "No": the tagger may miss it
    assert vidagent.ask("Find the video with the jellyfish and the scuba diver", store=label_store, requery=False).found
