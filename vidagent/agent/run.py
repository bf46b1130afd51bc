"""`ask` (the Python API behind `vidagent ask`) and `history` (behind `vidagent history`).

`ask` picks the answerer: a chat model passed in or configured -> the tool-calling agent; none -> the
offline pipeline. Every run, failed ones included, is stored as an `AgentRun` row so answers can be
audited later with their citations and tool calls.
"""

from __future__ import annotations

import os
import time
from typing import Any

from ..config import Settings, load_settings
from ..errors import VidagentError, one_line
from ..store import Store, opened
from .answer import Answer, Citation
from .tools import Toolbox

StoreArg = Store | str | os.PathLike[str] | None
ConfigArg = Settings | str | os.PathLike[str] | None


def ask(
    question: str,
    store: StoreArg = None,
    config: ConfigArg = None,
    chat_model: Any = None,
    video: str | None = None,
    top_k: int | None = None,
    requery: bool = True,
) -> Answer:
    """Answer a question about the indexed videos, with checked citations; the run is recorded.

    `chat_model`: a LangChain BaseChatModel (used as is), an 'openai:<model>' string, or None for
    `agent.chat_model` from the settings (unset: the offline answerer). `requery`: let the offline
    answerer re-read the top clips when stored evidence holds no answer (slower, cached).
    """
    if not question.strip():
        raise VidagentError("the question is empty")
    settings = config if isinstance(config, Settings) else load_settings(config)
    with opened(store, create=False) as st:
        return _ask(st, settings, question, chat_model, video, top_k, requery)


def _ask(
    st: Store,
    settings: Settings,
    question: str,
    chat_model: Any,
    video: str | None,
    top_k: int | None,
    requery: bool = True,
) -> Answer:
    t0 = time.perf_counter()
    box = Toolbox(st, settings)
    k = top_k or settings.agent.top_k
    result: Answer | None = None
    try:
        if video is not None:
            from ..store.resolve import require_video

            require_video(st, video)
        model = chat_model
        if isinstance(model, str) or (model is None and settings.agent.chat_model):
            from .chat import make_chat_model

            cfg = (
                settings.agent
                if not isinstance(model, str)
                else settings.agent.model_copy(update={"chat_model": model})
            )
            model = make_chat_model(cfg)
        if model is not None:
            from .chat import answer_chat

            result = answer_chat(box, question, model, settings.agent, k, video)
        else:
            from .offline import answer_offline
            from .typed import plain

            result = answer_offline(box, plain(question), k, video, requery=requery)
            result.question = question  # as the user asked it
        result.elapsed_s = time.perf_counter() - t0
        for step in box.steps if result.found else []:
            if step.get("tool") == "choose_video" and step["result"].get("by") == "content":
                took = f'took "{step["args"]["naming"]}" to mean {step["result"]["video"]}'
                result.notes.append(f"{took}, the video whose clips match it best (no file name says it)")
        return result
    except VidagentError as exc:
        result = Answer(
            question,
            "",
            [],
            box.steps,
            mode="chat" if chat_model or settings.agent.chat_model else "offline",
            elapsed_s=time.perf_counter() - t0,
            error=one_line(exc),
        )
        raise
    finally:
        if result is not None and st.read_only:
            result.notes.append("history not recorded: the store is read-only")
        elif result is not None:
            record(st, result)


def record(store: Store, answer: Answer) -> int:
    """Store one run for `vidagent history`; returns its id."""
    return store.add_agent_run(
        question=answer.question,
        answer=answer.answer,
        mode=answer.mode,
        citations=[c.to_json() for c in answer.citations],
        steps=answer.steps,
        elapsed_s=round(answer.elapsed_s, 3),
        error=answer.error,
    )


def history(store: StoreArg = None, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent runs, newest first, as JSON-able dicts."""
    with opened(store, create=False) as st:
        return [r.to_json() for r in st.agent_runs(limit)]


def citations_of(row: dict[str, Any]) -> list[Citation]:
    """History citations back as Citation objects."""
    return [Citation(**c) for c in row.get("citations") or []]
