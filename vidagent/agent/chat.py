"""The chat-model answerer: a LangChain `create_agent` tool-calling loop over the fixed toolbox.

The model plans (search, inspect, read transcripts) and ends with a JSON object naming the clip ids it
cites. Why JSON in the final message rather than provider structured output: it works the same on any
OpenAI-compatible server (vLLM, Ollama) and with scripted fake models. Its citations are then checked
exactly like the offline pipeline's (`verify.check`), and timestamps are read from the store by id.

Limits: `agent.max_steps` becomes LangGraph's recursion limit (one step = model call + tool calls);
`agent.timeout_s` bounds the whole run (checked between graph steps, and passed to the HTTP client).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from ..config import AgentConfig
from ..errors import VidagentError, one_line, require
from ..prompts import load_prompt, render
from .answer import NOT_FOUND, Answer, check
from .tools import TOOL_NAMES, Toolbox, langchain_tools


def make_chat_model(cfg: AgentConfig) -> Any:
    """'openai:<model>' -> ChatOpenAI against `base_url` (or $OPENAI_BASE_URL)."""
    spec = cfg.chat_model or ""
    provider, _, model = spec.partition(":")
    if provider != "openai" or not model:
        raise VidagentError(f"agent.chat_model '{spec}': expected 'openai:<model>' (an OpenAI-compatible server)")
    mod = require("langchain_openai", "openai")
    import os

    kwargs: dict[str, Any] = {"model": model, "temperature": 0, "timeout": cfg.timeout_s, "max_retries": 1}
    if cfg.base_url:
        kwargs["base_url"] = cfg.base_url
    if not os.environ.get("OPENAI_API_KEY"):
        kwargs["api_key"] = "not-needed"  # local servers accept any key; real OpenAI rejects it clearly
    return mod.ChatOpenAI(**kwargs)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def parse_final(text: str, known_ids: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """(answer, [(clip_id, claim)]) from the model's last message.

    The JSON object the system prompt asks for is preferred (also inside a ```json fence); failing that,
    the whole text is the answer and any known clip id mentioned in it is a citation.
    """
    for m in re.finditer(r"\{.*\}", text, re.DOTALL):
        try:
            data = json.loads(m.group(0))
        except ValueError:
            continue
        if isinstance(data, dict) and "answer" in data:
            claims = []
            for c in data.get("citations") or []:
                if isinstance(c, dict) and c.get("clip_id"):
                    claims.append((str(c["clip_id"]), str(c.get("claim") or data["answer"])))
                elif isinstance(c, str):
                    claims.append((c, str(data["answer"])))
            return str(data["answer"]).strip(), claims
    answer = text.strip()
    return answer, [(cid, answer) for cid in sorted(known_ids) if cid in text]


def answer_chat(
    box: Toolbox, question: str, model: Any, cfg: AgentConfig, top_k: int, video: str | None = None
) -> Answer:
    """Run the tool-calling agent, then verify what it cites."""
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, HumanMessage

    try:
        from langgraph.errors import GraphRecursionError
    except ImportError:  # pragma: no cover - langgraph always ships it
        GraphRecursionError = RuntimeError  # type: ignore[misc,assignment]  # a stand-in class of another type

    tools = langchain_tools(box)
    system = render(load_prompt("agent_system"), max_steps=cfg.max_steps)
    graph = create_agent(model, tools=tools, system_prompt=system)
    scope = f" Only consider the video '{video}'." if video else ""
    request = f"{question}\n\n(Use search_clips with k={top_k}.{scope})"
    deadline = time.monotonic() + cfg.timeout_s
    error = ""
    messages: list[Any] = []
    try:
        for state in graph.stream(
            {"messages": [HumanMessage(request)]},
            stream_mode="values",
            config={"recursion_limit": 2 * cfg.max_steps + 1},
        ):
            messages = list(state.get("messages", messages))
            if time.monotonic() > deadline:
                error = f"time limit of {cfg.timeout_s:g} s reached"
                break
    except GraphRecursionError:
        error = f"step limit of {cfg.max_steps} reached"
    except VidagentError:
        raise
    except Exception as exc:  # the model server failing is the user's setup, said on one line
        raise VidagentError(f"chat model failed: {one_line(exc)}") from exc

    # Calls the model made to tools that do not exist are recorded (LangGraph answered them with an error).
    for m in messages:
        if isinstance(m, AIMessage):
            for tc in m.tool_calls or []:
                if tc["name"] not in TOOL_NAMES:
                    box.steps.append(
                        {"tool": tc["name"], "args": tc.get("args", {}), "error": "not a tool of this agent; refused"}
                    )

    final = next((m for m in reversed(messages) if isinstance(m, AIMessage) and not m.tool_calls), None)
    if final is None:
        return Answer(
            question,
            f"{NOT_FOUND} ({error or 'the model gave no final answer'})",
            [],
            box.steps,
            mode="chat",
            error=error or "no final answer",
        )
    known = set(box.hits) | {str(s["args"]["clip_id"]) for s in box.steps if s.get("args", {}).get("clip_id")}
    text, claims = parse_final(_text(final.content), known)
    if text.lower().startswith("not found") or not claims:
        answer = text if text else NOT_FOUND
        if not claims and not text.lower().startswith("not found"):
            answer = f"{text} (unverified: no clip cited)"
        return Answer(question, answer, [], box.steps, mode="chat", error=error)
    citations = check(box, question, claims)
    if not citations:
        text = f"{text} (unverified: no cited clip supports this answer)"
    return Answer(question, text, citations, box.steps, mode="chat", error=error)
