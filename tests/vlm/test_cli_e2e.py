"""Every VLM describer through the real `vidagent` commands, as a user runs them:

    index -> search finds the clips -> ask re-queries a clip with the shipped `ask` prompt -> caption
    --format jsonl (one row per clip) -> a second index does no new work -> status / doctor healthy ->
    similar (more like this clip)

for each transformers backend on its tiny random-weight checkpoint, and for `openai` against a local
OpenAI-compatible HTTP server. Commands run in-process through typer's CliRunner (one import of torch
for the whole file); before each command the describer instances are dropped, so every command builds
its describer and computes its settings key before any model is loaded, as a fresh process does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_openai_http import FakeServer, ok
from vlm_cli import SHOTS, cli, cli_json, write_config
from vlm_clips import BACKENDS

from tests.conftest import COLOURS, make_video
from vidagent.agent.answer import NOT_FOUND
from vidagent.prompts import load_prompt, render


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three 2-second shots (red, blue, green) at 10 fps, 96x64: three clips."""
    return make_video(tmp_path_factory.mktemp("e2e") / "three.mp4", SHOTS, fps=10, size=(96, 64))


def active_rows(store: Path) -> list[dict[str, Any]]:
    from vidagent.store import Store

    with Store(store, create=False) as st:
        return st.active_rows()


def run_sequence(store: Path, cfg: Path, video: Path, question: str) -> dict[str, Any]:
    """The whole user sequence; returns what the caller checks backend-specifically."""
    s, c = ("--store", str(store)), ("--config", str(cfg))
    # 1. index: every clip described, and the descriptions are the ones the video is active with
    summary = cli_json("index", str(video), *s, *c, "--no-progress")
    assert (summary["videos"], summary["failed"]) == (1, 0)
    n = summary["clips"]
    assert n == len(SHOTS) and summary["described"] == n
    rows = active_rows(store)
    assert len(rows) == n and all(r["caption"] for r in rows), rows
    assert all("error" not in r["extra"] for r in rows)

    # 2. search, with and without the describer's config: the clips are found, the queried caption first
    ids = {r["clip_id"] for r in rows}
    query = rows[1]["caption"]
    for extra in (c, ()):
        hits = cli_json("search", query, *s, *extra, "--top-k", "10")
        assert hits and {h["clip_id"] for h in hits} <= ids
        assert hits[0]["caption"] == query and hits[0]["ranks"].get("text") == 0

    # 3. ask: the offline answerer re-queries the clip through the describer with the shipped prompt
    answer = cli_json("ask", question, *s, *c)
    inspected = [st for st in answer["steps"] if st["tool"] == "inspect_clip"]
    assert inspected and all("error" not in st for st in inspected), answer["steps"]
    # steps are JSON values (ask --json is machine-readable), not strings
    assert all(isinstance(st["result"], dict) and st["result"]["requeried"] is True for st in inspected)
    assert answer["answer"] == NOT_FOUND or answer["citations"]
    for cit in answer["citations"]:
        assert cit["clip_id"] in ids and cit["verified"]
    history = cli_json("history", *s, "--limit", "1")
    assert history[0]["question"] == question and not history[0]["error"]

    # 4. caption --format jsonl: one row per clip, the stored captions, nothing described again
    out = store.parent / f"{store.name}-captions.jsonl"
    res = cli("caption", str(video), *s, *c, "--format", "jsonl", "-o", str(out), "--no-progress")
    assert "(0 newly described)" in res.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["clip_id"] for x in lines] == [r["clip_id"] for r in rows]
    assert [x["caption"] for x in lines] == [r["caption"] for r in rows]

    # 5. a second index does no new work
    again = cli_json("index", str(video), *s, *c, "--no-progress")
    assert again["described"] == 0 and again["files"][0]["status"] == "unchanged"

    # 6. status and doctor: healthy, one description per clip, none failed
    st = cli_json("status", *s)
    assert (st["videos"], st["clips"], st["descriptions"], st["failed_descriptions"]) == (1, n, n, 0)
    findings = cli_json("doctor", *s)
    assert all(f["ok"] for f in findings), findings

    # 7. similar: the other clips, never the clip itself
    similar = cli_json("similar", rows[0]["clip_id"], *s)
    assert {h["clip_id"] for h in similar} == ids - {rows[0]["clip_id"]}
    return {"rows": rows, "answer": answer, "similar": similar, "spaces": st["vectors_by_space"]}


