"""Ranking across videos: one long video's look-alike clips do not fill the list, and a video's
clips vote for it (`search.same_video_decay`, `search.video_weight`)."""

from __future__ import annotations

from vidagent.videolevel import diversify, top_mean, video_scores


def test_a_second_videos_best_clip_comes_before_a_long_videos_third() -> None:
    rows = {1: "film", 2: "film", 3: "film", 4: "dog"}
    scored = [
        (0.60, 1, {"caption": 0.6}),
        (0.58, 2, {"caption": 0.58}),
        (0.57, 3, {"caption": 0.57}),
        (0.50, 4, {"caption": 0.5}),
    ]
    out = sorted(diversify(scored, rows, 0.6), key=lambda x: -x[0])
    assert [did for _, did, _ in out] == [1, 4, 2, 3]  # the film keeps its own order
    assert out[2][0] == 0.58 * 0.6 and out[2][2] == {"caption": 0.58 * 0.6}  # shares follow the shown score
    assert diversify(scored, rows, 1.0) is scored


def test_a_video_scores_by_its_best_clips_and_the_query_words_found_across_them() -> None:
    assert top_mean([0.1, 0.9, 0.5, 0.7], 3) == (0.9 + 0.7 + 0.5) / 3
    assert top_mean([0.4], 3) == 0.4
    parts = {1: {"caption": 0.3}, 2: {"caption": 0.3}, 3: {"caption": 0.3}}
    video_of = {1: "a", 2: "a", 3: "b"}
    words = {1: {"tags": "dog"}, 2: {"caption": "lying on the floor"}, 3: {"tags": "dog"}}
    vs = video_scores(
        parts, video_of, words, ["dog", "floor"], {"dog": 1.0, "floor": 1.0}, {"tags": 1.0, "caption": 1.0}, 0.4, top=2
    )
    # video a covers both words across two clips; b only "dog"
    assert vs["a"] > vs["b"]
