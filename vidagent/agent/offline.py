"""The offline answerer: a fixed LangChain runnable chain, no chat model.

    retrieve -> inspect (re-query each candidate clip with the question) -> select (keep clips whose
    evidence supports an answer) -> compose (the answer is that evidence, quoted) -> cite (checked)

Why fixed: without a language model nothing can plan, so the pipeline does what a careful agent would
do with the same tools, and says "Not found" instead of inventing when nothing clears two absolute
bars: the clip's best cosine with the question (`Hit.similarity`, or an exact keyword match), and the
describer's own re-query evidence, which is "" when the clip holds nothing relevant, and which must
cover most of the question's content words (see `_judge`).
"""

from __future__ import annotations

from typing import Any

from ..evidence import render
from .answer import NOT_FOUND, Answer, check, evidence_text, fmt_time, supports, words
from .tools import Toolbox, video_label

SIM_FLOOR = 0.15  # below this cosine a hit is noise, unless the question's exact words matched it
EVIDENCE_FLOOR = 0.25  # question-evidence relevance (cosine + word overlap) an answer needs
KEEP_MARGIN = 0.12  # other clips cited when their evidence is this close to the best
MAX_CITED = 3
WORD_SIM = 0.5  # a question word is covered by an evidence piece this close to it (MiniLM cosine)
COVERAGE = 0.5  # share of the question's content words the evidence must cover


def _retrieve(state: dict[str, Any]) -> dict[str, Any]:
    box: Toolbox = state["box"]
    found = box.call("search_clips", query=state["question"], k=state["top_k"], video=state["video"])
    hits = [] if isinstance(found, dict) else found
    keep = []
    for h in hits:
        hit = box.hits[h["clip_id"]]
        exact = "keyword" in hit.sources and hit.sources["keyword"] < 3
        if hit.similarity >= SIM_FLOOR or exact:
            keep.append(h)
    return {**state, "candidates": keep, "search_error": found.get("error") if isinstance(found, dict) else ""}


def _inspect(state: dict[str, Any]) -> dict[str, Any]:
    box: Toolbox = state["box"]
    inspected = []
    for h in state["candidates"]:
        result = box.call("inspect_clip", clip_id=h["clip_id"], question=state["question"])
        inspected.append((h, result))
    return {**state, "inspected": inspected}


def _stem(word: str) -> str:
    return word[:5]


def _judge(box: Toolbox, question: str, evidence: list[str]) -> list[tuple[float, float]]:
    """(relevance, coverage) per evidence text.

    relevance: cosine of the question with the evidence plus a bonus for shared content words.
    coverage: share of the question's content words the evidence covers, by shared stem or by a piece
    of evidence close in meaning. Why both: a single shared word ("brand" in a name in the credits) or
    a loosely related label must not pass for an answer; it has to address most of what was asked.
    """
    if not evidence:
        return []
    from ..describe import get_embedder

    q = sorted(words(question))
    texts = [t for e in evidence for _, t in pieces(e)]
    vecs = get_embedder(box.settings.embed.embedder).embed_batch([question, *evidence, *q, *texts])
    qv, ev = vecs[0], vecs[1:1 + len(evidence)]
    wv, pv = vecs[1 + len(evidence):1 + len(evidence) + len(q)], vecs[1 + len(evidence) + len(q):]
    out, pos = [], 0
    for e, v in zip(evidence, ev, strict=True):
        n = len(pieces(e))
        sims = wv @ pv[pos:pos + n].T if q else None
        pos += n
        stems = {_stem(w) for w in words(e)}
        covered = sum(1 for i, w in enumerate(q)
                      if _stem(w) in stems or (sims is not None and float(sims[i].max()) >= WORD_SIM))
        overlap = len(set(q) & words(e))
        out.append((float(v @ qv) + 0.1 * min(overlap, 2), covered / len(q) if q else 1.0))
    return out


def _select(state: dict[str, Any]) -> dict[str, Any]:
    box: Toolbox = state["box"]
    pairs = [(h, evidence_text(r)) for h, r in state["inspected"] if r.get("requeried") or r.get("source_missing")]
    pairs = [(h, e) for h, e in pairs if supports(e, "")]
    judged = _judge(box, state["question"], [e for _, e in pairs])
    ranked = sorted(((s, h, e) for (s, cov), (h, e) in zip(judged, pairs, strict=True)
                     if s >= EVIDENCE_FLOOR and cov >= COVERAGE), key=lambda x: -x[0])
    if ranked:
        best = ranked[0][0]
        ranked = [x for x in ranked if x[0] >= best - KEEP_MARGIN][:MAX_CITED]
    box.steps.append({"tool": "select", "args": {"floor": EVIDENCE_FLOOR, "coverage": COVERAGE},
                      "result": [{"clip_id": h["clip_id"], "relevance": round(s, 3), "coverage": round(c, 2)}
                                 for (s, c), (h, _) in zip(judged, pairs, strict=True)]})
    return {**state, "selected": [(h, e) for _, h, e in ranked]}


def pieces(evidence: str) -> list[tuple[str, str]]:
    """(kind, text) pieces of re-queried evidence: the kinds the describer gave with it (structural,
    never parsed back out of rendered text); other describers' text is one piece."""
    structured = getattr(evidence, "pieces", None)
    return list(structured) if structured else [("", evidence.strip())]


def _phrase(evidence: str) -> str:
    return render(pieces(evidence))


def _compose(state: dict[str, Any]) -> dict[str, Any]:
    selected = state["selected"]
    if not selected:
        return {**state, "answer": NOT_FOUND, "claims": []}
    lines = []
    for i, (h, e) in enumerate(selected):
        where = f"{video_label(h['video'])} {fmt_time(h['start'])}-{fmt_time(h['end'])}"
        lines.append(f"{'' if i == 0 else 'Also '}{_phrase(e)} ({where})")
    # Each clip's claim is its own evidence, so the check re-queries it and matches it to itself.
    return {**state, "answer": "\n".join(lines), "claims": [(h["clip_id"], e) for h, e in selected]}


def _cite(state: dict[str, Any]) -> dict[str, Any]:
    box: Toolbox = state["box"]
    citations = check(box, state["question"], state["claims"])
    answer = state["answer"] if citations or not state["claims"] else NOT_FOUND
    return {**state, "answer": answer, "citations": citations}


def pipeline() -> Any:
    """The chain as a LangChain Runnable (state dict in, state dict out)."""
    from langchain_core.runnables import RunnableLambda

    return (RunnableLambda(_retrieve, name="retrieve") | RunnableLambda(_inspect, name="inspect")
            | RunnableLambda(_select, name="select") | RunnableLambda(_compose, name="compose")
            | RunnableLambda(_cite, name="cite"))


def answer_offline(box: Toolbox, question: str, top_k: int, video: str | None = None) -> Answer:
    """Answer with the fixed pipeline; the Answer's steps are the toolbox's recorded calls."""
    state = pipeline().invoke({"box": box, "question": question, "top_k": top_k, "video": video})
    return Answer(question=question, answer=state["answer"], citations=state["citations"], steps=box.steps,
                  mode="offline", error=state.get("search_error") or "")
