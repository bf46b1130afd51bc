"""Ask the model that described a clip (a VLM or an OpenAI-compatible server) the user's question about it.

The offline describer's own re-reading is the dense pass of `requery`; a describer that answers
questions in words is asked on the clip's frames with the shipped `ask` prompt, and its free text is
the answer, cited on the clip it read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .answer import Answer, Citation

if TYPE_CHECKING:
    from .tools import Toolbox

#: clips whose own describer (a VLM or a server) is asked the question when stored evidence has no span
MODEL_CLIPS = 2


def ask_models(box: Toolbox, question: str, hits: list[dict[str, Any]]) -> Answer | None:
    """Re-query the model that described the top clips (the shipped `ask` prompt on the clip's frames),
    for clips described by a model that answers questions in words; the offline describer's own
    re-reading is the dense pass above. The model's free text is the answer, cited on the clip it read."""
    asked = 0
    for h in hits:
        row = box.row(h["clip_id"])
        if row is None or row["describer"] in ("", "offline"):
            continue
        if asked >= MODEL_CLIPS:
            break
        asked += 1
        result = box.call("inspect_clip", clip_id=h["clip_id"], question=question)
        if not isinstance(result, dict) or not result.get("requeried"):
            continue
        said = " ".join(str((result.get("content") or {}).get("answer", "")).split())
        if not said:
            continue
        cite = Citation(
            row["video"],
            float(row["start"]),
            float(row["end"]),
            row["clip_id"],
            said,
            True,
            kind="model",
            clip_start=float(row["start"]),
            clip_end=float(row["end"]),
        )
        return Answer(question, said, [cite], box.steps, mode="offline", evidence=said)
    return None
