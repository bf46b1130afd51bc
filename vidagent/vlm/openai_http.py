"""`openai`: any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp, OpenAI) as a describer.

Frames travel as base64 JPEG data-URLs, one image part each, so any server that takes multi-image chat
messages can caption clips without vidagent loading a model. Transient failures (429, 5xx, connection
errors) are retried with exponential backoff; other 4xx fail at once with the server's own message.
"""

from __future__ import annotations

import base64
import io
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from ..describe import Describer
from ..errors import VidagentError, one_line
from ..prompts import load_prompt, render
from ..types import ClipInput, Description, Frame
from .base import clip_prompt, select_frames

_KNOWN = {
    "base_url",
    "model",
    "api_key_env",
    "timeout",
    "max_retries",
    "num_frames",
    "max_new_tokens",
    "jpeg_quality",
    "backoff",
}


class _Transient(Exception):
    """A failure worth retrying (rate limit, server error, connection trouble)."""


class GaveUp(VidagentError):
    """Retries ran out on transient failures; the clip gets an error, the batch goes on."""


def jpeg_data_url(frame: Frame, quality: int = 85) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(frame.image).convert("RGB").save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _server_message(status: int, body: bytes) -> str:
    """The error text an OpenAI-style server put in its JSON body, else the raw body."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
        err = data.get("error", data) if isinstance(data, dict) else data
        msg = err.get("message") if isinstance(err, dict) else err
        text = str(msg or text)
    except ValueError:
        pass
    return f"HTTP {status}: {one_line(text, 300)}"


def _post(url: str, payload: dict[str, Any], headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """One POST; raises _Transient for retryable failures, VidagentError for the rest."""
    body = json.dumps(payload).encode()
    try:
        import httpx
    except ImportError:
        httpx = None  # type: ignore[assignment]  # optional: fall back to urllib
    if httpx is not None:
        try:
            resp = httpx.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.TransportError as exc:
            raise _Transient(one_line(exc)) from exc
        status, content = resp.status_code, resp.content
    else:
        import urllib.error
        import urllib.request

        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, content = r.status, r.read()
        except urllib.error.HTTPError as exc:
            status, content = exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise _Transient(one_line(exc)) from exc
    if status == 429 or status >= 500:
        raise _Transient(_server_message(status, content))
    if status >= 400:
        raise VidagentError(f"{url}: {_server_message(status, content)}")
    try:
        return json.loads(content)
    except ValueError:
        raise VidagentError(f"{url}: response is not JSON: {content[:200]!r}") from None


class OpenAIDescriber(Describer):
    """Captions clips through /v1/chat/completions; options: base_url, model, api_key_env, timeout, max_retries."""

    name: ClassVar[str] = "openai"
    licence: ClassVar[str] = "depends on the served model"
    uses_prompt: ClassVar[bool] = True
    can_ask: ClassVar[bool] = True
    frames_per_clip: ClassVar[int | None] = 8

    def __init__(self, config: Any = None) -> None:
        opts = dict(getattr(config, "options", None) or {})
        unknown = sorted(set(opts) - _KNOWN)
        if unknown:
            raise VidagentError(
                f"describer 'openai': unknown option '{unknown[0]}' (known: {', '.join(sorted(_KNOWN))})"
            )
        base = opts.get("base_url") or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        self.base_url = str(base).rstrip("/")
        if not opts.get("model"):
            raise VidagentError("describer 'openai' needs describe.options.model (the served model's name)")
        self.model_id = str(opts["model"])
        self.api_key_env = str(opts.get("api_key_env", "OPENAI_API_KEY"))
        self.timeout = float(opts.get("timeout", 120.0))
        self.max_retries = int(opts.get("max_retries", 4))
        self.backoff = float(opts.get("backoff", 1.0))
        self.max_new_tokens = int(opts.get("max_new_tokens", 256))
        self.jpeg_quality = int(opts.get("jpeg_quality", 85))
        if opts.get("num_frames") is not None:
            self.__dict__["frames_per_clip"] = int(opts["num_frames"])
        self.sleep: Callable[[float], None] = time.sleep  # tests swap this to skip real waiting

    def settings_key(self) -> dict[str, Any]:
        return {
            **super().settings_key(),
            "base_url": self.base_url,
            "num_frames": self.frames_per_clip,
            "max_new_tokens": self.max_new_tokens,
        }

    def _chat(self, frames: list[Frame], prompt: str) -> tuple[str, int]:
        """Send one clip; return (answer, retries used)."""
        content: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
        for f in frames:
            content.append({"type": "image_url", "image_url": {"url": jpeg_data_url(f, self.jpeg_quality)}})
        payload = {
            "model": self.model_id,
            "messages": [{"role": "user", "content": content}],
            "max_tokens": self.max_new_tokens,
            "temperature": 0,
        }
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            try:
                data = _post(url, payload, headers, self.timeout)
                break
            except _Transient as exc:
                if attempt == self.max_retries:
                    raise GaveUp(f"{url}: gave up after {attempt + 1} tries: {exc}") from None
                self.sleep(self.backoff * 2**attempt)
        try:
            return str(data["choices"][0]["message"]["content"] or "").strip(), attempt
        except (KeyError, IndexError, TypeError):
            raise VidagentError(f"{url}: unexpected response shape: {str(data)[:200]}") from None

    def describe_batch(self, items: Sequence[ClipInput], prompt: str | None = None) -> list[Description]:
        caption_prompt = load_prompt("caption") if prompt is None else None
        out = []
        for item in items:
            text = prompt if caption_prompt is None else clip_prompt(caption_prompt, item)
            frames = select_frames(item.frames, int(self.frames_per_clip or 8))
            extra: dict[str, Any] = {"model": self.model_id, "prompt": text, "frames_used": len(frames), "retries": 0}
            if caption_prompt is not None:
                extra["prompt_ref"] = caption_prompt.ref
            try:
                caption, extra["retries"] = self._chat(frames, text or "")
            except GaveUp as exc:  # a 4xx (bad model, bad key) raises: every clip would fail the same way
                caption, extra["error"] = "", one_line(exc)
            out.append(Description(caption=caption, frame_times=[f.time for f in frames], extra=extra))
        return out

    def ask(self, item: ClipInput, question: str) -> str:
        frames = select_frames(item.frames, int(self.frames_per_clip or 8))
        answer, _ = self._chat(frames, render(load_prompt("ask"), question=question))
        return answer


def make_openai(config: Any = None) -> OpenAIDescriber:
    return OpenAIDescriber(config)
