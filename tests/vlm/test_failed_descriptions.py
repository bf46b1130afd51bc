"""A clip whose VLM / HTTP description failed is not done: the next run describes it again, and until
then `status` counts it and `doctor` reports it (issue #15). Before the fix the failed row counted as
described, so the clip kept an empty caption forever and nothing said so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_openai_http import FakeServer, ok
from vlm_cli import SHOTS, cli, cli_json, write_config

from tests.conftest import make_video


@pytest.fixture()
def server() -> Any:
    s = FakeServer()
    s.respond = lambda body: (200, ok(f"a scene numbered {len(s.requests)}"))
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("failed") / "three.mp4", SHOTS, fps=10, size=(96, 64))


def test_failed_http_description_is_counted_reported_and_retried(
    server: FakeServer, video: Path, tmp_path: Path
) -> None:
    cfg = write_config(
        tmp_path / "http.yaml", "openai", {"base_url": server.url, "model": "m", "num_frames": 2, "max_retries": 0}
    )
    s, c = ("--store", str(tmp_path / "st")), ("--config", str(cfg))
    server.script = [(503, {"error": {"message": "overloaded"}})]  # the first clip's request fails
    res = cli("index", str(video), *s, *c, "--no-progress")
    assert "1 clip descriptions failed" in res.stderr
    st = cli_json("status", *s)
    assert (st["descriptions"], st["failed_descriptions"]) == (3, 1)
    doc = cli("doctor", *s, "--json", ok_codes=(1,))
    [finding] = [f for f in json.loads(doc.stdout) if f["check"] == "descriptions"]
    assert not finding["ok"] and "1 clips whose description failed" in finding["detail"]
    assert "HTTP 503: overloaded" in finding["detail"]
    assert cli_json("status", *s)["descriptions"] == 3
    # `caption` retries it too (and here fails again): its row carries the error; search never offers
    # the empty caption
    sent = len(server.requests)
    server.script = [(503, {"error": {"message": "still overloaded"}})]
    out = tmp_path / "c.jsonl"
    res = cli("caption", str(video), *s, *c, "-o", str(out), "--no-progress")
    assert "(1 newly described)" in res.stderr and len(server.requests) == sent + 1
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(bool(r["error"]), bool(r["caption"])) for r in rows] == [(True, False), (False, True), (False, True)]
    hits = cli_json("search", "a scene numbered", *s, "--top-k", "10")
    assert rows[0]["clip_id"] not in {h["clip_id"] for h in hits} and len(hits) == 2

    # the next run describes only the failed clip, replacing its row
    sent = len(server.requests)
    again = cli_json("index", str(video), *s, *c, "--no-progress")
    assert again["described"] == 1 and again["failed_descriptions"] == 0
    assert len(server.requests) == sent + 1
    st = cli_json("status", *s)
    assert (st["descriptions"], st["failed_descriptions"], st["clips"]) == (3, 0, 3)
    assert st["vectors_by_space"]["text:minilm"] == 3
    assert all(f["ok"] for f in cli_json("doctor", *s))
    hits = cli_json("search", "a scene numbered", *s, "--top-k", "10")
    assert rows[0]["clip_id"] in {h["clip_id"] for h in hits}
    # and a third run has nothing left to do
    assert cli_json("index", str(video), *s, *c, "--no-progress")["described"] == 0


def test_failed_transformers_description_is_retried(tiny_dirs: dict[str, Path], video: Path, tmp_path: Path) -> None:
    """The same through vlm/base.py: a clip whose generate raised is stored with the error, then retried."""
    from vidagent.config import load_settings
    from vidagent.describe import get_describer
    from vidagent.pipeline import Indexer
    from vidagent.store import Store

    cfg = write_config(
        tmp_path / "vlm.yaml",
        "video-llava",
        {"model": str(tiny_dirs["video-llava"]), "num_frames": 2, "max_new_tokens": 4},
    )
    settings = load_settings(cfg)
    d: Any = get_describer("video-llava", settings.describe)
    failing: list[str] = []

    def hook(clip_ids: list[str], n_frames: int) -> None:
        if set(clip_ids) & set(failing):
            raise RuntimeError("CUDA error: an illegal memory access was encountered")

    d.fault_hook = hook
    with Store(tmp_path / "st") as st:
        ix = Indexer(st, settings)
        info = ix.probe(str(video))
        failing.append(ix.plan(info).clips[2].id)
        first = ix.run([str(video)])
        assert first.files[0].failed_clips == 1 and first.summary()["described"] == 3
        [bad] = [r for r in st.active_rows() if r["clip_id"] == failing[0]]
        assert bad["caption"] == "" and "illegal memory access" in bad["extra"]["error"]
        assert st.stats()["failed_descriptions"] == 1
        failing.clear()
        second = Indexer(st, settings).run([str(video)])
        assert second.summary()["described"] == 1 and second.files[0].failed_clips == 0
        rows = st.active_rows()
        assert len(rows) == 3 and all(r["caption"] and "error" not in r["extra"] for r in rows)
        assert st.stats()["failed_descriptions"] == 0
    d.fault_hook = None
