"""Which clips a question's answer is looked for in, and their evidence read from the store.

Search's top clips first; then clips whose stored text holds the question's words verbatim, clips
with a sentence said close to the question, and, for a question asked of one short video, every clip
of it: what search ranks by resemblance is not always where the answer is.
"""

from __future__ import annotations

import re
from typing import Any

from .anchored import _VIDEO_NOUN
from .compose import ClipEvidence
from .question import analyse
from .requery import stored_evidence
from .tools import Toolbox
from .which import asks_video


def keyword_hits(
    box: Toolbox, query: Any, hits: list[dict[str, Any]], k: int, video: str | None
) -> list[dict[str, Any]]:
    """Clips whose stored text holds the question's focus words verbatim (full-text index), that the
    ranked search left out: a rare word on screen ("NARRATOR") is strong evidence even when the rest
    of the clip is unlike the question."""
    if not query.focus:
        return []
    have = {h["clip_id"] for h in hits}
    vh = None
    if video is not None:
        v = box.store.find_video(video)
        vh = v.hash if v is not None else None
    from .question import stem

    ids = box.store.evidence.text_match([stem(w) for w in query.focus], 3 * k)
    rows = box.store.active_rows(description_ids=ids) if ids else []
    order = {i: n for n, i in enumerate(ids)}
    extra = []
    for r in sorted(rows, key=lambda r: order.get(r["description_id"], 0)):
        if r["clip_id"] not in have and (vh is None or r["video_hash"] == vh):
            have.add(r["clip_id"])
            extra.append({"clip_id": r["clip_id"], "video": r["video"], "start": r["start"], "end": r["end"]})
    extra = extra[: max(1, k // 2)]
    if extra:
        box.steps.append(
            {
                "tool": "keyword_clips",
                "args": {"words": query.focus},
                "result": [{"clip_id": e["clip_id"], "start": round(float(e["start"]), 3)} for e in extra],
            }
        )
    return extra


def whole_video(box: Toolbox, hits: list[dict[str, Any]], video: str | None) -> list[dict[str, Any]]:
    """Every other clip of the one video a question is asked of, when it has at most `WHOLE_VIDEO`: what
    it asks may be in a clip search ranks low ("what website is shown in the Creative Commons video?":
    the addresses are in the credits, which say nothing like "website"), and reading a short video whole
    costs little."""
    v = box.store.find_video(video) if video is not None else None
    rows = box.store.active_rows(video_hash=v.hash) if v is not None else []
    if not rows or len(rows) > WHOLE_VIDEO:
        return []
    have = {h["clip_id"] for h in hits}
    extra = [
        {"clip_id": r["clip_id"], "video": r["video"], "start": r["start"], "end": r["end"]}
        for r in sorted(rows, key=lambda r: float(r["start"]))
        if r["clip_id"] not in have
    ]
    box.steps.append({"tool": "whole_video", "args": {"video": video}, "result": len(extra)})
    return extra


WHOLE_VIDEO = 30  # clips: a video asked about by name is read whole up to this many
SPEECH_SIM = 0.4  # cosine + 0.3 x focus coverage at which a sentence said brings its clip in
MAX_SENTENCES = 2000


def speech_hits(
    box: Toolbox, question: str, query: Any, hits: list[dict[str, Any]], video: str | None
) -> list[dict[str, Any]]:
    """Clips holding the sentences said that are closest to the question. Why: a clip's caption mixes
    tags, text and speech, so "where does the speaker work?" can miss the one sentence that answers it."""
    from ..describe import get_embedder
    from .said import sentences

    vids = [v for v in box.store.videos() if v.plan_key is not None]
    if video is not None:
        found = box.store.find_video(video)
        vids = [v for v in vids if found is not None and v.hash == found.hash]
    sents = []
    for v in vids:
        for t in box.store.transcripts_of(v.hash)[:1]:
            sents += [(v.hash, x) for seg in t for x in sentences(seg)]
    if not sents or len(sents) > MAX_SENTENCES:
        return []
    emb = get_embedder(box.settings.embed.embedder)
    qv = emb.embed_batch([question])[0]
    vecs = [v for i in range(0, len(sents), 64) for v in emb.embed_batch([x.text for _, x in sents[i : i + 64]])]
    from .question import coverage

    best = sorted(
        (
            (float(v @ qv) + 0.3 * coverage(query, x.text + " speaker narrator"), vh, x)
            for v, (vh, x) in zip(vecs, sents, strict=True)
        ),
        key=lambda z: -z[0],
    )
    have = {h["clip_id"] for h in hits}
    extra = []
    for sim, vh, x in best[:3]:
        if sim < SPEECH_SIM:
            break
        for r in box.store.active_rows(video_hash=vh):
            if r["start"] <= (x.start + x.end) / 2 < r["end"] and r["clip_id"] not in have:
                have.add(r["clip_id"])
                extra.append(
                    {
                        "clip_id": r["clip_id"],
                        "video": r["video"],
                        "start": r["start"],
                        "end": r["end"],
                        "sentence": x.text,
                        "similarity": round(sim, 3),
                    }
                )
    if extra:
        box.steps.append({"tool": "speech_clips", "args": {"sentences": len(sents)}, "result": extra})
    return extra


def read(box: Toolbox, hits: list[dict[str, Any]]) -> list[ClipEvidence]:
    out = []
    transcripts: dict[str, Any] = {}
    for h in hits:
        row = box.row(h["clip_id"])
        if row is None:
            continue
        vh = row["video_hash"]
        if vh not in transcripts:
            ts = box.store.transcripts_of(vh)
            transcripts[vh] = ts[0] if ts else []
        out.append(stored_evidence(box.store, row, transcripts[vh]))
    box.steps.append(
        {
            "tool": "read_evidence",
            "args": {"clips": [e.clip_id for e in out]},
            "result": [
                {
                    "clip_id": e.clip_id,
                    "text_boxes": len(e.boxes),
                    "lines": len(e.lines),
                    "speech_segments": len(e.speech),
                    "tags": len(e.tags),
                }
                for e in out
            ],
        }
    )
    return out


_NAMED = re.compile(  # "in the Creative Commons video", also as the object: "who supported the Creative Commons video?"
    r"\s*\b(?:(?:in|of|from|on|during)\s+)?(?:the|this|that|my)\s+"
    r"(?P<name>(?:(?!(?:in|of|from|on|during|is|are|was|were|and|or|the|a|an|to|at|by|with|where|when|which|who|"
    r"whom|whose|that|what)\b)[\w'.-]+\s+){1,5})" + _VIDEO_NOUN + r"\b",
    re.IGNORECASE,
)


def named_scope(box: Toolbox, question: str, k: int) -> tuple[str, str] | None:
    """(the video a phrase of the question names, the question without that phrase): "what website is
    shown in the Creative Commons video?" is asked of that video, and "creative commons" is not looked
    for in its answer; None when no phrase names one ("in the video", "in the film": which one?) or
    several fit."""
    from .anchored import GENERIC, Anchor, choose_video, words_of

    m = _NAMED.search(question)
    naming = [w for w in words_of(m.group("name")) if w not in GENERIC] if m else []
    if asks_video(question) is not None:
        return None
    if not naming:  # "who presents THE TRAILER?": a video noun that is a word of one file name only
        return _noun_scope(box, question)
    v = choose_video(box, question, Anchor(None, "start", ""), None, k, naming=naming)
    if isinstance(v, str):
        return None
    rest = " ".join((question[: m.start()] + question[m.end() :]).split()) if m else question
    return (v.hash, rest) if analyse(rest).focus else None  # "who is in the Lego video?": nothing left to ask


_THE_NOUN = re.compile(
    r"\s*\b(?:(?:in|of|from|on|during)\s+)?(?:the|this|that|my)\s+(?P<noun>" + _VIDEO_NOUN + r")\b", re.I
)


def _noun_scope(box: Toolbox, question: str) -> tuple[str, str] | None:
    """(the one video whose file name holds the question's video noun, the question as asked): "the
    trailer" is moviepy_trailer_bbb.mp4 when no other file name says "trailer" (the noun is then met by
    the file name); None otherwise ("the film", with no file so named, is any video)."""
    from .anchored import file_words

    m = _THE_NOUN.search(question)
    if m is None:
        return None
    noun = m.group("noun").lower()
    forms = {noun, noun.removesuffix("s")}
    vids = [v for v in box.store.videos() if v.plan_key is not None and forms & file_words(v)]
    if len(vids) != 1:
        return None
    return vids[0].hash, question  # kept whole: "where in the trailer does X appear?" stays a when-question
