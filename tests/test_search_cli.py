"""`vidagent search` output and `vidagent eval` as a user runs them (subprocess, colour test describer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import run


@pytest.fixture(scope="module")
def colour_store(tmp_path_factory: pytest.TempPathFactory, shots_video: Path) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("colour")
    cfg = d / "config.yaml"
    cfg.write_text("describe:\n  describer: test-colour\nclips:\n  min_duration: 1.0\n  max_duration: 10.0\n")
    store = d / "st"
    r = run("index", str(shots_video), "--store", str(store), "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    return store, cfg


def test_human_output_shows_the_sorted_score_and_why(colour_store: tuple[Path, Path]) -> None:
    store, cfg = colour_store
    r = run("search", "the blue screen", "--store", str(store), "--config", str(cfg), "--top-k", "3")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    scores = [float(x.split("score ")[1].split()[0]) for x in lines if " score " in x]
    assert scores == sorted(scores, reverse=True) and scores
    assert lines[0].split()[2].startswith("0:00:02")  # the blue shot, 2-5 s (H:MM:SS.mmm everywhere, #17)
    why = [x for x in lines if x.strip().startswith("why:")]
    assert 'visual "blue"' in why[0]  # matched by the word "blue" in its labels, not by "the"


def test_nonsense_returns_no_results_and_exit_0(colour_store: tuple[Path, Path]) -> None:
    store, cfg = colour_store
    r = run("search", "xqzzy flurbo", "--store", str(store), "--config", str(cfg))
    assert (r.returncode, r.stdout.strip()) == (0, "no results")
    # the gibberish gate rejected the words: the floor was not the reason, so no look-alike is named
    assert "no word of the query is known" in r.stderr and "relevance floor" not in r.stderr
    r = run("search", "the blue screen", "--store", str(store), "--config", str(cfg), "--min-score", "0.99")
    assert (r.returncode, r.stdout.strip()) == (0, "no results")
    assert "nearest clip scored" in r.stderr and "below the relevance floor" in r.stderr  # how close it came
    r = run("search", "xqzzy flurbo", "--json", "--store", str(store), "--config", str(cfg))
    assert json.loads(r.stdout) == []


def test_empty_query_is_a_one_line_error(colour_store: tuple[Path, Path]) -> None:
    store, cfg = colour_store
    r = run("search", "  ", "--store", str(store), "--config", str(cfg))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "empty" in r.stderr


def test_min_score_filters_and_video_takes_a_file_name(colour_store: tuple[Path, Path]) -> None:
    store, cfg = colour_store
    r = run(
        "search",
        "a green coloured screen",
        "--json",
        "--store",
        str(store),
        "--config",
        str(cfg),
        "--min-score",
        "0",
        "--video",
        "shots.mp4",
    )
    hits = json.loads(r.stdout)
    assert hits and all(h["video"].endswith("shots.mp4") for h in hits)
    assert hits[0]["start"] == pytest.approx(5.0, abs=0.05) and "keywords" in hits[0]["contributions"]
    r = run(
        "search", "a green coloured screen", "--json", "--store", str(store), "--config", str(cfg), "--min-score", "5"
    )
    assert json.loads(r.stdout) == []
    r = run(
        "search",
        "a green coloured screen",
        "--json",
        "--store",
        str(store),
        "--config",
        str(cfg),
        "--video",
        "other.mp4",
    )
    assert r.returncode == 1 and "other.mp4: not an indexed video" in r.stderr


def test_eval_scores_queries_and_compares_configs(colour_store: tuple[Path, Path], tmp_path: Path) -> None:
    store, cfg = colour_store
    q = tmp_path / "q.yaml"
    q.write_text(
        "- {query: a blue coloured screen, videos: [shots.mp4], windows: [[2, 5]]}\n"
        "- {query: green, videos: [shots.mp4], windows: [[5, 7]]}\n"
        "- {query: which video, videos: [shots.mp4]}\n"
        "- {query: xqzzy flurbo, absent: true}\n"
        "- {query: a dog, videos: [not_indexed.mp4]}\n"
    )
    no_kw = tmp_path / "no_keywords.yaml"
    no_kw.write_text(cfg.read_text() + "search:\n  weights: {caption: 0.5, visual: 0.5, keywords: 0}\n")
    r = run("eval", str(q), "--store", str(store), "--config", str(cfg), "--config", str(no_kw), "--json")
    assert r.returncode == 0, r.stderr
    reports = json.loads(r.stdout)
    assert [x["label"] for x in reports] == ["config", "no_keywords"]
    s = reports[0]["summary"]
    assert s["moment"]["R@1"] == 1.0 and s["moment"]["n"] == 2
    assert s["absent"]["R@1"] == 1.0
    assert reports[0]["skipped"] == ["a dog"]
    assert [x["first_rank"] for x in reports[0]["queries"]][:2] == [1, 1]
    r = run("eval", str(q), "--store", str(store), "--config", str(cfg), "--ablate")
    assert r.returncode == 0, r.stderr
    assert "config-keywords" in r.stdout and "moment (2) R@5" in r.stdout and "skipped 1" in r.stdout


def test_eval_bad_query_file_is_one_line(tmp_path: Path) -> None:
    q = tmp_path / "q.yaml"
    q.write_text("- {query: a cat}\n")
    r = run("eval", str(q), "--store", str(tmp_path))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "q.yaml" in r.stderr
