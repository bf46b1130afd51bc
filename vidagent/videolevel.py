"""Video-level evidence for search: a video's clips vote for the video, and the video lifts its clips.

A "which video shows ..." query is about what a video shows, not about one clip: the right video
often has several clips that each match part of the query (one is labelled "dog", another "lying on
the floor") while one noisy clip of another video matches all of it by accident. So search builds a
small profile of every video its candidate clips come from and fuses the video's score into each of
its clips' scores:

- meaning: for each vector source, the mean of the video's best `top` clip scores (evidence seen in
  several clips is more reliable than one clip's labels; a video with fewer clips averages what it has),
- words: bounded BM25 coverage of the query's content words over the union of the video's candidate
  clips' text fields, so a term found in one clip and another term in a second clip both count.

The profile is built from the candidate clips only (the clips some source already found), so its
cost is bounded by the candidate count, not by the library's size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .textmatch import average_lengths, score_fields

FIELDS = ("tags", "ocr", "transcript", "caption")

#: (score, description id, each source's share of the score), as search ranks them
Scored = tuple[float, int, dict[str, float]]


def fields_of(row: Any) -> dict[str, str]:
    """A clip row's keyword fields as text (a `ClipRecord` or a mapping)."""
    return {
        "tags": " ".join(row["tags"]),
        "ocr": " ".join(row["ocr"]),
        "transcript": row["transcript"] or "",
        "caption": row["caption"] or "",
    }


def top_mean(values: Sequence[float], top: int) -> float:
    """Mean of the `top` largest values (all of them when there are fewer)."""
    best = sorted(values, reverse=True)[: max(1, top)]
    return sum(best) / len(best) if best else 0.0


def video_scores(
    parts: Mapping[int, Mapping[str, float]],
    video_of: Mapping[int, str],
    words: Mapping[int, Mapping[str, str]],
    terms: Sequence[str],
    idfs: Mapping[str, float],
    field_weights: Mapping[str, float],
    keyword_weight: float,
    top: int = 3,
) -> dict[str, float]:
    """Score of each video from its candidate clips.

    `parts` maps a clip (description id) to each source's weighted share of its fused score;
    `words` maps the clips that keywords matched to their text fields. The keyword share is replaced
    by the video-level coverage (`keyword_weight` times the bounded BM25 of the merged fields)."""
    by_video: dict[str, list[int]] = {}
    for did in parts:
        by_video.setdefault(video_of[did], []).append(did)
    merged: dict[str, dict[str, str]] = {}
    for did, f in words.items():
        v = video_of.get(did)
        if v is None:
            continue
        m = merged.setdefault(v, {k: "" for k in FIELDS})
        for k in FIELDS:
            if f.get(k):
                m[k] = f"{m[k]} {f[k]}".strip()
    avg = average_lengths(merged.values()) if merged else {}
    out: dict[str, float] = {}
    for v, dids in by_video.items():
        names = {n for d in dids for n in parts[d] if n != "keywords"}
        score = sum(top_mean([parts[d].get(n, 0.0) for d in dids], top) for n in names)
        if v in merged and terms:
            score += keyword_weight * score_fields(terms, idfs, merged[v], field_weights, avg).score
        out[v] = score
    return out


def blend(scored: list[Scored], video_of: Mapping[int, str], vs: Mapping[str, float], beta: float) -> list[Scored]:
    """Each clip's score becomes (1 - beta) x its own + beta x its video's; the share shows as 'video'."""
    out = []
    for score, did, parts in scored:
        shares = {n: (1 - beta) * v for n, v in parts.items()}
        v = beta * vs.get(video_of[did], 0.0)
        if v > 0:
            shares["video"] = v
        out.append(((1 - beta) * score + v, did, shares))
    return out


def diversify(scored: list[Scored], video_of: Mapping[int, str], decay: float) -> list[Scored]:
    """The n-th best clip of a video scores decay**(n-1) of its own score, so that one long video
    whose many clips look alike does not fill the list ahead of another video's best clip. The
    order within a video does not change. `scored` is sorted best first."""
    if decay >= 1:
        return scored
    seen: dict[str, int] = {}
    out = []
    for score, did, parts in scored:
        video = video_of[did]
        f = decay ** seen.get(video, 0)
        seen[video] = seen.get(video, 0) + 1
        out.append((score * f, did, {n: v * f for n, v in parts.items()}))
    return out


def with_videos(scored: list[Scored], video_of: Mapping[int, str], q: Any, settings: Any) -> list[Scored]:
    """Blend each clip's score with its video's (`search.video_weight`; 0, the default, is off).
    `q` is the search's prepared query (`retrieve.Query`: its terms, idfs and the clips' text fields)."""
    from .signals.fusion import weights

    if settings.search.video_weight <= 0 or not scored:
        return scored
    videos = {did: video_of[did] for _, did, _ in scored}
    vs = video_scores(
        {did: p for _, did, p in scored},
        videos,
        {d: f for d, f in q.fields.items() if d in videos},
        q.terms,
        q.idfs,
        settings.search.fields,
        weights(settings).get("keywords", 0.0),
        settings.search.video_top,
    )
    return blend(scored, videos, vs, settings.search.video_weight)
