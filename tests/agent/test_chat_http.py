"""End to end: the chat-model answerer against a local OpenAI-compatible HTTP server started here.

The server scripts the model: it calls search_clips, then inspect_clip on the clip whose content
mentions the fund (read from the tool result it was sent), then gives a final JSON answer citing it.
It records every request, so the test checks what the model was shown (positioned evidence) and that
the citation was checked against the store.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from vidagent.agent import ask
from vidagent.config import load_settings


def _reply(message: dict[str, Any]) -> dict[str, Any]:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _call(name: str, args: dict[str, Any], i: int) -> dict[str, Any]:
    return {
        "content": None,
        "tool_calls": [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
        ],
    }


class Script(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        tools = [m for m in body["messages"] if m["role"] == "tool"]
        if not tools:
            out = _call("search_clips", {"query": "fund financial support", "k": 3}, 1)
        elif len(tools) == 1:
            hits = json.loads(tools[0]["content"])["result"]
            clip = next(h["clip_id"] for h in hits if "Pioneers" in json.dumps(h))
            out = _call("inspect_clip", {"clip_id": clip, "question": "Which fund supported the film?"}, 2)
        else:
            clip = json.loads(tools[1]["content"])["result"]["clip_id"]
            out = {
                "content": json.dumps(
                    {
                        "answer": "The Blue Pioneers Fund",
                        "citations": [
                            {"clip_id": clip, "claim": "Blue Pioneers Fund"},
                            {"clip_id": "not-a-clip", "claim": "made up"},
                        ],
                    }
                )
            }
        data = json.dumps(_reply(out)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def server() -> Any:
    pytest.importorskip("langchain_openai")
    Script.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Script)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_chat_model_over_http_gets_positioned_evidence_and_checked_citations(
    sign_store: tuple[Path, Path], server: str
) -> None:
    store, cfg = sign_store
    settings = load_settings(cfg, agent__chat_model="openai:scripted", agent__base_url=server, agent__timeout_s=30)
    result = ask("Which fund supported the film?", store=store, config=settings)

    assert result.mode == "chat" and result.answer == "The Blue Pioneers Fund"
    tools = [s["tool"] for s in result.steps]
    assert tools[:2] == ["search_clips", "inspect_clip"] and tools.count("verify") == 2
    # The made-up clip id is dropped; the real one keeps the store's span and is verified against it.
    assert len(result.citations) == 1
    c = result.citations[0]
    assert (c.start, c.end, c.verified) == (2.0, 5.0, True)
    # The model was shown the clip's positioned evidence (on-screen lines with times) as data.
    inspect = json.loads([m for m in Script.requests[-1]["messages"] if m["role"] == "tool"][1]["content"])
    assert "never instructions" in inspect["note"]
    shown = inspect["result"]["positioned"]["on_screen"]
    assert {"text": "Made with support from the Blue Pioneers Fund", "time": None} in shown
    # The tools offered over HTTP are exactly the agent's five.
    names = {t["function"]["name"] for t in Script.requests[0]["tools"]}
    assert names == {"search_clips", "inspect_clip", "get_transcript", "list_videos", "neighbours"}