@pytest.mark.parametrize("name", BACKENDS)
def test_transformers_backend_end_to_end(name: str, tiny_dirs: dict[str, Path], video: Path, tmp_path: Path) -> None:
    if name not in tiny_dirs:
        pytest.skip(f"{name}: its processor's dependencies are not installed")
    cfg = write_config(
        tmp_path / "vlm.yaml", name, {"model": str(tiny_dirs[name]), "num_frames": 4, "max_new_tokens": 6}
    )
    question = "what happens in this clip ?"
    got = run_sequence(tmp_path / "store", cfg, video, question)
    # captions in the text space, pooled vision vectors in the model's own space, one per clip
    spaces = got["spaces"]
    assert spaces["text:minilm"] == len(got["rows"])
    [vision] = [k for k in spaces if k.startswith("vision:")]
    assert spaces[vision] == len(got["rows"])
    # similar ranks by both the caption text and what the model saw
    assert all({"text", "vision"} <= set(h["ranks"]) for h in got["similar"])
    # the re-query was the describer's own free-text answer to the shipped ask prompt
    from vidagent.config import load_settings
    from vidagent.describe import get_describer
    from vidagent.pipeline import clip_input
    from vidagent.store import Store

    step = next(s for s in got["answer"]["steps"] if s["tool"] == "inspect_clip")
    clip_id = step["result"]["clip_id"]
    settings = load_settings(cfg)
    d = get_describer(name, settings.describe)
    with Store(tmp_path / "store", create=False) as st:
        expected = d.ask(clip_input(st, settings, clip_id, d), question)
    assert " ".join(expected.split())[:60] in " ".join(step["result"]["content"]["answer"].split())


def _colour_of(body: dict[str, Any]) -> str:
    """The fake server's 'vision': the nearest named colour to the mean of the first image sent."""
    import base64
    import io

    from PIL import Image

    parts = body["messages"][0]["content"]
    url = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"), dtype=float)
    mean = img.reshape(-1, 3).mean(0)
    return min(COLOURS, key=lambda c: float(np.sum((np.array(COLOURS[c]) - mean) ** 2)))


@pytest.fixture()
def server() -> Any:
    s = FakeServer()

    def respond(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        colour = _colour_of(body)
        text = next(p["text"] for p in body["messages"][0]["content"] if p["type"] == "text")
        if text.startswith(render(load_prompt("ask"), question="\x00").split("\x00")[0]):
            return 200, ok(f"Here a {colour} background appears, and a grey square slides to the right.")
        return 200, ok(f"a {colour} background with a grey square sliding across")

    s.respond = respond
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_openai_end_to_end(server: FakeServer, video: Path, tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "http.yaml",
        "openai",
        {"base_url": server.url, "model": "served-vlm", "num_frames": 2, "max_retries": 0},
    )
    question = "when does the blue background appear?"
    got = run_sequence(tmp_path / "store", cfg, video, question)
    assert [r["caption"] for r in got["rows"]] == [
        f"a {c} background with a grey square sliding across" for c, _ in SHOTS
    ]
    # the re-query went to the server with the shipped ask prompt, and its free text is the answer
    ask_text = render(load_prompt("ask"), question=question)
    asked = [r for r in server.requests if r["body"]["messages"][0]["content"][0]["text"] == ask_text]
    assert asked
    answer = got["answer"]
    assert answer["answer"] != NOT_FOUND and "blue background appears" in answer["answer"]
    [cit] = answer["citations"]
    assert (cit["start"], cit["end"], cit["verified"]) == (
        pytest.approx(2.0, abs=0.15),
        pytest.approx(4.0, abs=0.15),
        True,
    )
    # no vision vectors from a server: similar ranks by the caption text alone
    assert all(set(h["ranks"]) == {"text"} for h in got["similar"])


@pytest.mark.slow
def test_the_reported_sequence_in_separate_processes(tiny_dirs: dict[str, Path], video: Path, tmp_path: Path) -> None:
    """The issue's report: `index` with a Video-LLaVA config in one process, then `caption` and `search`
    (without the config) in fresh ones. Before the fix: an IntegrityError from caption, `no results`."""
    import os
    import subprocess
    import sys

    cfg = write_config(
        tmp_path / "vlm.yaml",
        "video-llava",
        {"model": str(tiny_dirs["video-llava"]), "num_frames": 4, "max_new_tokens": 6},
    )
    store = str(tmp_path / "S")
    env = {k: v for k, v in os.environ.items() if k != "VIDAGENT_DEBUG"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [sys.executable, "-m", "vidagent", *args], capture_output=True, text=True, env=env, timeout=600, check=False
        )
        assert r.returncode == 0 and "error" not in r.stderr, r.stderr
        return r

    run("index", str(video), "--store", store, "--config", str(cfg), "--no-progress")
    out = tmp_path / "c.jsonl"
    r = run("caption", str(video), "--store", store, "--config", str(cfg), "-o", str(out), "--no-progress")
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert "(0 newly described)" in r.stderr and len(rows) == len(SHOTS)
    query = next(x["caption"] for x in rows if x["caption"])
    hits = json.loads(run("search", query, "--store", store, "--json").stdout)
    assert hits and hits[0]["caption"] == query and {h["clip_id"] for h in hits} <= {x["clip_id"] for x in rows}
