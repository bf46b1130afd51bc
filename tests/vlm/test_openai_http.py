"""The `openai` backend against a real HTTP server on 127.0.0.1 that speaks /v1/chat/completions."""

from __future__ import annotations

import base64
import io
import json
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from vlm_clips import make_items

from vidagent.config import DescribeConfig
from vidagent.errors import VidagentError
from vidagent.prompts import load_prompt, render
from vidagent.vlm.base import clip_prompt
from vidagent.vlm.openai_http import OpenAIDescriber


class FakeServer:
    """Replies from a script of (status, body) and records every request it got."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        #: answers requests once the script is used up (default: 200 "fine")
        self.respond: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]] = lambda body: (200, ok("fine"))
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, reply = server.script.pop(0) if server.script else server.respond(body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def ok(text: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(params=["httpx", "urllib"])
def client_lib(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "httpx":
        pytest.importorskip("httpx")
    else:
        monkeypatch.setitem(sys.modules, "httpx", None)  # import fails -> urllib path
    return str(request.param)


def describer(url: str, **opts: Any) -> OpenAIDescriber:
    d = OpenAIDescriber(DescribeConfig(describer="openai", options={"base_url": url, "model": "served-vlm", **opts}))
    d.waits: list[float] = []  # type: ignore[misc]
    d.sleep = d.waits.append  # type: ignore[attr-defined]
    return d


def test_request_carries_one_jpeg_image_part_per_frame(
    server: FakeServer, client_lib: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    monkeypatch.setenv("MY_KEY", "sk-test")
    server.script = [(200, ok("a dog runs")), (200, ok("a cat sits"))]
    d = describer(server.url, num_frames=5, api_key_env="MY_KEY")
    items = make_items(2, frames=8)
    out = d.describe_batch(items)
    assert [x.caption for x in out] == ["a dog runs", "a cat sits"]
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test"
    assert req["body"]["model"] == "served-vlm"
    parts = req["body"]["messages"][0]["content"]
    images = [p for p in parts if p["type"] == "image_url"]
    assert len(images) == 5 and len(out[0].frame_times) == 5
    assert [p["text"] for p in parts if p["type"] == "text"] == [clip_prompt(load_prompt("caption"), items[0])]
    head, b64 = images[0]["image_url"]["url"].split(",", 1)
    assert head == "data:image/jpeg;base64"
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    assert img.format == "JPEG" and img.size == (64, 64)
    assert out[0].extra["prompt_ref"] == "caption@1" and out[0].extra["retries"] == 0


def test_retries_on_503_then_succeeds(server: FakeServer, client_lib: str) -> None:
    server.script = [
        (503, {"error": {"message": "overloaded"}}),
        (429, {"error": {"message": "slow down"}}),
        (200, ok("done")),
    ]
    d = describer(server.url, backoff=0.5)
    [desc] = d.describe_batch(make_items(1))
    assert desc.caption == "done" and desc.extra["retries"] == 2
    assert len(server.requests) == 3 and d.waits == [0.5, 1.0]  # type: ignore[attr-defined]


def test_400_is_one_line_error_with_server_message(server: FakeServer, client_lib: str) -> None:
    server.script = [(400, {"error": {"message": "model 'served-vlm' does not support\nimage input"}})]
    d = describer(server.url)
    with pytest.raises(VidagentError) as info:
        d.describe_batch(make_items(2))
    msg = str(info.value)
    assert "HTTP 400" in msg and "does not support image input" in msg and "\n" not in msg
    assert len(server.requests) == 1  # a 4xx is not retried


def test_retries_exhausted_mark_the_clip_and_the_batch_goes_on(server: FakeServer) -> None:
    server.script = [(500, {"error": "boom"})] * 3 + [(200, ok("second clip"))]
    d = describer(server.url, max_retries=2)
    out = d.describe_batch(make_items(2))
    assert out[0].caption == "" and "gave up after 3 tries" in out[0].extra["error"]
    assert out[1].caption == "second clip" and "error" not in out[1].extra


def test_connection_refused_is_retried_then_reported() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    d = describer(f"http://127.0.0.1:{port}/v1", max_retries=1, timeout=2)
    [desc] = d.describe_batch(make_items(1))
    assert "gave up after 2 tries" in desc.extra["error"] and d.waits == [1.0]  # type: ignore[attr-defined]


def test_ask_and_base_url_from_environment(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.script = [(200, ok("not in this clip"))]
    d = OpenAIDescriber(DescribeConfig(describer="openai", options={"model": "m"}))
    assert d.ask(make_items(1)[0], "who wins ?") == "not in this clip"
    parts = server.requests[0]["body"]["messages"][0]["content"]
    assert parts[0]["text"] == render(load_prompt("ask"), question="who wins ?")
    with pytest.raises(VidagentError, match="needs describe.options.model"):
        OpenAIDescriber(DescribeConfig(describer="openai", options={}))
