"""`vidagent eval`: loading judged queries and scoring rankings (synthetic hits, no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vidagent.errors import VidagentError
from vidagent.evaluation import EvalQuery, EvalReport, Target, load_queries, score_query
from vidagent.types import Hit


def _hit(video_hash: str, start: float, end: float, **kw: object) -> Hit:
    return Hit(
        clip_id=f"{video_hash}{start}",
        video=f"/v/{video_hash}.mp4",
        video_hash=video_hash,
        start=start,
        end=end,
        score=1.0,
        caption=str(kw.get("caption", "")),
        sources=dict(kw.get("sources", {})),
    )  # type: ignore[arg-type]


def test_yaml_and_jsonl_load_the_same_queries(tmp_path: Path) -> None:
    y = tmp_path / "q.yaml"
    y.write_text(
        "queries:\n- {query: a cat, videos: [a.mp4], windows: [[3, 5]]}\n"
        "- {query: which dog, videos: [b.mp4, {video: c.mp4, windows: [[1, 2]]}]}\n"
        "- {query: xyz, absent: true}\n"
    )
    j = tmp_path / "q.jsonl"
    j.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"query": "a cat", "videos": ["a.mp4"], "windows": [[3, 5]]},
                {"query": "which dog", "videos": ["b.mp4", {"video": "c.mp4", "windows": [[1, 2]]}]},
                {"query": "xyz", "absent": True},
            ]
        )
        + "\n"
    )
    for p in (y, j):
        qs = load_queries(p)
        assert [q.kind for q in qs] == ["moment", "moment", "absent"]
        assert qs[0].targets == [Target("a.mp4", [(3.0, 5.0)])]
        assert qs[1].targets[0].windows == [] and qs[1].targets[1].windows == [(1.0, 2.0)]


@pytest.mark.parametrize(
    "body, needle",
    [
        ("- {query: a cat}\n", "list the 'videos'"),
        ("- {query: a cat, videos: [a.mp4], windows: [[5, 3]]}\n", "bad window"),
        ("- {query: a cat, absent: true, videos: [a.mp4]}\n", "absent query cannot list"),
        ("- {query: a cat, vidoes: [a.mp4]}\n", "unknown key"),
        ("[unclosed\n", "not valid YAML"),
        ("{}\n", "non-empty list"),
    ],
)
def test_bad_query_files_are_one_line_errors_naming_the_file(tmp_path: Path, body: str, needle: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(body)
    with pytest.raises(VidagentError, match=needle) as e:
        load_queries(p)
    assert str(p) in str(e.value) and "\n" not in str(e.value)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(VidagentError, match="not found"):
        load_queries(tmp_path / "nope.yaml")


def test_moment_hits_need_overlap_with_a_window() -> None:
    q = EvalQuery("a cat", [Target("a", [(3.0, 5.0)])])
    hits = [_hit("b", 3, 5), _hit("a", 0, 3), _hit("a", 4, 8)]
    r = score_query(q, hits, {"a": [(3.0, 5.0)]}, relevant=1)
    assert r.first_rank == 3  # touching the window at 3.0 is not overlapping it
    assert r.correct_at == {1: False, 5: True, 10: True, 3: True}
    assert r.ndcg == pytest.approx(0.5)  # 1/log2(4)


def test_library_queries_count_each_video_once() -> None:
    q = EvalQuery("which", [Target("a"), Target("b")])
    hits = [_hit("a", 0, 1), _hit("a", 1, 2), _hit("b", 0, 1)]
    r = score_query(q, hits, {"a": [], "b": []}, relevant=2)
    assert r.first_rank == 1
    ideal = 1 + 1 / 1.584962500721156
    assert r.ndcg == pytest.approx((1 + 1 / 2) / ideal, abs=1e-4)


def test_absent_queries_are_right_only_when_nothing_comes_back() -> None:
    q = EvalQuery("xqzzy", absent=True)
    assert score_query(q, [], {}, 0).correct_at[1] is True
    bad = score_query(q, [_hit("a", 0, 1)], {}, 0)
    assert bad.correct_at[1] is False and bad.ndcg == 0.0


def test_a_top_hit_chosen_by_a_stopword_is_flagged() -> None:
    q = EvalQuery("a dog at the beach", [Target("a")])
    talk = _hit("b", 0, 1, caption="we met at the station", sources={"keyword": 0})
    assert score_query(q, [talk], {"a": []}, 1).stopword_top is True
    seen = _hit("a", 0, 1, caption="dog, beach", sources={"keyword": 0})
    assert score_query(q, [seen], {"a": []}, 1).stopword_top is False


def test_summary_groups_by_kind_and_split() -> None:
    qs = [EvalQuery("x", [Target("a")], split="tune"), EvalQuery("y", absent=True, split="holdout")]
    rep = EvalReport("s", [score_query(qs[0], [_hit("a", 0, 1)], {"a": []}, 1), score_query(qs[1], [], {}, 0)])
    s = rep.summary()
    assert s["library"]["R@1"] == 1.0 and s["absent"]["R@1"] == 1.0 and s["all"]["n"] == 2
    assert set(rep.summary("tune")) == {"library", "all"}
    assert rep.to_json()["by_split"]["holdout"]["absent"]["MRR"] == 1.0
