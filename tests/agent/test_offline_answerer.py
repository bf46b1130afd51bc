"""The offline pipeline, the retriever, history and the CLI on a synthetic store (no chat model)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vidagent.agent import ask, history
from vidagent.cli import app
from vidagent.store import Store

from .conftest import INJECTION


def test_offline_answers_from_on_screen_text_with_a_verified_citation(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store
    result = ask("Which fund supported the film?", store=store, config=cfg, requery=False)
    assert result.mode == "offline"
    # The short span (an organisation for "which fund"), then the line it was read from.
    assert result.answer == "Blue Pioneers Fund"
    assert result.evidence == "Made with support from the Blue Pioneers Fund"
    assert len(result.citations) == 1
    c = result.citations[0]
    # This describer stored lines without positions, so the citation is the whole clip.
    assert (c.start, c.end, c.verified, c.kind) == (2.0, 5.0, True, "on screen")
    assert c.video.endswith("signs.mp4")
    tools = [s["tool"] for s in result.steps]
    assert tools[:4] == ["analyse", "search_clips", "read_evidence", "compose"] and tools[-1] == "verify"
    assert result.query["answer_type"] == "org"


def test_offline_says_not_found_for_absent_things(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store
    for q in ("Where is the giraffe?", "Who won the football match?"):
        result = ask(q, store=store, config=cfg)
        assert result.answer.startswith("Not found"), (q, result.answer)
        assert result.citations == []


def test_offline_quotes_injected_text_as_data_only(sign_store: tuple[Path, Path]) -> None:
    store, cfg = sign_store
    result = ask("Which instructions appear on screen?", store=store, config=cfg)
    assert INJECTION in result.answer  # reported, quoted
    assert {s["tool"] for s in result.steps} <= {
        "analyse",
        "search_clips",
        "keyword_clips",
        "read_evidence",
        "compose",
        "requery",
        "verify",
    }
    assert result.citations and result.citations[0].start == 0.0


def test_video_filter_and_unknown_video(sign_store: tuple[Path, Path], tmp_path: Path) -> None:
    store, cfg = sign_store
    video = Store(store, create=False).videos()[0].path
    assert "Blue Pioneers" in ask("Which fund supported the film?", store=store, config=cfg, video=video).answer
    runner = CliRunner()
    res = runner.invoke(
        app, ["ask", "fund?", "--store", str(store), "--config", str(cfg), "--video", str(tmp_path / "x.mp4")]
    )
    assert res.exit_code != 0 and "not an indexed video" in str(res.exception)
    failed = history(store, limit=1)[0]  # failed runs are recorded too
    assert failed["question"] == "fund?" and "not an indexed video" in failed["error"]


def test_retriever_returns_documents_with_clip_metadata(sign_store: tuple[Path, Path]) -> None:
    from vidagent.agent.retriever import VidagentRetriever
    from vidagent.config import load_settings

    store, cfg = sign_store
    docs = VidagentRetriever(store=Store(store, create=False), settings=load_settings(cfg), k=2).invoke(
        "Blue Pioneers Fund"
    )
    assert len(docs) == 2
    top = docs[0]
    assert "Blue Pioneers Fund" in top.page_content
    assert (top.metadata["start"], top.metadata["end"]) == (2.0, 5.0)
    assert top.metadata["clip_id"] == top.id and top.metadata["video"].endswith("signs.mp4")


def test_cli_ask_json_and_history(sign_store: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    store, cfg = sign_store
    own = tmp_path / "store"
    shutil.copytree(store, own)
    st = Store(own, create=False)
    with st.session() as s:  # a fresh history (other tests asked on the shared store)
        from vidagent.store.models import AgentRun

        s.query(AgentRun).delete()
    st.engine.dispose()
    runner = CliRunner()
    res = runner.invoke(
        app,
        ["ask", "Which fund supported the film?", "--store", str(own), "--config", str(cfg), "--json", "--top-k", "3"],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"answer", "found", "verified", "evidence", "citations", "steps", "query"} <= set(data)
    assert data["answer"] == "Blue Pioneers Fund" and data["found"] is True and data["verified"] is True
    assert data["citations"][0] | {"clip_id": "", "video": ""} == {
        "video": "",
        "start": 2.0,
        "end": 5.0,
        "clip_id": "",
        "evidence": data["citations"][0]["evidence"],
        "verified": True,
        "kind": "on screen",
        "clip_start": 2.0,
        "clip_end": 5.0,
    }
    search = next(s for s in data["steps"] if s["tool"] == "search_clips")
    assert search["args"]["k"] == 3
    # Every step's result is a JSON value (not a cut string).
    assert isinstance(search["result"], list) and search["result"][0]["clip_id"]

    res = runner.invoke(app, ["ask", "Where is the giraffe?", "--store", str(own), "--config", str(cfg)])
    assert res.exit_code == 0 and res.output.startswith("Not found")
    res = runner.invoke(
        app, ["ask", "Where is the giraffe?", "--store", str(own), "--config", str(cfg), "--json", "--no-requery"]
    )
    data = json.loads(res.output)
    assert res.exit_code == 0 and data["found"] is False and data["citations"] == []

    rows = history(own)
    assert [r["question"] for r in rows] == [
        "Where is the giraffe?",
        "Where is the giraffe?",
        "Which fund supported the film?",
    ]
    assert rows[2]["citations"][0]["verified"] is True and rows[2]["steps"]
    res = runner.invoke(app, ["history", "--store", str(own), "--json", "--limit", "1"])
    assert res.exit_code == 0
    assert [r["question"] for r in json.loads(res.output)] == ["Where is the giraffe?"]
    res = runner.invoke(app, ["history", "--store", str(own)])
    assert "Q: Which fund supported the film?" in res.output and "offline" in res.output
